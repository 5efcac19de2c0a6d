"""`make soak`: the assistant under a steady load for 10 minutes (errors, memory growth, p95 drift).

The assistant is started once as `make bench` starts it (runtime/supervisor.py from a copy of the project, on free
ports, RASA_WORKERS=2 with Redis unless --workers says otherwise) and 10 virtual users send the bench's
conversations through the REST channel at the throughput `make bench` measured at 10 users
(var/bench/latest.json; --rate overrides it) for --minutes. Every 30 s it samples the messages answered, the
errors (HTTP status other than 200, empty reply, connection error, timeout), the p95 latency of that window
and the resident memory of every process. It prints tables, writes var/soak/latest.json and latest.md and says
whether each target is met; it asserts nothing (exit status 0 unless the assistant does not start).

    python scripts/soak.py [--minutes 10] [--rate MSG_PER_S] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scripts.bench import bots, loadgen, report
from scripts.bench.machine import cpu_seconds, machine_cpu, machine_info, rss_mb

ROOT = Path(__file__).resolve().parent.parent

OUT = ROOT / "var" / "soak" / "latest.json"
BENCH = ROOT / "var" / "bench" / "latest.json"
USERS = 10
EVERY_S = 30.0
DRIFT_SPAN_S = 120.0  # p95 of the first and of the last 2 minutes
BASELINE_S = 60.0  # memory growth from the sample at 1 minute
ERROR_LIMIT = 0
GROWTH_LIMIT_PCT = 10.0
DRIFT_LIMIT_PCT = 10.0
CALIBRATION_MESSAGES = 300
WINDOW_HEADERS = (
    "t s",
    "msgs",
    "answered",
    "errors",
    "msg/s",
    "p95 ms",
    "Rasa CPU ms/msg",
    "busy %",
    "steal %",
)
RASA = "rasa server"
MEMORY_HEADERS = ("process", "first MB", "last MB", "growth %")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/soak.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the load runs (default 10)")
    parser.add_argument(
        "--rate",
        type=float,
        help=f"messages a second in all (default: the assistant's throughput at 10 users in {BENCH}; "
        f"without that file, measured first with {CALIBRATION_MESSAGES} messages)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=bots.RASA_WORKERS,
        help=f"the assistant's RASA_WORKERS, as in `make bench` (default {bots.RASA_WORKERS})",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON file to write (default {OUT})")
    return parser


def _say(text: str) -> None:
    print(f"soak: {text}", flush=True)


def bench_rate(path: Path = BENCH) -> float | None:
    """The assistant's throughput at 10 users from `make bench`'s figures (None when not measured)."""
    with contextlib.suppress(OSError, ValueError):
        found = report.level(json.loads(path.read_text(encoding="utf-8")), "assistant", USERS)
        if found and found.get("throughput"):
            return float(found["throughput"])
    return None


class _Clock:
    """CPU time of the bot's processes and of the machine since the last reading (diagnostics of a window:
    Rasa's CPU time per message, and the share of the cores that was busy or stolen by the hypervisor)."""

    def __init__(self, bot: bots.Bot) -> None:
        self.bot = bot
        self.cpu = self._read()
        self.machine = machine_cpu()

    def _read(self) -> dict[str, float]:
        found = {label: cpu_seconds(pid) for label, pid in self.bot.pids().items()}
        return {label: value for label, value in found.items() if value is not None}

    def lap(self, span: float, answered: int) -> dict[str, Any]:
        cpu, machine = self._read(), machine_cpu()
        rasa = sum(cpu[k] - self.cpu.get(k, cpu[k]) for k in cpu if k.startswith(RASA))
        cores = (os.cpu_count() or 1) * span
        lap = {
            "rasa_cpu_ms_per_msg": round(rasa / answered * 1000, 2) if answered else None,
            "busy_pct": round((machine["busy"] - self.machine["busy"]) / cores * 100, 1) if span else None,
            "steal_pct": round((machine["steal"] - self.machine["steal"]) / cores * 100, 1) if span else None,
        }
        self.cpu, self.machine = cpu, machine
        return lap


