#!/usr/bin/env python3
"""The two commands a newcomer needs: `python3 dev.py start` and `python3 dev.py test`.

Both create `.venv/` on first use and install exactly the versions in uv.lock into it (again
whenever uv.lock or pyproject.toml changes), so a fresh clone needs nothing but Python 3.11+.
The installer is the uv release pyproject.toml names, put into `.venv-uv/` with pip.

`python3 dev.py test [pytest args]` runs `ruff check .` and `ruff format --check .`, then
`mypy` (on the files pyproject.toml names; any error fails it), then pytest in two processes
(`-n 0` for one); the first that fails stops it.

`python3 dev.py test-floors [pytest args]` builds `.venv-lowest/` from the lowest versions
pyproject.toml allows and runs pytest on them (no ruff or mypy there).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""
VENV = ROOT / ".venv"
PY = VENV / BIN / f"python{EXE}"
STAMP = VENV / ".installed"
TOOLS = ROOT / ".venv-uv"
UV = TOOLS / BIN / f"uv{EXE}"
LOWEST = ROOT / ".venv-lowest"
# uv finds no Python of its own to download: every environment uses the one running dev.py.
UV_ENV = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_PROJECT_ENVIRONMENT": str(VENV)}


def in_two_processes(pytest_args: list[str]) -> list[str]:
    """pytest's arguments, run in two processes (tests go to whichever is free; the conftest
    keeps a module that shares a fixture in one) unless they name their own `-n` (`-n 0`
    runs in this one)."""
    if any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in pytest_args):
        return pytest_args
    return ["-n", "2", *pytest_args]


def run_env(venv_dir: Path) -> dict[str, str]:
    """The environment the product and the tests run in: compiled modules are kept (inside the
    virtual environment, out of the tree) even where the machine says not to write them, since
    compiling every module afresh costs each process, and each test that starts one, seconds."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(venv_dir / "pycache")}


def pinned_uv() -> str:
    import tomllib  # only after the version check: Python 3.11 brought it

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return project["tool"]["uv"]["required-version"].removeprefix("==")


def ensure_uv() -> Path:
    version = pinned_uv()
    marker = TOOLS / ".version"
    if not UV.exists() or not marker.exists() or marker.read_text() != version:
        print(f"Installing uv {version} into .venv-uv ...", flush=True)
        venv.create(TOOLS, with_pip=True, clear=True)
        tools_py = TOOLS / BIN / f"python{EXE}"
        subprocess.check_call([str(tools_py), "-m", "pip", "install", "-q", f"uv=={version}"])
        marker.write_text(version)
    return UV


def ensure_venv(extras: str) -> None:
    inputs = [(ROOT / name).read_bytes() for name in ("uv.lock", "pyproject.toml")]
    wanted = hashlib.sha256(b"".join(inputs) + extras.encode()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    uv = ensure_uv()
    print("Installing dependencies from uv.lock into .venv ...", flush=True)
    command = [str(uv), "sync", "--locked", "--quiet", "--python", sys.executable]
    if extras:
        command += ["--extra", extras]
    if subprocess.call(command, cwd=ROOT, env=UV_ENV):
        sys.exit("Installing from uv.lock failed (pyproject.toml changed? README: Dependencies).")
    STAMP.write_text(wanted)


def test_floors(pytest_args: list[str]) -> int:
    """The suite on the lowest version of each dependency pyproject.toml allows (the rest of
    the tree as new as they go): a floor set too low fails here, not on someone's install."""
    ensure_uv()
    print("Installing the lowest allowed versions into .venv-lowest ...", flush=True)
    env = {k: v for k, v in UV_ENV.items() if k != "UV_PROJECT_ENVIRONMENT"}
    python = LOWEST / BIN / f"python{EXE}"
    uv = str(UV)
    subprocess.check_call(
        [uv, "venv", "--quiet", "--clear", "--python", sys.executable, str(LOWEST)], env=env
    )
    install = [uv, "pip", "install", "--quiet", "--python", str(python)]
    subprocess.check_call(
        [*install, "--resolution", "lowest-direct", "-e", ".[test]"], cwd=ROOT, env=env
    )
    return subprocess.call(
        [str(python), "-m", "pytest", *in_two_processes(pytest_args)],
        cwd=ROOT,
        env=run_env(LOWEST),
    )


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py may be run by an older python3)
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command == "start":
        ensure_venv("test")
        return subprocess.call([str(PY), "-m", "bot", "start", *rest], cwd=ROOT, env=run_env(VENV))
    if command == "test":
        ensure_venv("test")
        checks = (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"])
        for check in checks:  # mypy reads its files from pyproject
            failed = subprocess.call([str(PY), "-m", *check], cwd=ROOT)
            if failed:
                return failed
        pytest = [str(PY), "-m", "pytest", *in_two_processes(rest)]
        return subprocess.call(pytest, cwd=ROOT, env=run_env(VENV))
    if command == "test-floors":
        return test_floors(rest)
    if command == "bot":
        ensure_venv("test")
        return subprocess.call([str(PY), "-m", "bot", *rest], cwd=ROOT, env=run_env(VENV))
    print(__doc__)
    print("usage: python3 dev.py start | test [pytest args] | test-floors [pytest args] | bot ...")
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
