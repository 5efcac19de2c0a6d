"""`make eval`: measure the assistant on data never used for training.

1. NLU: intent accuracy and entity F1 on tests/nlu_test/ (the trained model, loaded in-process), by language.
2. Answers: the running assistant (runtime/supervisor.py on free ports) over the REST channel, on
   tests/answer_eval/questions.yml: each reply must contain the facts and must not contain the wrong figures;
   by topic and language.
Prints tables, writes var/eval/results.json, and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
import unicodedata
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests
import yaml

from runtime.harness import running_assistant
from runtime.train import model_path

ROOT = Path(__file__).resolve().parent.parent

NLU_DIR = ROOT / "tests" / "nlu_test"
QUESTIONS = ROOT / "tests" / "answer_eval" / "questions.yml"
OUT = ROOT / "var" / "eval"
TARGETS = {"intent_vi": 0.97, "intent_vi_plain": 0.95, "intent_en": 0.95, "answers": 0.95}
IGNORED_ENTITIES = {"language"}
# Wording keys whose sentences mean "I don't have that" / "which one do you mean?".
NO_DATA_KEYS = (
    "no_data",
    "not_covered_place",
    "stat_no_data",
    "stat_no_data_province",
    "dti_no_data",
    "dti_no_data_province",
    "site_no_recognition",
    "site_no_visiting",
    "service_no_field",
    "event_no_field",
)
ASK_KEYS = ("ask_province", "ask_year", "ask_site", "ask_service", "ask_event", "did_you_mean")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _prefixes(sentences: dict[str, Any], keys: tuple[str, ...]) -> list[str]:
    out = []
    for key in keys:
        for language in ("vi", "en"):
            text = str(sentences[key][language]).split("{")[0].strip()
            if len(text) >= 6:
                out.append(_norm(text))
    return out


# ------------------------------------------------------------------------------------------------ NLU


def _nlu_examples() -> list[dict[str, Any]]:
    from rasa.shared.nlu.training_data.loading import load_data

    languages = yaml.safe_load((NLU_DIR / "languages.yml").read_text(encoding="utf-8")) or {}
    examples = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        if path.name == "languages.yml":
            continue
        for message in load_data(str(path)).intent_examples:
            text = message.get("text")
            expected = {(e["entity"], str(e["value"])) for e in message.get("entities") or []}
            examples.append(
                {
                    "text": text,
                    "intent": message.get("intent"),
                    "entities": expected,
                    "language": languages.get(text, "vi"),
                }
            )
    return examples


async def _parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def evaluate_nlu(model: Path) -> dict[str, Any]:
    """Intent accuracy and entity precision/recall/F1 per language."""
    examples = _nlu_examples()
    parsed = asyncio.run(_parse_all(model, [e["text"] for e in examples]))
    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    errors = []
    for example, result in zip(examples, parsed, strict=True):
        predicted_entities = {
            (e["entity"], str(e["value"]))
            for e in result.get("entities") or []
            if e["entity"] not in IGNORED_ENTITIES
        }
        predicted_intent = (result.get("intent") or {}).get("name")
        for group in (example["language"], "all"):
            s = stats[group]
            s["n"] += 1
            s["correct"] += predicted_intent == example["intent"]
            s["tp"] += len(predicted_entities & example["entities"])
            s["fp"] += len(predicted_entities - example["entities"])
            s["fn"] += len(example["entities"] - predicted_entities)
        if predicted_intent != example["intent"]:
            errors.append(
                {"text": example["text"], "expected": example["intent"], "predicted": predicted_intent}
            )
    report = {}
    for group, s in stats.items():
        precision = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
        recall = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[group] = {
            "utterances": int(s["n"]),
            "intent_accuracy": s["correct"] / s["n"],
            "entity_precision": precision,
            "entity_recall": recall,
            "entity_f1": f1,
        }
    return {"by_language": report, "intent_errors": errors}


# ------------------------------------------------------------------------------------------------ answers


def _check(
    question: dict[str, Any], reply_text: str, has_buttons: bool, markers: dict[str, list[str]]
) -> list[str]:
    text = _norm(reply_text)
    problems = [
        f"missing {fact!r}" for fact in question.get("must_contain") or [] if _norm(str(fact)) not in text
    ]
    problems += [
        f"has {fact!r}" for fact in question.get("must_not_contain") or [] if _norm(str(fact)) in text
    ]
    expect = question.get("expect")
    if expect == "no_data" and not any(m in text for m in markers["no_data"]):
        problems.append("does not say it has no data")
    if expect == "out_of_scope" and not any(m in text for m in markers["out_of_scope"]):
        problems.append("not refused as out of scope")
    if expect == "asks" and not (has_buttons and any(m in text for m in markers["asks"])):
        problems.append("does not ask with buttons")
    return problems


def evaluate_answers(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Ask every question of the set of the running assistant; score per topic and language."""
    sentences = yaml.safe_load((ROOT / "knowledge" / "wording" / "answers.yml").read_text(encoding="utf-8"))
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    out_of_scope = [_norm(v["text"][:30]) for v in domain["responses"]["utter_out_of_scope"]]
    markers = {
        "no_data": _prefixes(sentences, NO_DATA_KEYS),
        "asks": _prefixes(sentences, ASK_KEYS),
        "out_of_scope": out_of_scope,
    }
    results = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_assistant(Path(tmp), env={"TODAY": "2026-11-23"}) as bot,
    ):
        url = f"{bot.rasa_url}/webhooks/rest/webhook"
        started = time.monotonic()
        for question in questions:
            sender = f"eval-{question['id']}-{uuid.uuid4().hex[:6]}"
            for turn in question.get("before") or []:
                requests.post(url, json={"sender": sender, "message": turn}, timeout=60).raise_for_status()
            replies = requests.post(
                url, json={"sender": sender, "message": question["question"]}, timeout=60
            ).json()
            text = "\n".join(r.get("text", "") for r in replies)
            has_buttons = any(r.get("buttons") for r in replies)
            problems = _check(question, text, has_buttons, markers)
            results.append({**question, "reply": text, "problems": problems})
        elapsed = time.monotonic() - started
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in results:
        for topic in (r["topic"], "all"):
            for language in (r["language"], "all"):
                cell = table[topic][language]
                cell[0] += not r["problems"]
                cell[1] += 1
    return {
        "table": {
            t: {lang: {"correct": c, "total": n} for lang, (c, n) in row.items()} for t, row in table.items()
        },
        "accuracy": table["all"]["all"][0] / max(table["all"]["all"][1], 1),
        "seconds": elapsed,
        "failures": [r for r in results if r["problems"]],
    }


