"""Train the Rasa model only when what it is built from changed; keep the few newest models.

The model is named by a hash of config.yml, domain.yml, data/ and the custom NLU component (with the text folding it uses), so an unchanged
project reuses its model in well under a second.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
KEEP = 3
INPUTS = ["config.yml", "domain.yml", "data", "rasa_ext/normalizer.py", "assistant/text.py"]


def content_hash() -> str:
    """A hash of every file the model is trained from (paths and contents)."""
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    """Where the model for the current content lives (it may not exist yet)."""
    return MODELS / f"model-{content_hash()}.tar.gz"


def prune() -> None:
    """Keep only the KEEP newest models."""
    models = sorted(MODELS.glob("model-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP:]:
        old.unlink()


def main() -> int:
    MODELS.mkdir(exist_ok=True)
    # One training at a time: a second caller (another test session, make run) waits and reuses the model.
    with (MODELS / ".train.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _train()


def _train() -> int:
    target = model_path()
    if target.exists():
        target.touch()
        print(f"train: model up to date ({target.relative_to(ROOT)})")
        return 0
    print(f"train: config, domain or data changed; training {target.name} (a few minutes)")
    started = time.monotonic()
    rasa = Path(sys.executable).parent / "rasa"
    command = [
        str(rasa),
        "train",
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
        "--out",
        str(MODELS),
    ]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0 or not target.exists():
        print("train: rasa train failed", file=sys.stderr)
        return 1
    print(f"train: trained in {time.monotonic() - started:.0f} s -> {target.relative_to(ROOT)}")
    prune()
    return 0


if __name__ == "__main__":
    sys.exit(main())