def _window(
    number: int, elapsed: float, span: float, new: list[loadgen.Sample], bot: bots.Bot, clock: _Clock
) -> dict[str, Any]:
    answered = [s for s in new if s.ok and not s.empty]
    memory = {label: rss_mb(pid) for label, pid in bot.pids().items()}
    return {
        **clock.lap(span, len(answered)),
        "window": number,
        "t_s": round(elapsed, 1),
        "messages": len(new),
        "answered": len(answered),
        "errors": len(new) - len(answered),
        "msg_per_s": round(len(answered) / span, 2) if span else 0.0,
        "p95_ms": round(loadgen.percentile([s.latency_s * 1000 for s in answered], 95), 1),
        "rss_mb": {label: round(mb, 1) for label, mb in memory.items() if mb is not None},
    }


async def _soak(
    bot: bots.Bot, rate: float, seconds: float
) -> tuple[list[dict[str, Any]], list[list[loadgen.Sample]], float]:
    """Run the load and sample it every EVERY_S; the windows, each window's samples, and the load's wall time."""
    samples: list[loadgen.Sample] = []
    tag = f"soak-{time.time_ns()}"
    load = asyncio.create_task(
        loadgen.drive(
            bot.rest_url, loadgen.ASSISTANT_SCRIPTS, USERS, samples, tag, rate=rate, seconds=seconds
        )
    )
    windows: list[dict[str, Any]] = []
    per_window: list[list[loadgen.Sample]] = []
    started = previous = time.monotonic()
    clock = _Clock(bot)
    ticks = max(1, math.ceil(seconds / EVERY_S))
    duration = 0.0
    for number in range(1, ticks + 1):
        if number == ticks:  # the last window waits for the replies still on their way
            duration = await load
        else:
            await asyncio.sleep(max(0.0, started + number * EVERY_S - time.monotonic()))
        now = time.monotonic()
        new = samples[sum(len(w) for w in per_window) :]
        per_window.append(new)
        windows.append(_window(number, now - started, now - previous, new, bot, clock))
        previous = now
        window = windows[-1]
        _say(
            f"{window['t_s']:.0f} s: {window['answered']} answered, {window['errors']} error(s), "
            f"{window['msg_per_s']} msg/s, p95 {window['p95_ms']} ms, "
            f"Rasa {window['rasa_cpu_ms_per_msg']} ms CPU/msg, steal {window['steal_pct']}%, "
            f"RSS {', '.join(f'{k} {v:.0f} MB' for k, v in window['rss_mb'].items())}"
        )
    return windows, per_window, duration


def _p95(windows: list[list[loadgen.Sample]]) -> float:
    return loadgen.percentile([s.latency_s * 1000 for w in windows for s in w if s.ok and not s.empty], 95)


def _pct(before: float, after: float) -> float | None:
    return round((after - before) / before * 100, 2) if before else None


def summary(
    windows: list[dict[str, Any]], per_window: list[list[loadgen.Sample]], duration: float
) -> dict[str, Any]:
    """Totals, each process's memory growth from the first minute's sample to the last, and the p95 drift of
    the last DRIFT_SPAN_S against the first (half the run each when it is shorter than twice that)."""
    samples = [s for w in per_window for s in w]
    answered = sum(w["answered"] for w in windows)
    failed = [s for s in samples if not (s.ok and not s.empty)]
    examples = list(dict.fromkeys(s.error or "empty reply" for s in failed))[:5]
    ends = [w["t_s"] for w in windows]
    # the sample at 1 minute, or the first one when that is already the last
    base = next((i for i, t in enumerate(ends) if t >= BASELINE_S - 1), 0)
    base = 0 if base == len(windows) - 1 else base
    first_rss, last_rss = windows[base]["rss_mb"], windows[-1]["rss_mb"]
    memory = {
        label: {
            "first_mb": first_rss[label],
            "last_mb": last_rss[label],
            "growth_pct": _pct(first_rss[label], mb),
        }
        for label, mb in last_rss.items()
        if label in first_rss
    }
    span = min(DRIFT_SPAN_S, ends[-1] / 2)
    starts = [0.0, *ends[:-1]]
    first = [i for i, end in enumerate(ends) if end <= span + 1]
    last = [i for i, start in enumerate(starts) if start >= ends[-1] - span - 1]
    p95_first, p95_last = (_p95([per_window[i] for i in chosen]) for chosen in (first, last))
    cpu_first, cpu_last = (_cpu_per_message([windows[i] for i in chosen]) for chosen in (first, last))
    return {
        "messages": len(samples),
        "answered": answered,
        "errors": len(failed),
        "error_examples": examples,
        "duration_s": round(duration, 1),
        "achieved_rate": round(answered / duration, 2) if duration else 0.0,
        "memory_baseline_t_s": ends[base],
        "memory": memory,
        "drift_span_s": round(span, 1),
        "p95_first_ms": round(p95_first, 1),
        "p95_last_ms": round(p95_last, 1),
        "p95_drift_pct": _pct(p95_first, p95_last),
        "rasa_cpu_ms_per_msg_first": cpu_first,
        "rasa_cpu_ms_per_msg_last": cpu_last,
        "rasa_cpu_drift_pct": _pct(cpu_first or 0.0, cpu_last or 0.0) if cpu_first and cpu_last else None,
        "steal_pct_mean": _mean([w.get("steal_pct") for w in windows]),
    }


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 2) if known else None


