"""The machine the benchmark runs on, and the resident memory of processes (from /proc)."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

PROC = Path("/proc")


def machine_info() -> dict[str, Any]:
    """uname -a, CPU model, core count, memory and load average at the start of the run."""
    cpu = "unknown"
    cpuinfo = PROC / "cpuinfo"
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    meminfo = PROC / "meminfo"
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "uname": uname or " ".join(platform.uname()),
        "cpu": cpu,
        "cores": os.cpu_count() or 0,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def _megabytes(pid: int, file: str, field: str) -> float | None:
    """The kB figure `field` of /proc/<pid>/<file> in MB, or None when the process is gone."""
    try:
        for line in (PROC / str(pid) / file).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def rss_mb(pid: int) -> float | None:
    """Resident memory (VmRSS) of a process in MB, or None when it is gone."""
    return _megabytes(pid, "status", "VmRSS:")


def pss_mb(pid: int) -> float | None:
    """Proportional memory (Pss) of a process in MB: its resident pages, each page shared with other processes
    counted as its share (the Sanic workers of a Rasa server share what their parent loaded before forking
    them, which RSS would count once per process); None when it is gone."""
    return _megabytes(pid, "smaps_rollup", "Pss:")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used so far (user + system, in seconds), or None when it is gone."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


def machine_cpu() -> dict[str, float]:
    """The machine's CPU time so far in seconds: busy (user, nice, system, irq, softirq) and steal (taken by
    the hypervisor for other machines while this one wanted to run)."""
    fields = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return {"busy": (user + nice + system + irq + softirq) / CLOCK_TICKS, "steal": steal / CLOCK_TICKS}


def _parent(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces: fields after the last ')'
    return int(stat.rsplit(")", 1)[1].split()[1])


def command_line(pid: int) -> str:
    """The command line of a process ('' when it is gone)."""
    try:
        return (
            (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        )
    except OSError:
        return ""


def descendants(root: int) -> list[int]:
    """Every live process below `root` (children, grandchildren, ...)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            parent = _parent(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return sorted(found)


def process_label(pid: int) -> str:
    """A short name for a process of the assistant or the reference bot, from its command line."""
    argv = command_line(pid)
    if "actions.server" in argv:
        return "action server"
    if "bot.web" in argv:
        return "web gateway"
    if "bot.telegram" in argv:
        return "telegram bridge"
    if "rasa run actions" in argv or "rasa_sdk" in argv:
        return "action server"
    if "rasa run" in argv or "rasa_ext.server run" in argv or argv.endswith("rasa"):
        return "rasa server"
    if "runtime.supervisor" in argv:
        return "supervisor (run.py)"
    return Path(argv.split(" ", 1)[0]).name if argv else str(pid)
