"""The benchmark's figures as text tables, Markdown tables, target checks and the JSON file."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scripts.bench import workers

KB_QUERIES = (
    ("resolve_exact", "resolve"),
    ("resolve_typo", "resolve 1 typo"),
    ("find_in_text", "find_in_text 20 words"),
    ("rank", "retrieval.rank"),
    ("retrieval", "retrieval index search"),
    ("fulltext", "fulltext (SQLite)"),
)
LOOKUP_TARGETS = ("resolve_exact", "resolve_typo", "find_in_text", "retrieval")
RASA_MEMORY_LIMIT_MB = 1200.0
COLD_START_LIMIT_S = 30.0
TRAINING_LIMIT_S = 300.0


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with right-aligned figures."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for number, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """The same table in Markdown."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _memory(result: dict[str, Any], label: str, kind: str = "rss") -> float | None:
    """The peak memory of `label`'s processes together (a Rasa server with Sanic workers is several):
    resident (RSS) or proportional (PSS: shared pages counted once in all)."""
    values = [v for k, v in (result.get(f"{kind}_peak_mb") or {}).items() if k.startswith(label)]
    return round(sum(values), 1) if values else None


def load_rows(load: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for bot in ("assistant", "reference"):
        for r in load.get(bot, {}).get("levels", []):
            rows.append(
                [
                    bot,
                    r["concurrency"],
                    r["messages"],
                    r["throughput"],
                    r["p50_ms"],
                    r["p95_ms"],
                    r["p99_ms"],
                    r["errors"],
                    r["empty_replies"],
                    _memory(r, "rasa server"),
                    _memory(r, "rasa server", "pss"),
                    _memory(r, "action server"),
                    _memory(r, "web gateway"),
                    r["rss_peak_total_mb"],
                ]
            )
    return rows


LOAD_HEADERS = (
    "bot",
    "users",
    "msgs",
    "msg/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    "empty",
    "Rasa RSS MB",
    "Rasa PSS MB",
    "actions MB",
    "gateway MB",
    "all MB",
)
KB_HEADERS = ("entries", "build s", "SQLite load s", *(f"{label} p50/p95 µs" for _, label in KB_QUERIES))


def kb_rows(kb: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for r in kb:
        cells: list[Any] = [r["entries"], r["index_build_s"], r["sqlite_load_s"]]
        for key, _ in KB_QUERIES:
            cells.append(f"{r[key]['p50_us']:,.0f} / {r[key]['p95_us']:,.0f}")
        rows.append(cells)
    return rows


def timing_rows(figures: dict[str, Any]) -> list[list[Any]]:
    training = figures.get("training", {})
    cold = figures.get("cold_start", {})
    reload = figures.get("reload", {})
    rows: list[list[Any]] = [
        ["full training, assistant (rasa train --force)", training.get("assistant_s")],
        ["rasa init + training, reference", training.get("reference_init_s")],
        ["cold start to first reply, assistant (runtime/supervisor.py)", cold.get("assistant_s")],
        ["cold start to first reply, reference (rasa run)", cold.get("reference_s")],
        ["knowledge file saved -> new answer (median)", reload.get("median_s")],
        ["knowledge file saved -> new answer (worst)", reload.get("max_s")],
    ]
    return rows


def level(figures: dict[str, Any], bot: str, concurrency: int) -> dict[str, Any] | None:
    for level in figures.get("load", {}).get(bot, {}).get("levels", []):
        if level["concurrency"] == concurrency:
            return level
    return None


def targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue: the measured value, the limit and whether it is met (None: not measured)."""
    found: list[dict[str, Any]] = []

    def add(name: str, value: float | None, limit: float | None, met: bool | None) -> None:
        rounded = round(value, 2) if value is not None else None
        found.append({"target": name, "value": rounded, "limit": limit, "met": met})

    a10, r10 = level(figures, "assistant", 10), level(figures, "reference", 10)
    if a10 and r10 and r10["throughput"]:
        ratio = a10["throughput"] / r10["throughput"]
        add("throughput at 10 users / reference's (x)", ratio, 2.0, ratio >= 2.0)
        add(
            "p95 at 10 users (ms), limit = reference's",
            a10["p95_ms"],
            r10["p95_ms"],
            a10["p95_ms"] <= r10["p95_ms"],
        )
    else:
        add("throughput at 10 users / reference's (x)", None, 2.0, None)
        add("p95 at 10 users (ms), limit = reference's", None, None, None)
    a1, r1 = level(figures, "assistant", 1), level(figures, "reference", 1)
    if a1 and r1 and r1["p95_ms"]:
        ratio = a1["p95_ms"] / r1["p95_ms"]
        add("p95 at 1 user / reference's (x)", ratio, 1.5, ratio <= 1.5)
    else:
        add("p95 at 1 user / reference's (x)", None, 1.5, None)
    kb = {r["entries"]: r for r in figures.get("kb", {}).get("sizes", [])}
    for key, label in KB_QUERIES:
        if 1_000 in kb and 100_000 in kb:
            ratio = kb[100_000][key]["p95_us"] / max(kb[1_000][key]["p95_us"], 0.001)
            if key in LOOKUP_TARGETS:
                add(f"{label} p95 at 100k / at 1k (x)", ratio, 3.0, ratio <= 3.0)
            else:
                add(f"{label} p95 at 100k / at 1k (x, no target)", ratio, None, None)
        elif key in LOOKUP_TARGETS:
            add(f"{label} p95 at 100k / at 1k (x)", None, 3.0, None)
    levels = figures.get("load", {}).get("assistant", {}).get("levels", [])
    peaks = [_memory(level, "rasa server", "pss") or _memory(level, "rasa server") for level in levels]
    peak = max((p for p in peaks if p is not None), default=None)
    add(
        "Rasa server peak memory, PSS of all its processes (MB)",
        peak,
        RASA_MEMORY_LIMIT_MB,
        None if peak is None else peak <= RASA_MEMORY_LIMIT_MB,
    )
    cold = figures.get("cold_start", {}).get("assistant_s")
    add("cold start (s)", cold, COLD_START_LIMIT_S, None if cold is None else cold <= COLD_START_LIMIT_S)
    training = figures.get("training", {}).get("assistant_s")
    add(
        "full training (s)",
        training,
        TRAINING_LIMIT_S,
        None if training is None else training <= TRAINING_LIMIT_S,
    )
    return found


def target_rows(found: list[dict[str, Any]]) -> list[list[Any]]:
    return [[t["target"], t["value"], t["limit"], _met(t)] for t in found]


def _met(target: dict[str, Any]) -> str | bool:
    if target["met"] is not None:
        return bool(target["met"])
    return "no target" if target["limit"] is None and target["value"] is not None else "not measured"


TARGET_HEADERS = ("target", "measured", "limit", "met")


def machine_line(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    return (
        f"{figures['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB "
        f"(load average at start {', '.join(map(str, m['load_average']))}; "
        f"at the end {', '.join(map(str, m.get('load_average_end', [])))}, the benchmark's own work included); "
        f"{m['uname']}"
    )


def text_report(figures: dict[str, Any]) -> str:
    """Every table, for the terminal."""
    parts = [f"Benchmark {machine_line(figures)}"]
    if figures.get("load"):
        parts += [
            "",
            "Load through the REST channel (closed loop):",
            table(LOAD_HEADERS, load_rows(figures["load"])),
        ]
    if figures.get("workers"):
        parts += [
            "",
            "One Rasa server with 1 and 2 Sanic workers (Redis stores), 10 users:",
            table(workers.HEADERS, workers.rows(figures["workers"])),
        ]
    if figures.get("kb"):
        parts += ["", "Knowledge-base scaling:", table(KB_HEADERS, kb_rows(figures["kb"]["sizes"]))]
    parts += ["", "Training, start and reload (s):", table(("what", "s"), timing_rows(figures))]
    parts += [
        "",
        "Targets (reported, not asserted):",
        table(TARGET_HEADERS, target_rows(figures["targets"])),
    ]
    if figures.get("notes"):
        parts += ["", *[f"note: {n}" for n in figures["notes"]]]
    return "\n".join(parts)


def markdown_report(figures: dict[str, Any]) -> str:
    """Every table in Markdown, for the README."""
    parts = [f"Latest figures: {machine_line(figures)}."]
    if figures.get("load"):
        parts += ["", markdown(LOAD_HEADERS, load_rows(figures["load"]))]
    if figures.get("workers"):
        parts += ["", markdown(workers.HEADERS, workers.rows(figures["workers"]))]
    if figures.get("kb"):
        parts += ["", markdown(KB_HEADERS, kb_rows(figures["kb"]["sizes"]))]
    parts += ["", markdown(("what", "s"), timing_rows(figures))]
    parts += ["", markdown(TARGET_HEADERS, target_rows(figures["targets"]))]
    if figures.get("notes"):
        parts += ["", *[f"- {n}" for n in figures["notes"]]]
    return "\n".join(parts) + "\n"


def merge_previous(path: Path, figures: dict[str, Any]) -> dict[str, Any]:
    """Keep the sections of the previous run that this run did not measure (e.g. with --only)."""
    if not path.exists():
        return figures
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return figures
    merged = dict(figures)
    for section in ("load", "kb", "training", "cold_start", "reload", "workers"):
        if not figures.get(section) and previous.get(section):
            merged[section] = previous[section]
    for section in ("training", "cold_start"):  # partial sections: keep the other bot's figure
        old, new = previous.get(section) or {}, figures.get(section) or {}
        merged[section] = {**old, **{k: v for k, v in new.items() if v is not None}}
    return merged


def write(
    path: Path, figures: dict[str, Any], render: Callable[[dict[str, Any]], str] = markdown_report
) -> None:
    """latest.json and, next to it, latest.md with `render`'s tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(render(figures), encoding="utf-8")
