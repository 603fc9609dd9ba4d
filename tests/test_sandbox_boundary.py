"""Production never loads the sandbox: no module under bot/ outside bot/sandbox/ imports
bot.sandbox, except the CLI's `demo` command inside its own function. An import elsewhere would
put the Slack double, the signer and the demo into every running bot."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

BOT = ROOT / "bot"
SANDBOX = "bot.sandbox"
# (file, function) pairs allowed to import the sandbox; the CLI's demo does, lazily.
ALLOWED = {("bot/__main__.py", "demo")}


def _module(path: Path) -> tuple[str, bool]:
    """The dotted module name of a file under the repository root, and whether it is a package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The absolute names an import statement loads, relative imports resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    # `from bot import sandbox` loads bot.sandbox through the imported name.
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def sandbox_imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, enclosing function or "module level") of each import of bot.sandbox in source.
    Class bodies run at import time, so an import there counts as module level."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, scope: str, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{scope}.{child.name}" if scope else child.name
                is_function = not isinstance(child, ast.ClassDef)
                visit(child, name, in_function or is_function)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                names = _names(child, module, is_package)
                if any(n == SANDBOX or n.startswith(SANDBOX + ".") for n in names):
                    found.append((child.lineno, scope if in_function else "module level"))
            else:
                visit(child, scope, in_function)

    visit(ast.parse(source), "", False)
    return found


def test_production_modules_do_not_import_the_sandbox() -> None:
    production = [p for p in sorted(BOT.rglob("*.py")) if BOT / "sandbox" not in p.parents]
    assert BOT / "__main__.py" in production and BOT / "app.py" in production
    seen: set[tuple[str, str]] = set()
    offenders: list[str] = []
    for path in production:
        where = path.relative_to(ROOT).as_posix()
        for line, scope in sandbox_imports(path.read_text(encoding="utf-8"), *_module(path)):
            seen.add((where, scope))
            if (where, scope) not in ALLOWED:
                offenders.append(f"{where}:{line} ({scope})")
    assert not offenders, f"production code imports bot.sandbox: {', '.join(offenders)}"
    # An allowance nobody uses any more should go, so it cannot quietly cover a new import.
    assert seen == ALLOWED


def test_the_check_finds_every_way_of_importing_the_sandbox() -> None:
    source = """
import bot.sandbox
from bot.sandbox.double import SlackDouble
from bot import sandbox
from .sandbox import demo
import bot.slack.client
from bot import sandboxed
if True:
    import bot.sandbox.signer
class Cli:
    from bot.sandbox import Sandbox
    def run(self):
        import bot.sandbox.demo
async def demo():
    def inner():
        from ..sandbox import box
"""
    assert sandbox_imports(source, "bot.slack.cli") == [
        (2, "module level"),
        (3, "module level"),
        (4, "module level"),
        (9, "module level"),
        (11, "module level"),
        (13, "Cli.run"),
        (16, "demo.inner"),
    ]
    # In a package's __init__, "." is the package itself.
    assert sandbox_imports("from . import sandbox", "bot", is_package=True) == [(1, "module level")]
    assert sandbox_imports("from .sandbox import x", "bot.app") == [(1, "module level")]
