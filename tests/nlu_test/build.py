"""Build the NLU test set (one Rasa YAML file per topic) and its language sidecar, then check both.

The test set is written from a user's point of view, independently of the training data in data/nlu/.
Each intent holds three blocks: "vi" (Vietnamese with diacritics), "vi_plain" (Vietnamese typed without
diacritics, sometimes with a typo) and "en" (English). Entity values are always explicit knowledge ids.

    python tests/nlu_test/build.py          # write tests/nlu_test/*.yml and languages.yml, then check
    python tests/nlu_test/build.py --check  # only check the files already written (and the answer set)
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
KNOWLEDGE = ROOT / "knowledge"
QUESTIONS = ROOT / "tests" / "answer_eval" / "questions.yml"
LANGUAGES = ("vi", "vi_plain", "en")

# The `topic` entity of domain.yml (slot of choose_topic) is annotated too; set to False to strip it.
ANNOTATE_TOPIC = True

Block = dict[str, list[str]]

DATA: dict[str, dict[str, Block]] = {
    # ------------------------------------------------------------------------------------------------ heritage
    "heritage": {
        "ask_site_info": {
            "vi": [
                "[Đại Nội](site:hue-imperial-city) là gì vậy?",
                "Giới thiệu giúp tôi về [chùa Thiên Mụ](site:thien-mu-pagoda)",
                "[Thánh địa Mỹ Sơn](site:my-son-sanctuary) có gì đặc biệt?",
                "Lịch sử [lăng Khải Định](site:tomb-of-khai-dinh) như thế nào?",
                "Kể cho mình nghe về [Trường Lũy](site:truong-luy-quang-ngai)",
            ],
            "vi_plain": [
                "[dai noi hue](site:hue-imperial-city) la gi",
                "gioi thieu ve [lang tu duc](site:tomb-of-tu-duc) di",
                "[chua thien an](site:thien-an-pagoda) co gi dac biet ko",
                "lich su [khu chung tich son my](site:son-my-memorial)",
                "[nha nhac cung dinh](site:nha-nhac-court-music) la gi vay ban",
                "cho minh biet ve [ho quyen](site:ho-quyen-arena)",
                "[moc ban trieu nguyen](site:nguyen-dynasty-woodblocks) la gi the",
            ],
            "en": [
                "What is the [Imperial City](site:hue-imperial-city)?",
                "Tell me about [Mỹ Sơn Sanctuary](site:my-son-sanctuary)",
                "What's the history of the [Japanese Covered Bridge](site:japanese-covered-bridge-hoi-an)?",
                "Tell me something about the [Sa Huynh culture](site:sa-huynh-culture-site)",
                "what is special about [Ly Son island](site:ly-son-island)",
            ],
        },
        "ask_site_location": {
            "vi": [
                "[Lăng Minh Mạng](site:tomb-of-minh-mang) ở đâu?",
                "[Phật viện Đồng Dương](site:dong-duong-buddhist-monastery) nằm ở tỉnh nào?",
                "Địa chỉ [Khu chứng tích Sơn Mỹ](site:son-my-memorial) ở đâu vậy?",
                "[Điện Hòn Chén](site:hon-chen-temple) nằm chỗ nào?",
            ],
            "vi_plain": [
                "[my son](site:my-son-sanctuary) o dau",
                "[chua thien mu](site:thien-mu-pagoda) nam o dau vay",
                "[lang gia long](site:tomb-of-gia-long) o tinh nao",
                "dia chi [dan nam giao](site:nam-giao-esplanade) o dau a",
                "[am linh tu](site:am-linh-tu-ly-son) o dauu",
                "[dao ly son](site:ly-son-island) nam o dau",
            ],
            "en": [
                "Where is [Thiên Mụ Pagoda](site:thien-mu-pagoda)?",
                "Which province is [Hội An Ancient Town](site:hoi-an-ancient-town) in?",
                "where is the [Tomb of Khai Dinh](site:tomb-of-khai-dinh) located",
                "How do I find the [Son My memorial](site:son-my-memorial)?",
                "Where is the [Sa Huỳnh culture site](site:sa-huynh-culture-site)?",
            ],
        },
        "ask_site_recognition": {
            "vi": [
                "[Mỹ Sơn](site:my-son-sanctuary) được UNESCO công nhận năm nào?",
                "[Nhã nhạc cung đình Huế](site:nha-nhac-court-music) được công nhận năm nào?",
                "[Đô thị cổ Hội An](site:hoi-an-ancient-town) có phải di sản thế giới không?",
                "[Chùa Thiên Ấn](site:thien-an-pagoda) xếp hạng gì?",
                "[Di tích Khởi nghĩa Ba Tơ](site:ba-to-uprising-site) là di tích quốc gia đặc biệt từ năm nào?",
            ],
            "vi_plain": [
                "[hoang thanh hue](site:hue-imperial-city) duoc unesco cong nhan nam nao",
                "[chau ban trieu nguyen](site:nguyen-dynasty-royal-records) dc cong nhan khi nao",
                "[bai choi](site:bai-choi-central-vietnam) co phai di san unesco ko",
                "[van hoa sa huynh](site:sa-huynh-culture-site) xep hang gi",
                "[le khao le the linh hoang sa](site:hoang-sa-soldiers-commemoration-festival) duoc cong nhan nam may",
                "[dinh lang an vinh](site:an-vinh-communal-house) la di tich cap gi",
            ],
            "en": [
                "When was [Hội An](site:hoi-an-ancient-town) recognised by UNESCO?",
                "Is [Mỹ Sơn](site:my-son-sanctuary) a UNESCO World Heritage site?",
                "What rank does the [Trường Lũy](site:truong-luy-quang-ngai) wall have?",
                "When did the [Nguyen dynasty woodblocks](site:nguyen-dynasty-woodblocks) get UNESCO recognition?",
                "Is [Dong Duong Buddhist Monastery](site:dong-duong-buddhist-monastery) a special national relic?",
            ],
        },
        "ask_site_visiting": {
            "vi": [
                "[Đại Nội](site:hue-imperial-city) mở cửa lúc mấy giờ?",
                "Giá vé vào [lăng Tự Đức](site:tomb-of-tu-duc) bao nhiêu?",
                "Giờ mở cửa [Mỹ Sơn](site:my-son-sanctuary) thế nào?",
                "Vé tham quan [phố cổ Hội An](site:hoi-an-ancient-town) hết bao nhiêu tiền?",
            ],
            "vi_plain": [
                "[lang khai dinh](site:tomb-of-khai-dinh) mo cua may gio",
                "gia ve [dai noi](site:hue-imperial-city) bn vay",
                "[chua cau](site:japanese-covered-bridge-hoi-an) co ban ve ko",
                "vao [khu chung tich son my](site:son-my-memorial) co mat tien ve khong",
                "[lang minh mang](site:tomb-of-minh-mang) dong cua luc may gio",
                "gio mo cua [thanh dia my son](site:my-son-sanctuary) the nao",
            ],
            "en": [
                "What are the opening hours of the [Imperial City](site:hue-imperial-city)?",
                "How much is a ticket to [Mỹ Sơn](site:my-son-sanctuary)?",
                "Is [Thien Mu Pagoda](site:thien-mu-pagoda) open in the evening?",
                "ticket price for the [Tomb of Minh Mang](site:tomb-of-minh-mang)",
            ],
        },
        "list_sites": {
            "vi": [
                "Kể tên các di sản ở [Huế](province:thua-thien-hue)",
                "[Quảng Nam](province:quang-nam) có những di sản UNESCO nào?",
                "[Quảng Ngãi](province:quang-ngai) có những di tích nổi tiếng nào?",
                "Liệt kê các di tích quốc gia đặc biệt ở [Quảng Ngãi](province:quang-ngai)",
            ],
            "vi_plain": [
                "ke ten cac di san o [hue](province:thua-thien-hue)",
                "[quang nam](province:quang-nam) co nhung di tich nao",
                "o [quang ngai](province:quang-ngai) co di tich lich su nao dang di",
                "cac di san the gioi o [thua thien hue](province:thua-thien-hue) la nhung cai nao",
                "danh sach di tich [quang ngai](province:quang-ngai)",
                "liet ke di san van hoa cua [quang nam](province:quang-nam) giup minh",
            ],
            "en": [
                "List heritage sites in [Quảng Nam](province:quang-nam)",
                "Which UNESCO heritages does [Huế](province:thua-thien-hue) have?",
                "what historical sites are there in [Quang Ngai](province:quang-ngai)?",
                "Show me the heritage sites of [Thua Thien Hue](province:thua-thien-hue)",
            ],
        },
    },
    # ------------------------------------------------------------------------------------ tourism statistics
    "tourism_statistics": {
        "ask_tourism_stat": {
            "vi": [
                "[Quảng Ngãi](province:quang-ngai) đón bao nhiêu [lượt khách](metric:visitors) năm [2022](year)?",
                "[Doanh thu](metric:revenue) du lịch của [Quảng Ngãi](province:quang-ngai) năm [2022](year) là bao nhiêu?",
                "[Huế](province:thua-thien-hue) có bao nhiêu [di tích quốc gia đặc biệt](metric:special_national_relics)?",
                "Năm [2022](year) [Quảng Ngãi](province:quang-ngai) có bao nhiêu [khách quốc tế](metric:international_visitors)?",
                "[Thừa Thiên Huế](province:thua-thien-hue) có mấy [bảo vật quốc gia](metric:national_treasures)?",
                "[Quảng Ngãi](province:quang-ngai) đạt bao nhiêu [phần trăm kế hoạch](metric:visitors_plan_share)"
                " đón khách năm [2022](year)?",
            ],
            "vi_plain": [
                "[quang ngai](province:quang-ngai) don bao nhieu [khach](metric:visitors) nam [2022](year)",
                "[doanh thu](metric:revenue) du lich [quang ngai](province:quang-ngai) [2022](year) bao nhiu",
                "[hue](province:thua-thien-hue) co bao nhieu [di tich](metric:relics_inventoried)",
                "[khach nuoc ngoai](metric:international_visitors) den [quang ngai](province:quang-ngai)"
                " nam [2021](year) la bao nhieu",
                "[thua thien hue](province:thua-thien-hue) co bao nhieu [di tich cap tinh](metric:provincial_relics)",
                "so [di san phi vat the](metric:national_intangible_heritages) cap quoc gia cua"
                " [hue](province:thua-thien-hue)",
                "[hue](province:thua-thien-hue) co may [di san unesco](metric:unesco_heritages)",
                "[tt hue](province:thua-thien-hue) co bao nhieu [di tich cap quoc gia](metric:national_relics)",
            ],
            "en": [
                "How many [visitors](metric:visitors) did [Quảng Ngãi](province:quang-ngai) receive in [2022](year)?",
                "What was the tourism [revenue](metric:revenue) of [Quang Ngai](province:quang-ngai) in [2022](year)?",
                "How many [international visitors](metric:international_visitors) came to"
                " [Quảng Ngãi](province:quang-ngai) in [2022](year)?",
                "How many [national relics](metric:national_relics) does [Huế](province:thua-thien-hue) have?",
                "How many [UNESCO heritages](metric:unesco_heritages) does [Thua Thien Hue](province:thua-thien-hue) have?",
                "number of [foreign tourists](metric:international_visitors) in [Quang Nam](province:quang-nam)"
                " [2022](year)",
            ],
        },
        "ask_stat_chart": {
            "vi": [
                "So sánh [lượt khách](metric:visitors) [2021](year) và [2022](year) giúp tôi",
                "Cho xem biểu đồ [doanh thu du lịch](metric:revenue) [Quảng Ngãi](province:quang-ngai)",
                "Vẽ biểu đồ [khách quốc tế](metric:international_visitors) đến [Quảng Ngãi](province:quang-ngai)"
                " qua các năm",
            ],
            "vi_plain": [
                "cho minh xem so sanh [luot khach](metric:visitors) giua [2021](year) va [2022](year) o"
                " [quang ngai](province:quang-ngai)",
                "co bieu do nao ve [luot du khach](metric:visitors) den [quang ngai](province:quang-ngai) khong",
                "ve do thi [doanh thu](metric:revenue) nam [2021](year) voi [2022](year)",
            ],
            "en": [
                "I'd like a chart of the [number of tourists](metric:visitors) in [Quang Ngai](province:quang-ngai)",
                "Compare [tourism revenue](metric:revenue) in [2021](year) and [2022](year)",
                "Can I see a graph of [international visitors](metric:international_visitors) by year?",
            ],
        },
    },
    # --------------------------------------------------------------------------------------- public services
    "public_services": {
        "ask_service_howto": {
            "vi": [
                "[Đăng ký khai sinh](service:birth-registration-combo) trực tuyến thế nào?",
                "Làm [hộ chiếu](service:passport-application) online ở cổng nào?",
                "Hướng dẫn tôi [đăng ký tạm trú](service:temporary-residence-registration) trên điện thoại",
                "Nộp hồ sơ [đăng ký kết hôn](service:marriage-registration) online ở đâu?",
                "Các bước [cấp lại thẻ bảo hiểm y tế](service:health-insurance-card-reissue) qua mạng",
            ],
            "vi_plain": [
                "lam [giay khai sinh](service:birth-registration-combo) online nhu the nao",
                "[dang ky tam tru](service:temporary-residence-registration) tren vneid lam sao",
                "muon [nop phat giao thong](service:traffic-fine-payment) online thi lam o dau",
                "cach [dang ky thuong tru](service:permanent-residence-registration) qua mang",
                "huong dan [doi bang lai xe](service:driving-licence-renewal) truc tuyen",
                "lam sao [phan anh hien truong](service:hue-s-scene-report) o [hue](province:thua-thien-hue)",
            ],
            "en": [
                "How do I [register a birth](service:birth-registration-combo) online?",
                "Which portal do I use to [apply for a passport](service:passport-application)?",
                "Steps to [register a company](service:enterprise-registration) online",
                "how can I [pay my electricity bill](service:electricity-bill-payment) online",
                "How do I get a [judicial record certificate](service:judicial-record-certificate) on VNeID?",
            ],
        },
        "ask_service_documents": {
            "vi": [
                "[Đăng ký kết hôn](service:marriage-registration) cần giấy tờ gì?",
                "Hồ sơ [cấp giấy phép xây dựng](service:construction-permit) gồm những gì?",
                "Làm [hộ chiếu](service:passport-application) online cần chuẩn bị những gì?",
                "[Đăng ký cấp điện mới](service:new-electricity-connection) cần những giấy tờ nào?",
            ],
            "vi_plain": [
                "[dang ky tam tru](service:temporary-residence-registration) can giay to gi",
                "ho so [tro cap that nghiep](service:unemployment-benefit) gom nhung gi",
                "lam [khai sinh](service:birth-registration-combo) can mang theo gi",
                "[dang ky xe may moi](service:vehicle-first-registration) can giay to j",
                "can nhung giay to gi de [doi bang lai](service:driving-licence-renewal)",
                "[lam ho chieu](service:passport-application) can nhung giay to nao",
            ],
            "en": [
                "What documents do I need for [marriage registration](service:marriage-registration)?",
                "What papers are required to [register temporary residence](service:temporary-residence-registration)?",
                "documents needed for a [building permit](service:construction-permit)",
                "What do I need to prepare for a [VNeID level 2](service:vneid-level-2-account) account?",
            ],
        },
        "ask_service_fee": {
            "vi": [
                "[Lý lịch tư pháp](service:judicial-record-certificate) lệ phí bao nhiêu?",
                "[Đăng ký doanh nghiệp](service:enterprise-registration) qua mạng có mất phí không?",
                "Làm [hộ chiếu](service:passport-application) hết bao nhiêu tiền?",
                "[Đổi thẻ căn cước](service:citizen-id-card-renewal) có tốn phí không?",
            ],
            "vi_plain": [
                "le phi [ly lich tu phap](service:judicial-record-certificate) bao nhieu",
                "[dang ky ket hon](service:marriage-registration) co mat phi ko",
                "[cap dien moi](service:new-electricity-connection) ton bao nhieu tien",
                "[doi cccd](service:citizen-id-card-renewal) co mien phi khong",
                "phi [lam ho chieu](service:passport-application) la bao nhieu vay",
                "[dang ky thuong tru](service:permanent-residence-registration) co phai dong le phi k",
            ],
            "en": [
                "How much does a [judicial record certificate](service:judicial-record-certificate) cost?",
                "Is [online business registration](service:enterprise-registration) free?",
                "What is the fee to [renew my ID card](service:citizen-id-card-renewal)?",
                "how much is the [passport](service:passport-application) fee",
            ],
        },
        "ask_service_time": {
            "vi": [
                "[Đăng ký khai sinh](service:birth-registration-combo) mất bao lâu?",
                "Làm [hộ chiếu](service:passport-application) bao nhiêu ngày thì có?",
                "[Cấp đổi căn cước](service:citizen-id-card-renewal) qua VNeID mấy ngày có kết quả?",
                "[Lý lịch tư pháp](service:judicial-record-certificate) làm trong bao lâu?",
            ],
            "vi_plain": [
                "[cap dien moi](service:new-electricity-connection) mat bao lau",
                "lam [ly lich tu phap](service:judicial-record-certificate) bao nhieu ngay thi co",
                "[ho chieu](service:passport-application) bao lau thi nhan dc",
                "[khai sinh](service:birth-registration-combo) online may ngay co ket qua",
                "[doi can cuoc](service:citizen-id-card-renewal) mat bao lau vay",
                "[dang ky xe](service:vehicle-first-registration) online bao lau thi xong",
            ],
            "en": [
                "How long does [birth registration](service:birth-registration-combo) take?",
                "How many days until I get my [passport](service:passport-application)?",
                "how long does a [new electricity connection](service:new-electricity-connection) take",
                "Processing time for a [criminal record certificate](service:judicial-record-certificate)?",
            ],
        },
        "ask_service_help": {
            "vi": [
                "Ai có thể giúp tôi [đăng ký khai sinh](service:birth-registration-combo) online?",
                "Tổ công nghệ số cộng đồng có hỗ trợ làm [tạm trú](service:temporary-residence-registration) không?",
                "Gọi số nào để hỏi về [tiền điện](service:electricity-bill-payment)?",
                "Ở [Huế](province:thua-thien-hue) tôi nhờ ai hướng dẫn làm dịch vụ công?",
            ],
            "vi_plain": [
                "ai ho tro toi lam [ho chieu](service:passport-application) online",
                "so hotline ho tro dich vu cong o [hue](province:thua-thien-hue) la gi",
                "o [quang ngai](province:quang-ngai) ai giup nguoi dan lam thu tuc truc tuyen",
                "toi ko biet dung may tinh, ai giup toi [dang ky thuong tru](service:permanent-residence-registration)",
                "goi so nao de hoi ve [cap dien moi](service:new-electricity-connection)",
                "co ai huong dan lam [ly lich tu phap](service:judicial-record-certificate) tren vneid khong",
            ],
            "en": [
                "Who can help me [register a birth](service:birth-registration-combo) online?",
                "Is there a hotline for public services in [Huế](province:thua-thien-hue)?",
                "who can help me with the [temporary residence](service:temporary-residence-registration) registration",
                "Where can I get help with online procedures in [Quang Ngai](province:quang-ngai)?",
            ],
        },
    },
    # ------------------------------------------------------------------------------------------------- events
    "events": {
        "ask_event_date": {
            "vi": [
                "[Tuần lễ Chuyển đổi số Quảng Ngãi 2023](event:qng-2023-dx-week) diễn ra khi nào?",
                "[Ngày Chuyển đổi số quốc gia](event:national-dx-day) là ngày nào?",
                "[Tuần lễ Chuyển đổi số Huế 2022](event:hue-2022-dx-week) khai mạc ngày nào?",
                "[Hội thảo Chuyển đổi số vì cuộc sống tốt đẹp hơn](event:qng-2022-10-07-workshop) tổ chức hôm nào?",
            ],
            "vi_plain": [
                "[tuan le chuyen doi so hue](event:hue-2022-dx-week) dien ra khi nao",
                "[ngay chuyen doi so quoc gia](event:national-dx-day) la ngay may",
                "[tuan le cds quang ngai](event:qng-2023-dx-week) to chuc ngay nao",
                "[hoi thao chuyen doi so quang nam](event:qnam-2022-10-10-workshop) dien ra hom nao",
                "khi nao thi co [tuan le chuyen doi so quang ngai 2023](event:qng-2023-dx-week)",
                "[tuan le chuyen doi so hue 2022](event:hue-2022-dx-week) bat dau ngay bao nhieu",
            ],
            "en": [
                "When is [National Digital Transformation Day](event:national-dx-day)?",
                "When was the [Huế Digital Transformation Week](event:hue-2022-dx-week)?",
                "what dates did the [Quang Ngai DX week 2023](event:qng-2023-dx-week) run",
                "When was the [Quảng Nam smart city workshop](event:qnam-2022-10-10-workshop) held?",
            ],
        },
        "ask_event_theme": {
            "vi": [
                "Chủ đề của [Tuần lễ Chuyển đổi số Quảng Ngãi 2023](event:qng-2023-dx-week) là gì?",
                "[Tuần lễ Chuyển đổi số - Huế 2022](event:hue-2022-dx-week) có chủ đề gì?",
                "Thông điệp của [Ngày Chuyển đổi số quốc gia](event:national-dx-day) năm [2022](year) là gì?",
                "Chủ đề [hội thảo chuyển đổi số Quảng Nam 2022](event:qnam-2022-10-10-workshop) là gì?",
            ],
            "vi_plain": [
                "chu de [tuan le chuyen doi so hue 2022](event:hue-2022-dx-week) la gi",
                "[ngay chuyen doi so quoc gia](event:national-dx-day) co chu de gi",
                "chu de cua [tuan le cds quang ngai](event:qng-2023-dx-week)",
                "[hoi thao chuyen doi so quang ngai 2022](event:qng-2022-10-07-workshop) co chu de gi",
                "tuan le nay chu de la gi",
                "khau hieu cua [tuan le chuyen doi so quang ngai](event:qng-2023-dx-week) la gi vay",
            ],
            "en": [
                "What is the theme of the [Quảng Ngãi Digital Transformation Week](event:qng-2023-dx-week)?",
                "What was the theme of [Huế DX week 2022](event:hue-2022-dx-week)?",
                "theme of [National Digital Transformation Day](event:national-dx-day)?",
                "What was the topic of the [Quang Nam digital transformation workshop 2022](event:qnam-2022-10-10-workshop)?",
            ],
        },
        "ask_event_organiser": {
            "vi": [
                "Ai tổ chức [Tuần lễ Chuyển đổi số Quảng Ngãi 2023](event:qng-2023-dx-week)?",
                "Đơn vị tổ chức [Tuần lễ Chuyển đổi số Huế 2022](event:hue-2022-dx-week) là ai?",
                "[Hội thảo chuyển đổi số Quảng Nam 2022](event:qnam-2022-10-10-workshop) do ai tổ chức?",
                "Ai chủ trì [hội thảo chuyển đổi số Quảng Ngãi 2022](event:qng-2022-10-07-workshop)?",
            ],
            "vi_plain": [
                "ai to chuc [tuan le chuyen doi so hue](event:hue-2022-dx-week)",
                "don vi to chuc [tuan le cds quang ngai 2023](event:qng-2023-dx-week) la ai",
                "[hoi thao do thi thong minh quang nam](event:qnam-2022-10-10-workshop) do ai to chuc",
                "ai dung ra to chuc [tuan le chuyen doi so quang ngai](event:qng-2023-dx-week) vay",
                "ai bao tro [tuan le chuyen doi so quang ngai 2023](event:qng-2023-dx-week)",
                "[hoi thao chuyen doi so vi cuoc song tot dep hon](event:qng-2022-10-07-workshop) ai chu tri",
            ],
            "en": [
                "Who organised the [Huế Digital Transformation Week 2022](event:hue-2022-dx-week)?",
                "Who is the organiser of the [Quảng Ngãi DX week](event:qng-2023-dx-week)?",
                "who ran the [Quang Nam smart city workshop](event:qnam-2022-10-10-workshop)",
                "Which organisations hosted the [Quang Ngai Digital Transformation Week 2023](event:qng-2023-dx-week)?",
            ],
        },
        "ask_event_figures": {
            "vi": [
                "[Tuần lễ Chuyển đổi số Huế 2022](event:hue-2022-dx-week) có bao nhiêu gian hàng?",
                "[Tuần lễ Chuyển đổi số Quảng Ngãi 2023](event:qng-2023-dx-week) có bao nhiêu diễn giả?",
                "Bao nhiêu đại biểu dự [hội thảo chuyển đổi số Quảng Nam 2022](event:qnam-2022-10-10-workshop)?",
                "Tại [Tuần lễ Chuyển đổi số Huế](event:hue-2022-dx-week) ký kết bao nhiêu thỏa thuận?",
            ],
            "vi_plain": [
                "[tuan le chuyen doi so hue 2022](event:hue-2022-dx-week) co bao nhieu gian hang",
                "[tuan le cds quang ngai](event:qng-2023-dx-week) co may phien hoi thao",
                "bao nhieu nguoi du [hoi thao chuyen doi so quang ngai 2022](event:qng-2022-10-07-workshop)",
                "[tuan le chuyen doi so hue](event:hue-2022-dx-week) ky bao nhieu bien ban hop tac",
                "co bao nhieu dai bieu tham du [tuan le chuyen doi so quang ngai 2023](event:qng-2023-dx-week)",
                "[hoi thao do thi thong minh quang nam](event:qnam-2022-10-10-workshop) co bao nhieu tham luan",
            ],
            "en": [
                "How many booths were at the [Huế Digital Transformation Week](event:hue-2022-dx-week)?",
                "How many speakers did the [Quảng Ngãi DX week 2023](event:qng-2023-dx-week) have?",
                "how many agreements were signed at [Hue DX week 2022](event:hue-2022-dx-week)",
                "How many people attended the [Quang Nam smart city workshop](event:qnam-2022-10-10-workshop)?",
            ],
        },
        "ask_event_info": {
            "vi": [
                "[Tuần lễ Chuyển đổi số Quảng Ngãi 2023](event:qng-2023-dx-week) có gì?",
                "Cho tôi biết về [Tuần lễ Chuyển đổi số - Huế 2022](event:hue-2022-dx-week)",
                "[Ngày Chuyển đổi số quốc gia](event:national-dx-day) là sự kiện gì?",
                "Giới thiệu [hội thảo kiến trúc ICT đô thị thông minh Quảng Nam](event:qnam-2022-10-10-workshop)",
            ],
            "vi_plain": [
                "[tuan le chuyen doi so quang ngai](event:qng-2023-dx-week) co gi hay",
                "ke ve [tuan le chuyen doi so hue 2022](event:hue-2022-dx-week) di",
                "[ngay chuyen doi so quoc gia](event:national-dx-day) la gi",
                "thong tin ve [hoi thao chuyen doi so vi cuoc song tot dep hon](event:qng-2022-10-07-workshop)",
                "[bao cao ngay chuyen doi so quoc gia 2022 quang ngai](event:qng-2022-ndtd-report) noi gi",
                "[hoi thao chuyen doi so quang nam 2022](event:qnam-2022-10-10-workshop) ban ve nhung gi",
            ],
            "en": [
                "Tell me about the [Quảng Ngãi Digital Transformation Week 2023](event:qng-2023-dx-week)",
                "What is [National Digital Transformation Day](event:national-dx-day)?",
                "what happened at the [Huế DX week 2022](event:hue-2022-dx-week)?",
                "Give me information on the [Quang Nam digital transformation workshop 2022](event:qnam-2022-10-10-workshop)",
            ],
        },
        "list_events": {
            "vi": [
                "Có những sự kiện chuyển đổi số nào?",
                "Các sự kiện chuyển đổi số ở [Quảng Ngãi](province:quang-ngai)",
                "Sắp tới có sự kiện chuyển đổi số nào không?",
                "[Huế](province:thua-thien-hue) đã tổ chức những sự kiện chuyển đổi số gì?",
            ],
            "vi_plain": [
                "co su kien chuyen doi so nao sap toi ko",
                "cac su kien chuyen doi so o [quang nam](province:quang-nam)",
                "liet ke cac hoi thao chuyen doi so nam [2022](year)",
                "[quang ngai](province:quang-ngai) co nhung su kien cds nao",
                "danh sach su kien chuyen doi so",
                "nam [2023](year) co hoi thao hay tuan le chuyen doi so nao",
            ],
            "en": [
                "Which digital transformation events are there?",
                "List the digital transformation events in [Huế](province:thua-thien-hue)",
                "any upcoming digital transformation events?",
                "What DX events took place in [2022](year)?",
            ],
        },
    },
    # -------------------------------------------------------------------------------- digital transformation
    "digital_transformation": {
        "ask_dti_rank": {
            "vi": [
                "Chỉ số chuyển đổi số DTI của [Quảng Ngãi](province:quang-ngai) năm [2022](year) xếp thứ mấy?",
                "[Huế](province:thua-thien-hue) xếp hạng bao nhiêu về chuyển đổi số năm [2021](year)?",
                "[Quảng Nam](province:quang-nam) đứng thứ mấy về DTI?",
                "[Chính quyền số](pillar:digital_government) của [Quảng Ngãi](province:quang-ngai) xếp thứ mấy"
                " năm [2022](year)?",
                "DTI [Quảng Ngãi](province:quang-ngai) tăng bao nhiêu bậc?",
            ],
            "vi_plain": [
                "dti [quang ngai](province:quang-ngai) [2022](year) xep thu may",
                "chi so chuyen doi so cua [hue](province:thua-thien-hue) dung thu bao nhieu",
                "[kinh te so](pillar:digital_economy) [quang ngai](province:quang-ngai) xep hang may",
                "[quang nam](province:quang-nam) xep thu may ve chuyen doi so nam [2021](year)",
                "[xa hoi so](pillar:digital_society) cua [quang ngai](province:quang-ngai) dung thu may",
                "xep hang dti [tong the](pillar:overall) cua [thua thien hue](province:thua-thien-hue)"
                " nam [2020](year)",
                "[quang ngai](province:quang-ngai) nam [2021](year) dti dung thu bn",
            ],
            "en": [
                "What is the DTI ranking of [Quảng Ngãi](province:quang-ngai) in [2022](year)?",
                "How did [Hue](province:thua-thien-hue) rank in the digital transformation index in [2021](year)?",
                "[Quang Nam](province:quang-nam) DTI rank",
                "What was [Quang Ngai](province:quang-ngai) ranked for [digital government](pillar:digital_government)?",
                "digital transformation index ranking of [Thua Thien Hue](province:thua-thien-hue) [2020](year)",
            ],
        },
        "ask_dt_info": {
            "vi": [
                "[Quảng Ngãi](province:quang-ngai) có bao nhiêu tổ công nghệ số cộng đồng?",
                "Mục tiêu chuyển đổi số của [Quảng Ngãi](province:quang-ngai) đến năm [2025](year) là gì?",
                "Kế hoạch 119 của [Quảng Ngãi](province:quang-ngai) ban hành khi nào?",
                "Quyết định 505/QĐ-TTg nói về gì?",
                "[Quảng Ngãi](province:quang-ngai) có bao nhiêu dịch vụ công trực tuyến mức độ 3, 4?",
                "Các lĩnh vực ưu tiên chuyển đổi số của [Quảng Ngãi](province:quang-ngai) là gì?",
            ],
            "vi_plain": [
                "[quang ngai](province:quang-ngai) co bao nhieu to cong nghe so cong dong",
                "to cong nghe so cong dong [quang ngai](province:quang-ngai) co bao nhieu thanh vien",
                "kinh phi cac du an chuyen doi so [quang ngai](province:quang-ngai) la bao nhieu",
                "trang web chuyen doi so cua [quang ngai](province:quang-ngai) la gi",
                "[quang ngai](province:quang-ngai) co may trung tam du lieu",
                "[kinh te so](pillar:digital_economy) chiem bao nhieu phan tram grdp"
                " [quang ngai](province:quang-ngai) theo muc tieu",
                "nang luc khai thac du lieu cua [hue](province:thua-thien-hue) dc bao nhieu",
            ],
            "en": [
                "How many community digital technology teams does [Quảng Ngãi](province:quang-ngai) have?",
                "What are the digital transformation targets of [Quang Ngai](province:quang-ngai)?",
                "What is Decision 505/QĐ-TTg about?",
                "How many digital signatures has [Quảng Ngãi](province:quang-ngai) issued?",
                "Does [Quang Ngai](province:quang-ngai) have an IOC centre?",
                "what is the website for digital transformation in [Quang Ngai](province:quang-ngai)",
            ],
        },
    },
    # ------------------------------------------------------------------------------------------------ context
    "context": {
        "inform": {
            "vi": [
                "Còn [Huế](province:thua-thien-hue) thì sao?",
                "[Quảng Ngãi](province:quang-ngai)",
                "năm [2021](year)",
                "còn [khách quốc tế](metric:international_visitors) thì sao?",
                "và [doanh thu](metric:revenue)?",
                "[kinh tế số](pillar:digital_economy) thì sao?",
                "Còn [lăng Tự Đức](site:tomb-of-tu-duc)?",
            ],
            "vi_plain": [
                "con [quang nam](province:quang-nam) thi sao",
                "[2022](year)",
                "[hue](province:thua-thien-hue)",
                "con nam [2020](year)",
                "the con [xa hoi so](pillar:digital_society)",
                "con [ho chieu](service:passport-application) thi sao",
                "[khach quoc te](metric:international_visitors) thi sao",
                "vay con [quang ngai](province:quang-ngai)",
            ],
            "en": [
                "what about [Quảng Nam](province:quang-nam)?",
                "in [2021](year)?",
                "And [revenue](metric:revenue)?",
                "what about [digital government](pillar:digital_government)?",
                "and for [Huế](province:thua-thien-hue)?",
                "What about the [Huế DX week](event:hue-2022-dx-week)?",
            ],
        },
    },
    # ---------------------------------------------------------------------------------------------- chit-chat
    "chitchat": {
        "greet": {
            "vi": ["Xin chào", "Chào bạn nhé", "Chào buổi sáng", "Alo, có ai ở đó không?"],
            "vi_plain": ["xin chao", "chao ban", "chao bot oi", "hello ban oi", "chao em", "xin chao tro ly"],
            "en": ["hello", "hi there", "good morning", "hey"],
        },
        "goodbye": {
            "vi": ["Tạm biệt", "Chào nhé, hẹn gặp lại", "Thôi mình đi đây", "Hẹn gặp lại bạn sau"],
            "vi_plain": [
                "tam biet",
                "bye ban nhe",
                "hen gap lai",
                "thoi toi di day",
                "chao nhe hen gap lai sau",
                "tam biet nha",
            ],
            "en": ["goodbye", "bye bye", "see you later", "have a nice day, bye"],
        },
        "thanks": {
            "vi": ["Cảm ơn bạn", "Cảm ơn nhiều nhé", "Tuyệt vời, cảm ơn", "Cám ơn bạn đã giúp"],
            "vi_plain": [
                "cam on",
                "cam on ban nhieu",
                "thanks ban nhe",
                "camon nha",
                "cam on nhe, huu ich lam",
                "cam on tro ly",
            ],
            "en": ["thank you", "thanks a lot", "thanks, that helps", "great, thank you so much"],
        },
        "help": {
            "vi": [
                "Bạn giúp được gì cho tôi?",
                "Bạn có thể làm gì?",
                "Hướng dẫn sử dụng",
                "Tôi có thể hỏi những gì?",
            ],
            "vi_plain": [
                "ban giup dc gi",
                "ban lam duoc nhung gi",
                "toi co the hoi gi",
                "huong dan su dung bot",
                "giup toi voi",
                "bot nay tra loi duoc nhung gi",
            ],
            "en": ["what can you do?", "help", "How can you help me?", "what kind of questions can I ask"],
        },
        "bot_challenge": {
            "vi": [
                "Bạn là người hay máy?",
                "Bạn có phải robot không?",
                "Tôi đang nói chuyện với người thật à?",
                "Bạn là ai?",
            ],
            "vi_plain": [
                "ban la nguoi hay may",
                "ban la bot a",
                "dang noi chuyen voi nguoi that ha",
                "ban co phai nguoi that ko",
                "ban la ai vay",
                "may tra loi tu dong ha",
            ],
            "en": ["are you a bot?", "Am I talking to a human?", "are you a real person", "Is this a robot?"],
        },
        "out_of_scope": {
            "vi": [
                "Đặt giúp tôi phòng khách sạn ở [Huế](province:thua-thien-hue)",
                "Thời tiết [Quảng Ngãi](province:quang-ngai) ngày mai thế nào?",
                "Giá vàng hôm nay bao nhiêu?",
                "Kể chuyện cười đi",
            ],
            "vi_plain": [
                "dat ve may bay ra [hue](province:thua-thien-hue) giup toi",
                "thoi tiet [quang nam](province:quang-nam) hom nay",
                "ty so tran bong da toi qua",
                "quan an ngon o [quang ngai](province:quang-ngai)",
                "cho toi cong thuc nau bun bo",
                "goi taxi giup minh",
            ],
            "en": [
                "Book me a hotel in [Quảng Nam](province:quang-nam)",
                "What's the weather like in [Hue](province:thua-thien-hue) tomorrow?",
                "who won the football match last night",
                "Can you order a taxi for me?",
            ],
        },
        "choose_topic": {
            "vi": [
                "[Di sản](topic:heritage)",
                "Tôi muốn hỏi về [dịch vụ công trực tuyến](topic:public_services)",
                "[Thống kê du lịch](topic:tourism_statistics)",
                "Chủ đề [chuyển đổi số](topic:digital_transformation)",
            ],
            "vi_plain": [
                "[di san di tich](topic:heritage)",
                "[dich vu cong](topic:public_services)",
                "[thong ke du lich](topic:tourism_statistics)",
                "[chuyen doi so](topic:digital_transformation)",
                "toi muon hoi ve [di san](topic:heritage)",
                "chon chu de [so lieu du lich](topic:tourism_statistics)",
            ],
            "en": [
                "[Heritage sites](topic:heritage)",
                "[public services](topic:public_services) please",
                "[Tourism statistics](topic:tourism_statistics)",
                "I want to ask about [digital transformation](topic:digital_transformation)",
            ],
        },
    },
}

ENTITY = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<entity>[^:)]+)(?::(?P<value>[^)]+))?\)")
ENTITY_TYPES = ("province", "site", "service", "event", "metric", "pillar", "year", "topic")
METRICS = (
    "visitors international_visitors revenue visitors_plan_share relics_inventoried special_national_relics"
    " national_relics provincial_relics national_intangible_heritages national_treasures unesco_heritages"
).split()
PILLARS = ("overall", "digital_government", "digital_economy", "digital_society")
TOPICS = ("heritage", "tourism_statistics", "public_services", "digital_transformation")
ENTITY_FILES = {
    "province": "provinces.yml",
    "site": "heritage_sites.yml",
    "service": "public_services.yml",
    "event": "events.yml",
}


def plain(example: str) -> str:
    """The text a user types: the example without entity markup."""
    return ENTITY.sub(lambda m: m.group("text"), example)


def strip_topic(example: str) -> str:
    """The example without its `topic` annotations (when ANNOTATE_TOPIC is off)."""
    return ENTITY.sub(lambda m: m.group("text") if m.group("entity") == "topic" else m.group(0), example)


def has_marks(text: str) -> bool:
    """True when `text` carries Vietnamese diacritics (the rule of assistant/text.py)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from assistant.text import has_vietnamese_marks

    return has_vietnamese_marks(text)