# ------------------------------------------------------------------------------------------------ report


def _print_nlu(report: dict[str, Any]) -> None:
    print("\nNLU on tests/nlu_test (never used for training)")
    print(
        f"{'language':<10} {'utterances':>10} {'intent acc':>11} {'entity P':>9} {'entity R':>9} {'entity F1':>10}"
    )
    for group in ("vi", "vi_plain", "en", "all"):
        r = report["by_language"].get(group)
        if r:
            print(
                f"{group:<10} {r['utterances']:>10} {r['intent_accuracy']:>10.1%} {r['entity_precision']:>9.1%}"
                f" {r['entity_recall']:>9.1%} {r['entity_f1']:>10.1%}"
            )
    for error in report["intent_errors"][:25]:
        print(f"  intent error: {error['text']!r}: expected {error['expected']}, got {error['predicted']}")


def _print_answers(report: dict[str, Any]) -> None:
    print("\nAnswers of the running assistant on tests/answer_eval/questions.yml")
    languages = ("vi", "vi_plain", "en", "all")
    print(f"{'topic':<24}" + "".join(f"{lang:>14}" for lang in languages))
    for topic, row in sorted(report["table"].items(), key=lambda kv: (kv[0] == "all", kv[0])):
        cells = []
        for lang in languages:
            cell = row.get(lang)
            cells.append(
                f"{cell['correct']:>4}/{cell['total']:<3} {cell['correct'] / cell['total']:>4.0%}"
                if cell
                else f"{'-':>14}"
            )
        print(f"{topic:<24}" + "".join(f"{c:>14}" for c in cells))
    for failure in report["failures"][:30]:
        print(f"  wrong: [{failure['id']}] {failure['question']!r}: {'; '.join(failure['problems'])}")
        print(f"         reply: {failure['reply'][:200]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["nlu", "answers"], help="run one part only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M"), "model": model_path().name}
    missed = []
    if args.only in (None, "nlu"):
        nlu = evaluate_nlu(model_path())
        results["nlu"] = nlu
        _print_nlu(nlu)
        for language in ("vi", "vi_plain", "en"):
            accuracy = nlu["by_language"].get(language, {}).get("intent_accuracy", 0.0)
            if accuracy < TARGETS[f"intent_{language}"]:
                missed.append(
                    f"intent accuracy {language} {accuracy:.1%} < {TARGETS[f'intent_{language}']:.0%}"
                )
    if args.only in (None, "answers"):
        questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
        answers = evaluate_answers(questions)
        results["answers"] = answers
        _print_answers(answers)
        if answers["accuracy"] < TARGETS["answers"]:
            missed.append(f"answer accuracy {answers['accuracy']:.1%} < {TARGETS['answers']:.0%}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    print(f"\nwritten: {(OUT / 'results.json').relative_to(ROOT)}")
    for line in missed:
        print(f"TARGET MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
