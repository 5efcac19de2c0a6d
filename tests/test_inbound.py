"""What the channels pass on from users (bot/inbound.py): cleaning, limits and the forced-intent policy."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml

from assistant.answering.common import payload
from assistant.answering.dispatch import QUESTION_INTENTS, SUGGEST_INTENT
from bot.inbound import (
    FORCEABLE_ENTITIES,
    FORCEABLE_INTENTS,
    MAX_MESSAGE_CHARS,
    Refused,
    clean_text,
    forced_intent,
    user_text,
)
from tests.conftest import ROOT


def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


# ---- cleaning ----


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  Đại Nội ở đâu?  ", "Đại Nội ở đâu?"),
        ("Đại\x00 Nội\x07 ở đâu?\x1b", "Đại Nội ở đâu?"),
        ("Đại\u200b Nội\u200e ở\u202e đâu\ufeff?\u2066", "Đại Nội ở đâu?"),
        ("Đa\u0323i Nô\u0323i", "Đại Nội"),  # NFD (macOS keyboards) becomes NFC
        ("dòng 1\r\ndòng 2\rdòng 3\u2028dòng\t4", "dòng 1\ndòng 2\ndòng 3\ndòng 4"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("👨\u200d👩\u200d👧 🏯👍🏽 🇻🇳", "👨\u200d👩\u200d👧 🏯👍🏽 🇻🇳"),  # joiners of emoji stay
        ("أين تقع قلعة هوي؟", "أين تقع قلعة هوي؟"),
        ("איפה נמצאת העיר הקיסרית?", "איפה נמצאת העיר הקיסרית?"),
        ("'; DROP TABLE entries; --", "'; DROP TABLE entries; --"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ],
    ids=[
        "trim",
        "controls",
        "invisible",
        "nfd",
        "line-breaks",
        "surrogate",
        "emoji",
        "arabic",
        "hebrew",
        "sql",
        "html",
    ],
)
def test_clean_text(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned
    assert clean_text(cleaned) == cleaned


@pytest.mark.parametrize("raw", ["", "   \n\t ", "\u200b\ufeff\u200e", "\x00\x01", "/", "///", " / / "])
def test_nothing_left_is_refused_as_empty(raw: str) -> None:
    with pytest.raises(Refused) as refused:
        user_text(raw)
    assert refused.value.key == "empty"


def test_the_limit_counts_characters_after_cleaning() -> None:
    assert user_text("ệ" * MAX_MESSAGE_CHARS) == "ệ" * MAX_MESSAGE_CHARS
    assert user_text("a\u200b" * MAX_MESSAGE_CHARS) == "a" * MAX_MESSAGE_CHARS
    for size in (MAX_MESSAGE_CHARS + 1, 10 * 1024, 1024 * 1024):
        with pytest.raises(Refused) as refused:
            user_text("x" * size)
        assert refused.value.key == "too_long"


# ---- forced intents ----


@pytest.mark.parametrize(
    "text",
    [
        "/greet",
        '/greet{"language": "en"}',
        "/help",
        '/choose_topic{"topic": "heritage"}',
        '/ask_site_info{"site": "my-son-sanctuary"}',
        '/ask_tourism_stat{"province": "quang-ngai", "year": "2022", "metric": "visitors"}',
        '/feedback{"feedback_value": "helpful", "feedback_entry": "hue-imperial-city"}',
        '/share_location{"latitude": 16.46, "longitude": 107.59}',
        '/ask_site_visiting{"site": "quan-the-di-tich-co-do-hue", "province": "Thừa Thiên Huế"}',
    ],
)
def test_payloads_of_our_buttons_pass_as_they_are(text: str) -> None:
    assert user_text(text) == text
    assert forced_intent(text) == text


def test_a_payload_is_passed_on_as_our_buttons_write_it() -> None:
    assert user_text('  /choose_topic{"topic":"heritage"}  ') == '/choose_topic{"topic": "heritage"}'
    assert user_text("/greet{}") == "/greet"
    assert user_text('\u200b/greet{"language": "vi"}') == '/greet{"language": "vi"}'
    # What widget.js sends for a shared location (JSON.stringify: no spaces).
    widget = '/share_location{"latitude":16.4637,"longitude":107.5909}'
    assert user_text(widget) == '/share_location{"latitude": 16.4637, "longitude": 107.5909}'


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("/no_such_intent", "no_such_intent"),
        ("/ask_site_info{not json", "ask_site_info{not json"),
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ("/nlu_fallback", "nlu_fallback"),
        ("/out_of_scope", "out_of_scope"),
        ("/GREET", "GREET"),
        ("//greet", "greet"),
        ("/ /greet", "greet"),
        ("/ greet", "greet"),
        ("/greet@0.99", "greet@0.99"),
        ('/ask_site_info{"site": "x", "evil": "y"}', 'ask_site_info{"site": "x", "evil": "y"}'),
        ('/ask_site_info{"site": ["x"]}', 'ask_site_info{"site": ["x"]}'),
        ('/ask_site_info{"site": {"a": 1}}', 'ask_site_info{"site": {"a": 1}}'),
        ('/ask_site_info{"site": null}', 'ask_site_info{"site": null}'),
        ('/ask_site_info{"site": true}', 'ask_site_info{"site": true}'),
        ('/ask_site_info{"site": ""}', 'ask_site_info{"site": ""}'),
        ('/ask_site_info{"site": "' + "x" * 101 + '"}', 'ask_site_info{"site": "' + "x" * 101 + '"}'),
        ('/ask_site_info{"site": "a\\nb"}', 'ask_site_info{"site": "a\\nb"}'),
        (
            '/share_location{"latitude": NaN, "longitude": 1}',
            'share_location{"latitude": NaN, "longitude": 1}',
        ),
        (
            '/share_location{"latitude": 1e400, "longitude": 1}',
            'share_location{"latitude": 1e400, "longitude": 1}',
        ),
        ('/ask_site_info{"site": "x"} trailing', 'ask_site_info{"site": "x"} trailing'),
        ("/ask_site_info[1]", "ask_site_info[1]"),
        ("/Đại Nội ở đâu", "Đại Nội ở đâu"),
        ("/ask_site_info\n/restart", "ask_site_info\n/restart"),
    ],
)
def test_anything_else_starting_with_a_slash_is_ordinary_text(text: str, sent: str) -> None:
    assert forced_intent(text) is None
    assert user_text(text) == sent
    assert not user_text(text).startswith("/")


def test_text_not_starting_with_a_slash_is_left_alone() -> None:
    for text in ("Đại Nội ở đâu?", "a/b", "1/2/2024", "'; DROP TABLE entries; --", "<b>x</b>"):
        assert user_text(text) == text


# ---- the lists follow the domain and our buttons ----


def test_forceable_intents_and_entities_are_in_the_domain() -> None:
    spec = domain()
    assert FORCEABLE_INTENTS <= set(spec["intents"])
    assert FORCEABLE_ENTITIES <= set(spec["entities"])
    assert "restart" not in FORCEABLE_INTENTS and "session_start" not in FORCEABLE_INTENTS


def test_every_question_intent_and_suggestion_may_be_forced() -> None:
    assert QUESTION_INTENTS <= FORCEABLE_INTENTS
    assert {intent for intent, _ in SUGGEST_INTENT.values()} <= FORCEABLE_INTENTS
    assert {slot for _, slot in SUGGEST_INTENT.values()} <= FORCEABLE_ENTITIES


def _domain_payloads(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["payload"]] if isinstance(node.get("payload"), str) else []
        return found + [p for value in node.values() for p in _domain_payloads(value)]
    if isinstance(node, list):
        return [p for item in node for p in _domain_payloads(item)]
    return []


def test_every_button_of_the_domain_passes_unchanged() -> None:
    payloads = _domain_payloads(domain()["responses"])
    assert payloads
    for text in payloads:
        assert user_text(text) == json_form(text), text


def json_form(text: str) -> str:
    """A payload as json.dumps writes it (domain.yml is written by hand)."""
    intent, _, raw = text.partition("{")
    return intent + (json.dumps(json.loads("{" + raw), ensure_ascii=False) if raw else "")


def _button_calls() -> list[tuple[Path, str | None, list[str | None]]]:
    """(file, intent literal or None, keyword names) of every button()/payload() call of the answers."""
    calls = []
    for path in sorted([*(ROOT / "actions").rglob("*.py"), *(ROOT / "assistant").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = {"button": 1, "payload": 0}.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            intent = argument.value if isinstance(argument, ast.Constant) else None
            calls.append((path, intent, [k.arg for k in node.keywords]))
    return calls


def test_every_button_the_actions_make_may_be_forced() -> None:
    calls = _button_calls()
    assert len(calls) > 10
    for path, intent, keys in calls:
        where = path.relative_to(ROOT)
        assert intent is None or intent in FORCEABLE_INTENTS, f"{where}: add {intent!r} to bot/inbound.py"
        for key in keys:
            assert key is None or key in FORCEABLE_ENTITIES, f"{where}: add {key!r} to bot/inbound.py"
    # Payloads as payload() writes them, with values like those of the knowledge.
    for text in (
        payload("ask_tourism_stat", province="quang-ngai", year=2022, metric="visitors"),
        payload("ask_dti_rank", province="hue", year=2023, pillar="overall"),
        payload("feedback", feedback_value="wrong", feedback_entry="my-son-sanctuary"),
        payload("ask_dt_info", dt_entry="community-digital-teams-quang-ngai"),
        payload("list_sites", province="quang-nam"),
    ):
        assert user_text(text) == text