def render(intents: dict[str, Block]) -> str:
    """One topic's intents as a Rasa 3 NLU YAML document."""
    lines = ['version: "3.1"', "nlu:"]
    for intent, block in intents.items():
        lines += [f"- intent: {intent}", "  examples: |"]
        for language in LANGUAGES:
            for example in block.get(language, []):
                text = example if ANNOTATE_TOPIC else strip_topic(example)
                lines.append(f"    - {text}")
    return "\n".join(lines) + "\n"


def write() -> None:
    """Write tests/nlu_test/<topic>.yml and languages.yml from DATA."""
    languages: dict[str, str] = {}
    for topic, intents in DATA.items():
        (HERE / f"{topic}.yml").write_text(render(intents), encoding="utf-8")
        for block in intents.values():
            for language in LANGUAGES:
                for example in block.get(language, []):
                    languages[plain(example)] = language
    header = "# Language of each test utterance (text without entity markup): vi | vi_plain | en. Built by build.py.\n"
    body = yaml.safe_dump(languages, allow_unicode=True, sort_keys=False, width=200)
    (HERE / "languages.yml").write_text(header + body, encoding="utf-8")


def knowledge_ids() -> dict[str, set[str]]:
    """The ids of each knowledge file, by file name."""
    ids: dict[str, set[str]] = {}
    for path in sorted(KNOWLEDGE.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        ids[path.name] = {str(entry["id"]) for entry in data.get("entries", [])}
    return ids


def check_entity(name: str, value: str | None, text: str, ids: dict[str, set[str]]) -> list[str]:
    """Problems with one annotation."""
    if name not in ENTITY_TYPES:
        return [f"unknown entity type {name!r}"]
    if name == "year":
        return [] if value is None and re.fullmatch(r"\d{4}", text) else [f"bad year annotation {text!r}"]
    if value is None:
        return [f"{name} {text!r} has no explicit value"]
    allowed: set[str] | tuple[str, ...]
    if name == "metric":
        allowed = tuple(METRICS)
    elif name == "pillar":
        allowed = PILLARS
    elif name == "topic":
        allowed = TOPICS
    else:
        allowed = ids[ENTITY_FILES[name]] - {"national"}
    return [] if value in allowed else [f"{name} value {value!r} is not a known id"]


def check_nlu() -> list[str]:
    """Check the written NLU files and the sidecar; print counts and percentages; return the problems."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    problems: list[str] = []
    ids = knowledge_ids()
    sidecar = yaml.safe_load((HERE / "languages.yml").read_text(encoding="utf-8"))
    per_intent: Counter[str] = Counter()
    per_language: Counter[str] = Counter()
    seen: dict[str, str] = {}
    for topic in DATA:
        path = HERE / f"{topic}.yml"
        training = RasaYAMLReader().read(path)
        for message in training.intent_examples:
            text, intent = message.get("text"), message.get("intent")
            per_intent[intent] += 1
            if text in seen:
                problems.append(f"duplicate utterance {text!r} ({seen[text]}, {intent})")
            seen[text] = intent
            language = sidecar.get(text)
            if language not in LANGUAGES:
                problems.append(f"{path.name}: no language for {text!r}")
                continue
            per_language[language] += 1
            if language == "vi" and not has_marks(text):
                problems.append(f"vi without diacritics: {text!r}")
            if language == "vi_plain" and has_marks(text):
                problems.append(f"vi_plain with diacritics: {text!r}")
        raw = path.read_text(encoding="utf-8")
        for match in ENTITY.finditer(raw):
            problems += [
                f"{path.name}: {p}"
                for p in check_entity(match.group("entity"), match.group("value"), match.group("text"), ids)
            ]
    if set(sidecar) != set(seen):
        problems.append(f"sidecar and files differ: {sorted(set(sidecar) ^ set(seen))[:5]}")
    total = sum(per_intent.values())
    print(f"NLU test set: {total} utterances, {len(per_intent)} intents")
    for intent, count in sorted(per_intent.items()):
        print(f"  {intent:24} {count}")
        if count < 8:
            problems.append(f"intent {intent} has only {count} examples")
    for language in LANGUAGES:
        print(
            f"  language {language:9} {per_language[language]:4}  {100 * per_language[language] / total:.1f}%"
        )
    if per_language["vi_plain"] < 0.35 * total or per_language["en"] < 0.25 * total or total < 330:
        problems.append("NLU quota not met (330 utterances, 35% vi_plain, 25% en)")
    return problems


def leaves(node: Any) -> list[str]:
    """Every string and number inside a knowledge entry."""
    if isinstance(node, dict):
        return [s for value in node.values() for s in leaves(value)]
    if isinstance(node, list):
        return [s for value in node for s in leaves(value)]
    return [str(node)]


def norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def renderings(entry: dict[str, Any]) -> str:
    """The entry's text plus its numbers and dates written the way answers write them (vi and en)."""
    parts = leaves(entry)
    for value in parts[:]:
        if re.fullmatch(r"\d+(\.\d+)?", value):
            number = float(value)
            if number.is_integer():
                parts += [f"{int(number):,}".replace(",", "."), f"{int(number):,}"]
            else:
                parts += [f"{number:,}".replace(".", "#").replace(",", ".").replace("#", ","), f"{number:,}"]
        date = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        if date:
            year, month, day = date.groups()
            parts += [f"{day}/{month}/{year}", f"{year}-{month}-{day}"]
    return norm("\n".join(parts))


QUESTION_TOPICS = (
    "heritage",
    "tourism_statistics",
    "public_services",
    "events",
    "digital_transformation",
    "chitchat",
    "unknown",
)
QUESTION_FIELDS = {
    "id",
    "topic",
    "language",
    "before",
    "question",
    "must_contain",
    "must_not_contain",
    "expect",
    "entry",
}


def load_entries() -> dict[str, dict[str, Any]]:
    """Every knowledge entry, by id."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(KNOWLEDGE.glob("*.yml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries", []):
            entries[str(entry["id"])] = entry
    return entries


def question_problems(q: dict[str, Any], entries: dict[str, dict[str, Any]]) -> list[str]:
    """Problems with one answer-set question; every must_contain string must be found in its entries."""
    qid = q.get("id")
    problems: list[str] = []
    if set(q) - QUESTION_FIELDS:
        problems.append(f"{qid}: unknown fields {set(q) - QUESTION_FIELDS}")
    if q.get("topic") not in QUESTION_TOPICS or q.get("language") not in LANGUAGES:
        problems.append(f"{qid}: bad topic or language")
    if ("must_contain" in q) == ("expect" in q):
        problems.append(f"{qid}: needs exactly one of must_contain / expect")
    if q.get("expect") not in (None, "no_data", "out_of_scope", "asks"):
        problems.append(f"{qid}: bad expect {q.get('expect')!r}")
    for text in [q["question"], *q.get("before", [])]:
        marked = has_marks(text)
        if (q["language"] == "vi" and not marked) or (q["language"] == "vi_plain" and marked):
            problems.append(f"{qid}: language {q['language']} does not fit {text!r}")
    wanted = q.get("entry")
    entry_ids = [] if wanted is None else [wanted] if isinstance(wanted, str) else list(wanted)
    if q.get("must_contain") and not entry_ids:
        problems.append(f"{qid}: must_contain without entry")
    problems += [f"{qid}: unknown entry {e!r}" for e in entry_ids if e not in entries]
    known = "\n".join(renderings(entries[e]) for e in entry_ids if e in entries)
    problems += [
        f"{qid}: {fact!r} not found in entry {entry_ids}"
        for fact in q.get("must_contain", [])
        if norm(str(fact)) not in known
    ]
    return problems


def print_question_counts(questions: list[dict[str, Any]]) -> list[str]:
    """Print the answer set's counts per topic, language and expectation; return unmet quotas."""
    by_topic = Counter(q["topic"] for q in questions)
    by_language = Counter(q["language"] for q in questions)
    by_topic_language = Counter((q["topic"], q["language"]) for q in questions)
    by_expect = Counter(q.get("expect", "must_contain") for q in questions)
    total = len(questions)
    print(f"\nAnswer set: {total} questions, {sum(1 for q in questions if q.get('before'))} follow-ups")
    for topic in QUESTION_TOPICS:
        row = "  ".join(f"{lang} {by_topic_language[(topic, lang)]:2}" for lang in LANGUAGES)
        print(f"  {topic:24} {by_topic[topic]:3}   {row}")
    for language in LANGUAGES:
        share = 100 * by_language[language] / total
        print(f"  language {language:9} {by_language[language]:4}  {share:.1f}%")
    for expect, count in sorted(by_expect.items()):
        print(f"  expect {expect:14} {count}")
    problems = []
    if total < 170 or any(by_topic[t] < 30 for t in QUESTION_TOPICS[:5]):
        problems.append("answer-set quota not met (170 questions, 30 per topic)")
    if by_language["vi_plain"] < 0.25 * total or by_language["en"] < 0.25 * total:
        problems.append("answer-set language quota not met (25% vi_plain, 25% en)")
    return problems


def check_questions() -> list[str]:
    """Check tests/answer_eval/questions.yml; print its counts; return the problems."""
    entries = load_entries()
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    ids = Counter(q.get("id") for q in questions)
    problems = [f"duplicate id {qid}" for qid, n in ids.items() if n > 1]
    for q in questions:
        problems += question_problems(q, entries)
    return problems + print_question_counts(questions)


def main() -> int:
    if "--check" not in sys.argv:
        write()
    problems = check_nlu()
    if QUESTIONS.exists():
        problems += check_questions()
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
