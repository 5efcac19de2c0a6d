"""Charts and calendar files through the gateway: the real action server makes them, the gateway relays them."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
import requests
from PIL import Image

from assistant.media import MediaFiles
from assistant.settings import Settings
from assistant.state import KnowledgeState
from tests.action_server import ActionServer, action_server
from tests.conftest import free_port
from tests.web.support import FakeAssistant, gateway, web_settings

ROOT = Path(__file__).resolve().parents[2]
CHART = "/charts/visitors-quang-ngai-2021-2022-vi.png"


@pytest.fixture(scope="module")
def actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    with action_server(tmp_path_factory.mktemp("media-actions"), ROOT / "knowledge") as running:
        yield running


@pytest.fixture(scope="module")
def url(actions: ActionServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = web_settings(tmp_path_factory.mktemp("media"), media_url=actions.base_url)
    with gateway(settings, FakeAssistant()) as base:
        yield base


def test_chart_is_a_png_of_the_knowledge(url: str, actions: ActionServer) -> None:
    response = requests.get(url + CHART, timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert "Content-Security-Policy" in response.headers  # the gateway's own headers on a relayed file
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.width >= 600 and image.height >= 400
    assert requests.get(url + CHART, timeout=60).content == response.content
    assert requests.get(actions.url(CHART), timeout=60).content == response.content


@pytest.mark.parametrize(
    "path",
    [
        "/charts/visitors-quang-ngai-2021-2022-fr.png",  # not a language
        "/charts/visitors-quang-ngai-2021-2022-vi.jpg",
        "/charts/visitors-quang-nam-2015-vi.png",  # no figures there
        "/charts/plan_share-quang-ngai-2022-vi.png",  # one figure: no chart
        "/charts/VISITORS-quang-ngai-2022-vi.png",
        "/charts/..%2Fapp.py",
        "/charts/" + "a" * 300 + ".png",
    ],
)
def test_unknown_charts_are_404(url: str, actions: ActionServer, path: str) -> None:
    assert requests.get(url + path, timeout=30).status_code == 404
    assert requests.get(actions.url(path), timeout=30).status_code == 404


def test_event_calendar_is_an_attachment_that_parses(url: str) -> None:
    response = requests.get(url + "/events/qng-2023-dx-week.ics", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="qng-2023-dx-week.ics"'
    assert b"\r\n" in response.content
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Tuần lễ Chuyển đổi số Quảng Ngãi 2023"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    english = icalendar.Calendar.from_ical(
        requests.get(url + "/events/qng-2023-dx-week.ics?lang=en", timeout=30).content
    )
    assert str(english.walk("VEVENT")[0]["SUMMARY"]) == "Quảng Ngãi Digital Transformation Week 2023"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/events/no-such-event.ics", 404),
        ("/events/qng-2023-dx-week.txt", 404),
        ("/events/QNG-2023-DX-WEEK.ics", 404),
        ("/events/qng-2023-dx-week.ics?lang=fr", 400),
        ("/events/hoi-an-ancient-town.ics", 404),  # a heritage site, not an event
    ],
)
def test_bad_event_files_are_refused(url: str, path: str, status: int) -> None:
    assert requests.get(url + path, timeout=30).status_code == status


def test_files_are_503_while_the_action_server_is_down(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, media_url=f"http://127.0.0.1:{free_port()}")
    with gateway(settings, FakeAssistant()) as base:
        assert requests.get(base + CHART, timeout=30).status_code == 503
        assert requests.get(base + "/events/national-dx-day.ics", timeout=30).status_code == 503


def test_the_chart_cache_is_bounded_and_follows_the_knowledge(tmp_path: Path) -> None:
    settings = dataclasses.replace(
        Settings.from_env(), knowledge_dir=ROOT / "knowledge", database_url=f"sqlite:///{tmp_path / 'k.db'}"
    )
    state = KnowledgeState(settings)
    files = MediaFiles(state.current, cache_size=1)
    first = files.chart_png("visitors-quang-ngai-2021-2022-vi")
    assert first is not None and first.startswith(b"\x89PNG")
    files.chart_png("visitors-quang-ngai-2021-2022-en")
    assert files.cached_charts() == 1
    assert files.chart_png("visitors-quang-ngai-2021-2022-vi") == first
    assert files.event_ics("national-dx-day", "vi") is not None
    assert files.chart_png("revenue-quang-nam-2021-2022-en") is None
    state.reload()  # the same content: a new snapshot all the same, so the cache starts again
    assert files.chart_png("visitors-quang-ngai-2021-2022-vi") == first
    assert files.cached_charts() == 1


def test_broken_knowledge_gets_503(tmp_path: Path) -> None:
    broken = tmp_path / "knowledge"
    broken.mkdir()
    (broken / "events.yml").write_text("entries: [", encoding="utf-8")
    (broken / "wording").mkdir()
    (broken / "wording" / "answers.yml").write_text(
        (ROOT / "knowledge" / "wording" / "answers.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with action_server(tmp_path, broken) as actions:
        settings = web_settings(tmp_path, media_url=actions.base_url)
        with gateway(settings, FakeAssistant()) as base:
            assert requests.get(base + "/events/national-dx-day.ics", timeout=30).status_code == 503
            assert requests.get(base + CHART, timeout=30).status_code == 503
