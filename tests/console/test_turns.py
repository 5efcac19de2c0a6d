"""Every turn the answer action handles is recorded with its outcome, the entry or passage used, the texts
redacted and the sender as a keyed hash; feedback lands on its turn; records past their retention are purged;
the overview counts them day by day."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions import actions
from actions.actions import ActionAnswer, ActionFeedback
from assistant.kb.models import make_sessionmaker
from assistant.records import (
    FeedbackRow,
    TurnRow,
    UnansweredRow,
    activity,
    attach_feedback,
    create_records_schema,
    keyed_sender,
    purge_records,
    rated_turns,
    record_feedback,
    record_turn,
    record_unanswered,
    write_activity_csv,
)
from assistant.settings import Settings
from assistant.state import KnowledgeState
from tests.answering.nearby_support import nearby_state
from tests.console.conftest import SENDER_KEY

pytestmark = pytest.mark.anyio
KEY = SENDER_KEY.encode()
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)  # 10:00 in Vietnam


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeState:
    return nearby_state(tmp_path_factory.mktemp("turns"))


@pytest.fixture(autouse=True)
def use_test_state(monkeypatch: pytest.MonkeyPatch, state: KnowledgeState, tmp_path: Any) -> None:
    settings = dataclasses.replace(Settings.from_env(), records_sender_key=SENDER_KEY, today="2026-11-23")
    monkeypatch.setattr(actions, "knowledge_state", lambda: state)
    monkeypatch.setattr(actions, "get_settings", lambda: settings)


def _tracker(
    intent: str, text: str, entities: list[dict[str, Any]] | None = None, sender: str = "zalo:84905123456"
) -> Tracker:
    latest = {
        "text": text,
        "original_text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "metadata": {"channel": "zalo"},
    }
    return Tracker(sender, {"language": "vi"}, latest, [], False, None, {}, "action_listen")


def _turns(state: KnowledgeState) -> list[TurnRow]:
    with state.sessions().begin() as session:
        create_records_schema(session.connection())
        return list(session.scalars(select(TurnRow).order_by(TurnRow.id)))


async def _ask(
    state: KnowledgeState, intent: str, text: str, entities: list[dict[str, Any]] | None = None
) -> TurnRow:
    count = len(_turns(state))
    await ActionAnswer().run(CollectingDispatcher(), _tracker(intent, text, entities), {})
    turns = _turns(state)
    assert len(turns) == count + 1
    return turns[-1]


async def test_every_turn_is_recorded_with_its_outcome(state: KnowledgeState) -> None:
    entry = await _ask(
        state, "ask_site_info", "Hoàng thành Huế là gì?", [{"entity": "site", "value": "hue-imperial-city"}]
    )
    assert (entry.outcome, entry.entry, entry.topic) == (
        "entry",
        "heritage_sites:hue-imperial-city",
        "heritage_sites",
    )
    assert entry.reply_redacted and entry.channel == "zalo" and entry.intent == "ask_site_info"
    asked_back = await _ask(state, "ask_tourism_stat", "Có bao nhiêu lượt khách du lịch?")
    assert asked_back.outcome == "did_you_mean"
    declined = await _ask(state, "nlu_fallback", "Tôi bị sốt cao thì uống thuốc gì?")
    assert declined.outcome == "declined" and declined.entry is None
    nothing = await _ask(state, "nlu_fallback", "zxqv blorp wibble 0905 123 456")
    assert nothing.outcome in ("unanswered", "did_you_mean")
    assert "0905" not in nothing.text_redacted and "[số điện thoại]" in nothing.text_redacted
    assert nothing.sender_key == keyed_sender("zalo:84905123456", KEY)
    stored = " ".join(str(v) for t in _turns(state) for v in vars(t).values())
    assert "84905123456" not in stored


async def test_feedback_lands_on_the_turn_it_rates(state: KnowledgeState) -> None:
    await _ask(
        state, "ask_site_info", "Chùa Thiên Mụ ở đâu?", [{"entity": "site", "value": "thien-mu-pagoda"}]
    )
    entities = [
        {"entity": "feedback_value", "value": "wrong"},
        {"entity": "feedback_entry", "value": "heritage_sites:thien-mu-pagoda"},
    ]
    tracker = _tracker("feedback", '/feedback{"feedback_value": "wrong"}', entities)
    await ActionFeedback().run(CollectingDispatcher(), tracker, {})
    with state.sessions()() as session:
        rated = rated_turns(session)
    assert rated[0].question == "Chùa Thiên Mụ ở đâu?" and rated[0].feedback == "wrong"
    assert rated[0].entry == "heritage_sites:thien-mu-pagoda" and rated[0].reply


def test_records_past_their_retention_are_purged(tmp_path: Any) -> None:
    sessions = make_sessionmaker(f"sqlite:///{tmp_path / 'records.db'}")
    old, recent = NOW - timedelta(days=181), NOW - timedelta(days=179)
    with sessions.begin() as session:
        for moment in (old, recent):
            record_turn(
                session,
                text="q",
                reply_text="r",
                outcome="entry",
                entry="portals:x",
                channel="web",
                language="vi",
                intent="i",
                sender="s",
                key=KEY,
                asked_at=moment,
            )
            record_unanswered(session, "q", "vi", "web", None, asked_at=moment)
            record_feedback(session, "portals:x", "helpful", "vi", "web", "s", given_at=moment)
    with sessions.begin() as session:
        deleted = purge_records(session, 180, now=NOW)
    assert deleted == {"turns": 1, "unanswered_questions": 1, "feedback": 1}
    with sessions() as session:
        for table in (TurnRow, UnansweredRow, FeedbackRow):
            assert session.scalar(select(func.count()).select_from(table)) == 1
    with sessions.begin() as session:
        assert purge_records(session, 180, now=NOW) == {"turns": 0, "unanswered_questions": 0, "feedback": 0}
    with pytest.raises(ValueError):
        with sessions.begin() as session:
            purge_records(session, 0)
    sessions.kw["bind"].dispose()


def test_the_overview_counts_day_by_day(tmp_path: Any) -> None:
    sessions = make_sessionmaker(f"sqlite:///{tmp_path / 'records.db'}")
    rows = [
        (NOW, "web", "vi", "entry", "heritage_sites:a", "u1"),
        (NOW, "web", "vi", "passage", "documents:d", "u1"),
        (NOW, "zalo", "en", "unanswered", None, "u2"),
        (NOW - timedelta(days=1), "telegram", "vi", "declined", None, "u3"),
        (NOW - timedelta(days=1), "console", "vi", "entry", "heritage_sites:a", "staff"),
        (NOW - timedelta(days=40), "web", "vi", "entry", "heritage_sites:a", "u4"),
    ]
    with sessions.begin() as session:
        for moment, channel, language, outcome, entry, sender in rows:
            record_turn(
                session,
                text="q",
                reply_text="r",
                outcome=outcome,
                entry=entry,
                channel=channel,
                language=language,
                intent=None,
                sender=sender,
                key=KEY,
                asked_at=moment,
            )
        record_feedback(session, "heritage_sites:a", "wrong", "vi", "web", "u1", given_at=NOW)
        attach_feedback(session, "u1", KEY, "heritage_sites:a", "wrong", now=NOW)
    with sessions() as session:
        result = activity(session, date(2026, 11, 23), exclude_channels=("console",))
    assert len(result.days) == 30 and result.days[-1].day == date(2026, 11, 23)
    today, yesterday = result.days[-1], result.days[-2]
    assert (today.messages, today.conversations) == (3, 2)
    assert today.by_channel == {"web": (1, 2), "zalo": (1, 1)}
    assert today.by_language == {"en": (1, 1), "vi": (1, 2)}
    assert (yesterday.messages, yesterday.by_channel) == (1, {"telegram": (1, 1)})
    assert (
        result.outcomes["entry"] == 1 and result.outcomes["passage"] == 1 and result.outcomes["declined"] == 1
    )
    assert result.share("entry", "passage", "answered") == 0.5
    assert result.topics == [("documents", 1), ("heritage_sites", 1)] or result.topics == [
        ("heritage_sites", 1),
        ("documents", 1),
    ]
    assert (result.helpful, result.wrong) == (0, 1)
    out = io.StringIO()
    write_activity_csv(result, out)
    table = list(csv.reader(io.StringIO(out.getvalue())))
    assert table[0][:3] == ["ngày (day)", "hội thoại (conversations)", "tin nhắn (messages)"]
    assert table[-1][:3] == ["2026-11-23", "2", "3"]
    sessions.kw["bind"].dispose()
