"""Full training time of the assistant: `rasa train --force` into a temporary folder, with its own cache."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from scripts.bench.bots import COMMON_ENV

BIN = Path(sys.executable).parent


def train_assistant(root: Path, model: Path, folder: Path) -> float:
    """Seconds of a full `rasa train --force` of the project copy `root` into `model`, with an empty
    training cache in `folder` (so no component is restored from an earlier training)."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "train.log"
    env = {**os.environ, **COMMON_ENV, "PYTHONPATH": str(root), "RASA_CACHE_DIRECTORY": str(folder / "cache")}
    name = model.name.removesuffix(".tar.gz")
    argv = [str(BIN / "rasa"), "train", "--force", "--out", str(model.parent), "--fixed-model-name", name]
    started = time.perf_counter()
    with log.open("wb") as out:
        result = subprocess.run(argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0 or not model.exists():
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"rasa train failed (exit {result.returncode}):\n{tail}")
    return seconds
