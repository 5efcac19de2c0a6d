"""Statistics charts: which figures a chart shows, the answer around it, and the PNG itself."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from assistant.answering.charts import ChartSpec, describe, parse_key, render_chart
from assistant.answering.common import Knowledge
from assistant.answering.model import Reply
from tests.answering.conftest import AskFn, said


def images(reply: Reply) -> list[str]:
    return [m.image for m in reply.messages if m.image]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("so sánh lượt khách 2021 và 2022 Quảng Ngãi", "vi"),
        ("so sanh luot khach 2021 va 2022 Quang Ngai", "vi"),
        ("so sánh lượt khách Quảng Ngãi năm 2021 với năm 2022", "vi"),
        ("compare visitors to Quang Ngai in 2021 and 2022", "en"),
    ],
)
def test_visitor_chart_questions_get_the_chart_and_the_figures(ask: AskFn, text: str, language: str) -> None:
    reply = ask("ask_stat_chart", text, language=language)
    assert images(reply) == [f"/charts/visitors-quang-ngai-2021-2022-{language}.png"]
    assert reply.messages[0].image and not reply.messages[0].text  # the chart first, then the words
    words = said(reply)
    if language == "vi":
        assert "650.000 lượt" in words and "11.000 lượt" in words
        assert "khoảng 3.438 lượt (số liệu suy ra)" in words
        assert "Số liệu suy ra" in words and "lượt khách quốc tế năm 2021" in words
        assert words.splitlines()[-1].startswith("Nguồn: Tuần lễ Chuyển đổi số Quảng Ngãi 2023")
    else:
        assert "650,000 visits" in words and "about 3,438 visits (derived)" in words
        assert "international visits in 2021" in words
        assert words.splitlines()[-1].startswith("Source:")
    assert reply.slots["last_intent"] == "ask_stat_chart"


@pytest.mark.parametrize(
    ("text", "language"), [("biểu đồ khách du lịch Huế", "vi"), ("chart of visitors to Hue", "en")]
)
def test_a_chart_without_years_shows_every_reported_period(
    knowledge: Knowledge, ask: AskFn, text: str, language: str
) -> None:
    reply = ask("ask_stat_chart", text, language=language)
    years = sorted(
        {e["year"] for e in knowledge.kb.entries("tourism_statistics") if e.province == "thua-thien-hue"}
        & {e["year"] for e in knowledge.kb.entries("tourism_statistics") if e["metric"] == "visitors"}
    )
    key = "-".join(str(y) for y in years)
    assert len(years) >= 4
    assert images(reply) == [f"/charts/visitors-thua-thien-hue-{key}-{language}.png"]
    chart = describe(knowledge, ChartSpec("visitors", "thua-thien-hue", tuple(years), language))
    assert chart is not None and chart.partial_label
    # a year is labelled with a period only when all its figures cover that part of the year
    for label in chart.tick_labels:
        year = int(label.split("\n")[0])
        periods = {e.get("period") or "year" for e in chart.entries if e["year"] == year}
        assert ("\n" in label) == (periods != {"year"} and len(periods) == 1), label


def test_a_year_without_the_asked_figure_is_named(ask: AskFn) -> None:
    words = said(ask("ask_stat_chart", "so sánh lượt khách 2021 và 2022 Quảng Ngãi"))
    assert "Tôi chưa có số liệu lượt khách du lịch của Quảng Ngãi năm 2021." in words


def test_two_years_in_a_statistics_question_are_answered_with_a_chart(ask: AskFn) -> None:
    reply = ask("ask_tourism_stat", "doanh thu du lịch Quảng Ngãi năm 2021 và 2022")
    assert images(reply) == ["/charts/revenue-quang-ngai-2021-2022-vi.png"]
    assert "700 tỷ đồng" in said(reply) and "khoảng 234,9 tỷ đồng (số liệu suy ra)" in said(reply)


def test_one_figure_gets_no_chart_but_the_figure_and_why(ask: AskFn) -> None:
    reply = ask("ask_stat_chart", "biểu đồ tỷ lệ hoàn thành kế hoạch đón khách Quảng Ngãi")
    assert images(reply) == []
    words = said(reply)
    assert "chỉ có một số liệu" in words and "91%" in words and "Nguồn:" in words
    assert reply.answered


def test_no_figures_for_a_province_is_said_with_the_provinces_that_have_them(ask: AskFn) -> None:
    reply = ask("ask_stat_chart", "biểu đồ số di tích Quảng Ngãi")
    assert images(reply) == [] and not reply.answered
    assert "Tôi chưa có số liệu số di tích của Quảng Ngãi" in said(reply)
    assert any("thua-thien-hue" in b["payload"] for m in reply.messages for b in m.buttons)


def test_a_year_without_figures_offers_the_years_there_are(ask: AskFn) -> None:
    reply = ask("ask_stat_chart", "biểu đồ lượt khách Quảng Ngãi năm 2015")
    assert images(reply) == [] and not reply.answered
    assert "năm 2015" in said(reply)
    assert "2019, 2021, 2022, 2023, 2025" in [b["title"] for m in reply.messages for b in m.buttons]


def test_chart_keys_are_strict() -> None:
    spec = ChartSpec("visitors", "quang-ngai", (2021, 2022), "vi")
    assert spec.key == "visitors-quang-ngai-2021-2022-vi"
    assert parse_key(spec.key) == spec
    assert parse_key("revenue-thua-thien-hue-2022-en") == ChartSpec(
        "revenue", "thua-thien-hue", (2022,), "en"
    )
    for bad in (
        "visitors-quang-ngai-2021-2022-fr",  # language
        "tourists-quang-ngai-2021-vi",  # group
        "visitors-quang-ngai-2022-2021-vi",  # years out of order
        "visitors-quang-ngai-2022-2022-vi",  # repeated
        "visitors-quang-ngai-vi",  # no year
        "../visitors-quang-ngai-2022-vi",
        "visitors-quang-ngai-2022-vi.png",
        "visitors-" + "-".join(str(2000 + i) for i in range(13)) + "-vi",  # too many years
    ):
        assert parse_key(bad) is None, bad


def test_chart_description_names_what_is_drawn(knowledge: Knowledge) -> None:
    chart = describe(knowledge, ChartSpec("visitors", "quang-ngai", (2021, 2022), "vi"))
    assert chart is not None
    assert chart.title == "Lượt khách du lịch – Quảng Ngãi, 2021–2022"
    assert (chart.x_label, chart.y_label, chart.derived_label) == ("Năm", "Lượt khách", "Số liệu suy ra")
    assert [s.label for s in chart.series] == ["Lượt khách du lịch", "Lượt khách quốc tế"]
    assert chart.source == "Nguồn: Tuần lễ Chuyển đổi số Quảng Ngãi 2023 (bài báo). Số liệu tính đến 2023."
    derived = [(e["year"], e["metric"]) for e in chart.entries if e.get("derived")]
    assert derived == [(2021, "international_visitors")]
    english = describe(knowledge, ChartSpec("visitors", "quang-ngai", (2021, 2022), "en"))
    assert english is not None and english.title == "Tourist visits – Quảng Ngãi, 2021–2022"
    assert english.source.endswith("Figures as of 2023.")


def test_fewer_than_two_figures_make_no_chart(knowledge: Knowledge) -> None:
    assert describe(knowledge, ChartSpec("plan_share", "quang-ngai", (2022,), "vi")) is None
    assert describe(knowledge, ChartSpec("visitors", "quang-nam", (2015,), "vi")) is None
    assert describe(knowledge, ChartSpec("visitors", "no-such-place", (2022,), "vi")) is None


@pytest.mark.parametrize("key", ["visitors-quang-ngai-2021-2022-vi", "revenue-quang-ngai-2021-2022-en"])
def test_rendered_chart_is_a_large_png_that_is_not_blank(knowledge: Knowledge, key: str) -> None:
    spec = parse_key(key)
    assert spec is not None
    chart = describe(knowledge, spec)
    assert chart is not None
    png = render_chart(knowledge, chart)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert image.width >= 600 and image.height >= 400
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # bars, hatching, anti-aliased text: not blank
    most = max(count for count, _ in colours)
    assert most < 0.9 * image.width * image.height  # the background does not fill the picture