def _cpu_per_message(windows: list[dict[str, Any]]) -> float | None:
    """Rasa's CPU time per answered message over `windows` (weighted by their messages)."""
    picked = [
        (w["rasa_cpu_ms_per_msg"], w["answered"]) for w in windows if w.get("rasa_cpu_ms_per_msg") is not None
    ]
    answered = sum(n for _, n in picked)
    return round(sum(ms * n for ms, n in picked) / answered, 2) if answered else None


def targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The soak targets of the issue: zero errors, memory growth and p95 drift at most 10%."""
    total = figures["summary"]
    found = [
        {
            "target": f"achieved rate (msg/s), asked {figures['options']['rate']}",
            "value": total["achieved_rate"],
            "limit": None,
            "met": None,
        },
        {
            "target": "errors",
            "value": total["errors"],
            "limit": ERROR_LIMIT,
            "met": total["errors"] <= ERROR_LIMIT,
        },
    ]
    for label, memory in total["memory"].items():
        growth = memory["growth_pct"]
        met = None if growth is None else growth <= GROWTH_LIMIT_PCT
        found.append(
            {"target": f"memory growth, {label} (%)", "value": growth, "limit": GROWTH_LIMIT_PCT, "met": met}
        )
    drift = total["p95_drift_pct"]
    found.append(
        {
            "target": f"p95 drift, last {total['drift_span_s']:.0f} s vs first (%)",
            "value": drift,
            "limit": DRIFT_LIMIT_PCT,
            "met": None if drift is None else drift <= DRIFT_LIMIT_PCT,
        }
    )
    found.append(
        {
            "target": "Rasa CPU time per message, last vs first (%, no target: is the work per message growing?)",
            "value": total.get("rasa_cpu_drift_pct"),
            "limit": None,
            "met": None,
        }
    )
    return found


def _tables(figures: dict[str, Any]) -> list[tuple[str, tuple[str, ...], list[list[Any]]]]:
    labels = sorted({label for w in figures["windows"] for label in w["rss_mb"]})
    windows = [
        [
            w["t_s"],
            w["messages"],
            w["answered"],
            w["errors"],
            w["msg_per_s"],
            w["p95_ms"],
            w.get("rasa_cpu_ms_per_msg"),
            w.get("busy_pct"),
            w.get("steal_pct"),
            *(w["rss_mb"].get(k) for k in labels),
        ]
        for w in figures["windows"]
    ]
    total = figures["summary"]
    memory = [[label, m["first_mb"], m["last_mb"], m["growth_pct"]] for label, m in total["memory"].items()]
    return [
        ("Every 30 s (RSS in MB):", (*WINDOW_HEADERS, *labels), windows),
        (
            f"Memory from the sample at {total['memory_baseline_t_s']:.0f} s to the last:",
            MEMORY_HEADERS,
            memory,
        ),
        ("Targets (reported, not asserted):", report.TARGET_HEADERS, report.target_rows(figures["targets"])),
    ]


def _headline(figures: dict[str, Any]) -> str:
    total, options = figures["summary"], figures["options"]
    return (
        f"{total['messages']:,} messages in {total['duration_s']:.0f} s with {options['users']} users at "
        f"{options['rate']} msg/s ({options['rate_source']}): {total['answered']:,} answered "
        f"({total['achieved_rate']} msg/s), {total['errors']} error(s); p95 {total['p95_first_ms']} ms in the "
        f"first {total['drift_span_s']:.0f} s, {total['p95_last_ms']} ms in the last; Rasa's CPU time per "
        f"message {total.get('rasa_cpu_ms_per_msg_first')} ms, then {total.get('rasa_cpu_ms_per_msg_last')} ms; "
        f"steal {total.get('steal_pct_mean')}% of the cores on average"
    )


def text_report(figures: dict[str, Any]) -> str:
    """Every table, for the terminal."""
    parts = [f"Soak {report.machine_line(figures)}", "", _headline(figures)]
    for title, headers, rows in _tables(figures):
        parts += ["", title, report.table(headers, rows)]
    parts += ["", *[f"note: {n}" for n in figures["notes"]]] if figures["notes"] else []
    return "\n".join(parts)


def markdown_report(figures: dict[str, Any]) -> str:
    """Every table in Markdown, for the README."""
    parts = [f"Latest soak: {report.machine_line(figures)}.", "", _headline(figures) + "."]
    for title, headers, rows in _tables(figures):
        parts += ["", title, "", report.markdown(headers, rows)]
    parts += ["", *[f"- {n}" for n in figures["notes"]]] if figures["notes"] else []
    return "\n".join(parts) + "\n"


def _calibrate(bot: bots.Bot) -> float:
    _say(f"no throughput in {BENCH}: measuring it with {CALIBRATION_MESSAGES} messages at {USERS} users ...")
    result = asyncio.run(
        loadgen.run_load(
            bot.name, bot.rest_url, loadgen.ASSISTANT_SCRIPTS, USERS, CALIBRATION_MESSAGES, bot.pids()
        )
    )
    return result.throughput


def _measure(bot: bots.Bot, args: argparse.Namespace, figures: dict[str, Any]) -> None:
    figures["cold_start_s"] = bot.cold_start_s
    figures["processes"] = bot.pids()
    _say(f"assistant: first reply {bot.cold_start_s} s after start; processes {bot.pids()}")
    failed = asyncio.run(loadgen.warm_up(bot.rest_url, loadgen.ASSISTANT_SCRIPTS, "soak"))
    if failed:
        _say(f"{failed} warm-up message(s) failed")
    rate, source = args.rate, "--rate"
    if rate is None:
        rate, source = bench_rate(), f"make bench at {USERS} users"
    if rate is None:
        rate, source = (
            _calibrate(bot),
            f"measured before the soak, {CALIBRATION_MESSAGES} messages at {USERS} users",
        )
    figures["options"].update(rate=round(rate, 2), rate_source=source)
    seconds = args.minutes * 60
    _say(f"{USERS} users at {rate:.2f} msg/s ({source}) for {seconds:.0f} s ...")
    windows, per_window, duration = asyncio.run(_soak(bot, rate, seconds))
    figures["windows"] = windows
    figures["summary"] = summary(windows, per_window, duration)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the assistant is stopped and the temporary folder removed
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    figures: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "options": {
            "minutes": args.minutes,
            "users": USERS,
            "every_s": EVERY_S,
            "rasa_workers": args.workers,
        },
        "notes": [],
    }
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        root, patched = bots.snapshot(work / "project")
        if patched:
            figures["notes"].append("endpoints.yml: ${ACTION_SERVER_URL} unquoted in the measured copy.")
        _say(f"starting the assistant (runtime/supervisor.py, RASA_WORKERS={args.workers}) ...")
        try:
            bots.ensure_model(root)
            env = stack.enter_context(bots.layout(args.workers))
            bot = stack.enter_context(bots.assistant(work / "assistant", root, env))
        except (RuntimeError, subprocess.CalledProcessError) as error:
            _say(f"the assistant did not start: {error}")
            return 1
        _measure(bot, args, figures)
    busy = figures["machine"]["load_average"][0]
    if busy > figures["machine"]["cores"] * 0.5:
        figures["notes"].append(
            f"The machine was busy at the start (load average {busy:.1f}): noisy figures."
        )
    figures["notes"].append("The load generator runs on the same cores as the assistant.")
    figures["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    figures["targets"] = targets(figures)
    report.write(args.out, figures, markdown_report)
    print()
    print(text_report(figures))
    print(f"\nsoak: figures written to {args.out} and {args.out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
