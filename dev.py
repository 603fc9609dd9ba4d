#!/usr/bin/env python3
"""The two commands a newcomer needs: `python3 dev.py start` and `python3 dev.py test`.

Both create `.venv/` on first use and (re)install the project into it whenever
pyproject.toml changes, so a fresh clone needs nothing but Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".installed"


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py may be run by an older python3)
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
    if not PY.exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing dependencies into .venv ...", flush=True)
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
        target = f".[{extras}]" if extras else "."
        subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "-e", target], cwd=ROOT)
        STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command == "start":
        ensure_venv("test")
        return subprocess.call([str(PY), "-m", "bot", "start", *rest], cwd=ROOT)
    if command == "test":
        ensure_venv("test")
        lint = subprocess.call([str(PY), "-m", "ruff", "check", "."], cwd=ROOT)
        if lint:
            return lint
        return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT)
    if command == "bot":
        ensure_venv("test")
        return subprocess.call([str(PY), "-m", "bot", *rest], cwd=ROOT)
    print(__doc__)
    print("usage: python3 dev.py start | test [pytest args] | bot <subcommand>")
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
