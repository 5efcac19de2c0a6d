"""`make bench`: reply latency, throughput, memory, training time and knowledge-base scaling.

One run on this machine measures the assistant (runtime/supervisor.py) against the stock bot of `rasa init` (same
Rasa version) through the REST channel with the same closed-loop load generator, the knowledge-base lookups
at 100 to 100,000 synthetic entries, the full training time, the cold start and the time from saving a
knowledge file to the new answer. It prints tables, writes var/bench/latest.json (and latest.md for the
README) and says whether each target is met; it asserts nothing. See scripts/BENCH_README.md.

    python scripts/bench/__main__.py [--quick] [--only load|kb|train|reload|workers ...] [--workers N]

The assistant runs as docs/benchmarks.md recommends for 2 cores: RASA_WORKERS=2, conversations and locks in
Redis (TEST_REDIS_URL, a key prefix of its own, deleted afterwards); `--workers 1` measures the default of
`make run` (one worker, conversations in memory).

`--only workers` (not part of the default run) measures whether a second Sanic worker buys throughput on this
machine: scripts/bench/workers.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.settings import get_settings
from scripts.bench import bots, kb_scaling, loadgen, reload, report, training, workers
from scripts.bench.machine import machine_info

ROOT = Path(__file__).resolve().parents[2]

SECTIONS = ("train", "load", "reload", "kb")  # the default run
OPTIONAL_SECTIONS = ("workers",)
LEVELS = (1, 10, 50)
MESSAGES = {1: 200, 10: 800, 50: 1500}
QUICK_MESSAGES = {1: 20, 10: 50, 50: 100}
OUT = ROOT / "var" / "bench" / "latest.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/bench/__main__.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="few messages and queries, no training (smoke run)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS + OPTIONAL_SECTIONS,
        help="measure only this section (may be repeated)",
    )
    parser.add_argument(
        "--render", action="store_true", help="measure nothing: print and rewrite the tables of the JSON file"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=bots.RASA_WORKERS,
        help=f"the assistant's RASA_WORKERS (default {bots.RASA_WORKERS}; more than 1 uses Redis, TEST_REDIS_URL)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON file to write (default {OUT})")
    return parser


def _say(text: str) -> None:
    print(f"bench: {text}", flush=True)


def _levels(
    bot: bots.Bot, scripts: tuple[loadgen.Script, ...], counts: dict[int, int]
) -> list[dict[str, Any]]:
    failed = asyncio.run(loadgen.warm_up(bot.rest_url, scripts, f"bench-{bot.name}"))
    if failed:
        _say(f"{bot.name}: {failed} warm-up message(s) failed")
    results = []
    for concurrency in LEVELS:
        _say(f"{bot.name}: {counts[concurrency]} messages with {concurrency} user(s) ...")
        result = asyncio.run(
            loadgen.run_load(bot.name, bot.rest_url, scripts, concurrency, counts[concurrency], bot.pids())
        )
        _say(
            f"{bot.name}: {result.throughput} msg/s, p95 {result.p95_ms} ms, {result.errors} error(s), "
            f"Rasa {sum(v for k, v in result.pss_peak_mb.items() if k.startswith('rasa server')):.0f} MB (PSS)"
        )
        results.append(result.as_json())
    return results


def _project(work: Path, figures: dict[str, Any]) -> Path:
    """A copy of the project to measure, so edits made meanwhile do not change what is measured."""
    root, patched = bots.snapshot(work / "project")
    if patched:
        note = (
            'endpoints.yml: Rasa 3.6 does not substitute the quoted "${ACTION_SERVER_URL}" (it substitutes '
            "plain scalars only), so every custom action fails; the assistant was measured with the quotes "
            "removed in its copy of the project. Fix: url: ${ACTION_SERVER_URL} (unquoted)."
        )
        _say(f"WARNING: {note}")
        figures.setdefault("run_notes", []).append(note)
    return root


def _assistant(
    sections: set[str], quick: bool, work: Path, root: Path, figures: dict[str, Any], rasa_workers: int
) -> None:
    bots.ensure_model(root)
    _say(f"starting the assistant (runtime/supervisor.py, RASA_WORKERS={rasa_workers}) ...")
    with bots.layout(rasa_workers) as env, bots.assistant(work / "assistant", root, env) as bot:
        figures["cold_start"]["assistant_s"] = bot.cold_start_s
        _say(f"assistant: first reply {bot.cold_start_s} s after start; processes {bot.pids()}")
        if "load" in sections:
            counts = QUICK_MESSAGES if quick else MESSAGES
            figures["load"]["assistant"] = {
                "rasa_workers": rasa_workers,
                "cold_start_s": bot.cold_start_s,
                "processes": bot.pids(),
                "levels": _levels(bot, loadgen.ASSISTANT_SCRIPTS, counts),
            }
        if "reload" in sections:
            assert bot.knowledge_dir is not None
            _say("assistant: adding new heritage sites to its knowledge copy ...")
            figures["reload"] = reload.run(bot.rest_url, bot.action_url, bot.knowledge_dir, 1 if quick else 3)
            figures["reload"]["poll_seconds"] = get_settings().knowledge_poll_seconds
            _say(f"assistant: new answer after {figures['reload']['median_s']} s (median)")
        if "workers" in sections:
            _say("assistant: a Rasa server with 1, then 2 Sanic workers (Redis stores) ...")
            count = (QUICK_MESSAGES if quick else MESSAGES)[10]
            figures["workers"] = workers.run(root, work / "workers", bot.action_url, count)
            for found in figures["workers"]:
                _say(f"{found['workers']} worker(s): {found['throughput']} msg/s, p95 {found['p95_ms']} ms")


def _reference(quick: bool, work: Path, figures: dict[str, Any]) -> None:
    folder = work / "reference"
    _say("rasa init --no-prompt (scaffolds and trains the reference bot) ...")
    seconds = bots.init_reference(folder, work / "reference-init.log")
    figures["training"]["reference_init_s"] = round(seconds, 1)
    _say(f"reference: rasa init took {seconds:.0f} s")
    with bots.reference(folder) as bot:
        figures["cold_start"]["reference_s"] = bot.cold_start_s
        _say(f"reference: first reply {bot.cold_start_s} s after start; processes {bot.pids()}")
        figures["load"]["reference"] = {
            "cold_start_s": bot.cold_start_s,
            "processes": bot.pids(),
            "levels": _levels(bot, loadgen.REFERENCE_SCRIPTS, QUICK_MESSAGES if quick else MESSAGES),
        }


def _notes(figures: dict[str, Any], quick: bool, sections: set[str]) -> list[str]:
    machine = figures["machine"]
    rasa_workers = figures.get("load", {}).get("assistant", {}).get("rasa_workers", 1)
    layout = (
        f"one Rasa server with {rasa_workers} Sanic workers (RASA_WORKERS={rasa_workers}), "
        "conversations and locks in the local Redis"
        if rasa_workers > 1
        else "one Rasa server with one worker, conversations in its memory"
    )
    notes = [
        "Both bots run one after the other on the same machine; the load generator runs on it too.",
        "Reference: the stock `rasa init` bot (default pipeline and policies, no action server, one process); "
        f"assistant: runtime/supervisor.py ({layout}; action server answering from the knowledge base; web gateway).",
        "Memory: RSS counts the pages a Rasa server's workers share with their parent once per process; "
        "the memory target is judged on PSS, which counts every page once in all.",
    ]
    busy = machine["load_average"][0]  # at the start: later figures include the benchmark's own processes
    if busy > machine["cores"] * 0.5:
        notes.append(
            f"The machine was busy at the start (load average {busy:.1f} on {machine['cores']} cores): other "
            "work ran at the same time, so the figures are noisy."
        )
    notes += figures.pop("run_notes", [])
    if quick:
        notes.append("--quick run: few messages and queries; figures are a smoke test only.")
    if quick and "train" not in sections:
        notes.append("--quick run: training time not measured.")
    return notes


def _render(path: Path) -> int:
    figures = json.loads(path.read_text(encoding="utf-8"))
    quick, sections = figures["options"]["quick"], set(figures["options"]["sections"])
    figures["notes"] = [n for n in figures.get("notes", []) if n.startswith("endpoints.yml")]
    figures["notes"] = _notes(figures, quick, sections) + figures["notes"]
    figures["targets"] = report.targets(figures)
    report.write(path, figures)
    print(report.text_report(figures))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the started bots are stopped and the temporary folder removed
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    if args.render:
        return _render(args.out)
    sections = set(args.only or SECTIONS)
    if args.quick and not args.only:
        sections.discard("train")
    figures: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "options": {"quick": args.quick, "sections": sorted(sections)},
        "load": {},
        "kb": {},
        "training": {},
        "cold_start": {},
        "reload": {},
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        root = _project(work, figures) if sections & {"train", "load", "reload", "workers"} else ROOT
        if "train" in sections:
            _say("full training of the assistant (rasa train --force) ...")
            seconds = training.train_assistant(root, bots.model_file(root), work / "train")
            figures["training"]["assistant_s"] = round(seconds, 1)
            _say(f"assistant: trained in {seconds:.0f} s")
        if sections & {"load", "reload", "workers"}:
            _assistant(sections, args.quick, work, root, figures, args.workers)
        if "load" in sections:
            _reference(args.quick, work, figures)
    if "kb" in sections:
        sizes = kb_scaling.SIZES[:3] if args.quick else kb_scaling.SIZES
        queries, budget = (200, 3.0) if args.quick else (2000, 20.0)
        figures["kb"] = {
            "queries": queries,
            "budget_s": budget,
            "sizes": kb_scaling.run(sizes, queries, budget),
        }
    figures["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    figures["duration_s"] = round(time.perf_counter() - started, 1)
    figures["notes"] = _notes(figures, args.quick, sections)
    figures = report.merge_previous(args.out, figures)
    figures["targets"] = report.targets(figures)
    report.write(args.out, figures)
    print()
    print(report.text_report(figures))
    print(f"\nbench: figures written to {args.out} and {args.out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
