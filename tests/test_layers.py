"""The code flows one way: listeners -> flows -> services -> models, with views beside them.
A listener never imports another listener, nothing below the listeners imports them, nothing
below the flows imports the flows, and services and views never import Slack's libraries.
No function runs on for screens either."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def modules_in(package: str) -> list[Path]:
    return sorted((BOT / package).rglob("*.py"))


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(BOT.parent)} imports {name}"
        for path in modules_in(package)
        for name in sorted(imports_of(path))
        if name.startswith(forbidden)
    ]


def test_listeners_never_import_each_other() -> None:
    wrong = [
        f"{path.name} imports {name}"
        for path in modules_in("listeners")
        if path.name != "__init__.py"  # the one place every route is wired
        for name in sorted(imports_of(path))
        if name.startswith("bot.listeners.") or name == "bot.listeners"
    ]
    assert wrong == []


def test_nothing_below_the_listeners_imports_them() -> None:
    below = ("flows", "services", "views", "slack", "jobs")
    assert [o for package in below for o in offenders(package, ("bot.listeners",))] == []


def test_nothing_below_the_flows_imports_them() -> None:
    below = ("services", "views", "slack", "jobs")
    assert [o for package in below for o in offenders(package, ("bot.flows",))] == []


def test_services_and_views_know_nothing_of_slack() -> None:
    slack = ("slack_bolt", "slack_sdk", "bot.slack")
    assert offenders("services", slack) == []
    # Views build Block Kit as plain dicts; slack_sdk's models may check them, nothing else.
    assert [o for o in offenders("views", slack) if "slack_sdk.models" not in o] == []


def test_every_form_goes_through_the_form_contract() -> None:
    """A submitted form is checked once, in its acknowledgement, and its work gets the typed
    result: `form(app.view(...), check=...)` (or `step(...)` for a form whose answer is the
    next form), never a bare route with its own ack."""
    routed = ("form(app.view(", "step(app.view(")
    bare = []
    for path in modules_in("listeners"):
        text = path.read_text()
        for way in routed:
            text = text.replace(way, "")
        if "app.view(" in text:
            bare.append(path.name)
    assert bare == []


MAX_FUNCTION_LINES = 80


def test_no_function_is_longer_than_a_screen_or_two() -> None:
    """A function longer than this hides more than one step; split it into named ones."""
    long = [
        f"{path.relative_to(BOT.parent)}:{node.lineno} {node.name} "
        f"({node.end_lineno - node.lineno + 1} lines)"
        for path in sorted(BOT.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_every_request_s_steps_are_added_through_every_request() -> None:
    """Bolt builds every argument a listener could name for each call of a function
    middleware, on every request: the app's own steps go through routing.every_request,
    which Bolt calls as they are, and nothing adds one another way."""
    added = []
    for path in sorted(BOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"middleware", "use"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "app"
            ):
                added.append(f"{path.relative_to(BOT.parent)}: app.{node.attr}")
    assert added == ["bot/slack/routing.py: app.use"]
