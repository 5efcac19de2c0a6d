"""`make eval`: measure the assistant on data never used for training.

1. NLU: intent accuracy and entity F1 on tests/nlu_test/ (the trained model, loaded in-process), by language.
2. Answers: the running assistant (runtime/supervisor.py on free ports) over the REST channel; each reply must
   contain the facts and must not contain the wrong figures; by topic and language, reported per set:
   - own: tests/answer_eval/questions.yml, the team's set;
   - seed: tests/answer_eval/seed_questions.yml, a question for every fact-bearing sentence of the seeds,
     written by reading the seeds, not the answer code;
   - multipart and followups: two questions in one message; a follow-up that changes one thing;
   - retyped: every question of own and seed re-typed as people type (scripts/retype.py: no diacritics,
     teencode, one typo, fillers, casing) with a new random seed on every run (printed; --seed repeats one).
Prints tables, writes var/eval/results.json, and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
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

from assistant.text import words
from runtime.harness import running_assistant
from runtime.train import model_path
from scripts.retype import retype

ROOT = Path(__file__).resolve().parent.parent

NLU_DIR = ROOT / "tests" / "nlu_test"
ANSWER_EVAL = ROOT / "tests" / "answer_eval"
SETS = {
    "own": ANSWER_EVAL / "questions.yml",
    "seed": ANSWER_EVAL / "seed_questions.yml",
    "multipart": ANSWER_EVAL / "multipart.yml",
    "followups": ANSWER_EVAL / "followups.yml",
}
RETYPED_FROM = ("own", "seed")
OUT = ROOT / "var" / "eval"
TARGETS = {
    "intent_vi": 0.97,
    "intent_vi_plain": 0.95,
    "intent_en": 0.95,
    "own": 0.95,
    "seed": 0.95,
    "multipart": 0.95,
    "followups": 0.95,
    "retyped": 0.90,
}
# Labels of the question files for Vietnamese typed without diacritics.
PLAIN_LABELS = {"vi_nodiac": "vi_plain"}
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


def _states(reply_text: str, fact: str) -> bool:
    """True when the reply states the fact: as written, or with all its words (diacritics, case and order
    aside) on one line of the reply ("5 phiên hội thảo" is stated by "• Phiên hội thảo chuyên đề: 5")."""
    if _norm(fact) in _norm(reply_text):
        return True
    wanted = set(words(fact))
    return bool(wanted) and any(wanted <= set(words(line)) for line in reply_text.splitlines())


def _check(
    question: dict[str, Any], reply_text: str, has_buttons: bool, markers: dict[str, list[str]]
) -> list[str]:
    text = _norm(reply_text)
    problems = [
        f"missing {fact!r}"
        for fact in question.get("must_contain") or []
        if not _states(reply_text, str(fact))
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


def _leaves(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in _leaves(value)]
    return [str(node)] if isinstance(node, str) else []


def load_sets(names: list[str], seed: int) -> dict[str, list[dict[str, Any]]]:
    """The question sets by name, the retyped set made from the others with `seed`."""
    sets = {}
    for name in names:
        if name == "retyped":
            continue
        questions = yaml.safe_load(SETS[name].read_text(encoding="utf-8")) or []
        for q in questions:
            q["language"] = PLAIN_LABELS.get(q["language"], q["language"])
        sets[name] = questions
    if "retyped" in names:
        rng = random.Random(seed)  # noqa: S311 (test data, not security)
        retyped = []
        for name in RETYPED_FROM:
            base = sets.get(name) or yaml.safe_load(SETS[name].read_text(encoding="utf-8")) or []
            for q in base:
                language = PLAIN_LABELS.get(q["language"], q["language"])
                retyped.append(
                    {
                        **q,
                        "id": f"r-{q['id']}",
                        "language": language,
                        "question": retype(q["question"], language, rng),
                        "typed": q["question"],
                    }
                )
        sets["retyped"] = retyped
    return sets


def _markers() -> dict[str, list[str]]:
    """The beginnings of the sentences that mean "I don't have that", "which one?" and "I don't do that"."""
    sentences = yaml.safe_load((ROOT / "knowledge" / "wording" / "answers.yml").read_text(encoding="utf-8"))
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    out_of_scope = [_norm(v["text"][:30]) for v in domain["responses"]["utter_out_of_scope"]]
    out_of_scope += [_norm(text[:30]) for text in _leaves(sentences.get("out_of_scope") or {})]
    return {
        "no_data": _prefixes(sentences, NO_DATA_KEYS),
        "asks": _prefixes(sentences, ASK_KEYS),
        "out_of_scope": out_of_scope,
    }


def _score(results: list[dict[str, Any]], elapsed: float) -> dict[str, Any]:
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


def evaluate_answers(sets: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Ask every question of every set of one running assistant; score each set per topic and language."""
    markers = _markers()
    reports = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_assistant(Path(tmp), env={"TODAY": "2026-11-23"}) as bot,
    ):
        url = f"{bot.rasa_url}/webhooks/rest/webhook"
        for name, questions in sets.items():
            started = time.monotonic()
            results = []
            for question in questions:
                sender = f"eval-{question['id']}-{uuid.uuid4().hex[:6]}"
                for turn in question.get("before") or []:
                    requests.post(
                        url, json={"sender": sender, "message": turn}, timeout=60
                    ).raise_for_status()
                replies = requests.post(
                    url, json={"sender": sender, "message": question["question"]}, timeout=60
                ).json()
                text = "\n".join(r.get("text", "") for r in replies)
                has_buttons = any(r.get("buttons") for r in replies)
                problems = _check(question, text, has_buttons, markers)
                results.append({**question, "reply": text, "problems": problems})
            reports[name] = _score(results, time.monotonic() - started)
    return reports


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


def _print_answers(name: str, report: dict[str, Any], limit: int) -> None:
    source = SETS[name].relative_to(ROOT) if name in SETS else "own + seed, re-typed"
    print(f"\nAnswers of the running assistant: set {name!r} ({source})")
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
    for failure in report["failures"][:limit]:
        print(f"  wrong: [{failure['id']}] {failure['question']!r}: {'; '.join(failure['problems'])}")
        print(f"         reply: {failure['reply'][:200]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["nlu", "answers"], help="run one part only")
    parser.add_argument(
        "--sets", default=",".join([*SETS, "retyped"]), help="answer sets, comma-separated (default: all)"
    )
    parser.add_argument("--seed", type=int, help="the re-typing seed (default: a new one, printed)")
    parser.add_argument("--failures", type=int, default=30, help="failures printed per set")
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
        seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
        names = [n for n in args.sets.split(",") if n]
        answers = evaluate_answers(load_sets(names, seed))
        results["answers"] = answers
        results["retype_seed"] = seed
        for name, report in answers.items():
            _print_answers(name, report, args.failures)
        print(
            f"\nre-typing seed: {seed} (python -m scripts.evaluate --only answers --seed {seed} repeats it)"
        )
        print(f"{'set':<12} {'questions':>9} {'correct':>8} {'target':>7}")
        for name, report in answers.items():
            total = report["table"]["all"]["all"]["total"]
            print(f"{name:<12} {total:>9} {report['accuracy']:>8.1%} {TARGETS[name]:>7.0%}")
            if report["accuracy"] < TARGETS[name]:
                missed.append(f"answers {name} {report['accuracy']:.1%} < {TARGETS[name]:.0%}")
        if "retyped" in answers and all(n in answers for n in RETYPED_FROM):
            cells = [answers[n]["table"]["all"]["all"] for n in RETYPED_FROM]
            typed = sum(c["correct"] for c in cells) / max(sum(c["total"] for c in cells), 1)
            drop = answers["retyped"]["accuracy"] - typed
            print(
                f"re-typing changes {' + '.join(RETYPED_FROM)} from {typed:.1%} to {answers['retyped']['accuracy']:.1%} ({drop:+.1%})"
            )
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
