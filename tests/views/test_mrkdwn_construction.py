"""Escaping by construction: the code itself is read, so a new view cannot forget the rules.

- Only bot/views/mrkdwn.py calls `Mrkdwn(...)`: everything else gets it from its helpers.
- `mrkdwn()` and `join()` take a literal template or separator: values go in as arguments.
- No literal outside mrkdwn.py writes a Slack sequence (`<@`, `<#`, `<!`, `<http`): mentions,
  channels, dates and links come from their helpers.
- No f-string or `%`/`.format()` text goes straight into a mrkdwn position (a section, a
  context, a reply, a message's `text=`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"
HOME = BOT / "views" / "mrkdwn.py"
# The sandbox plays Slack's side (the double, the signer, the demo's people), never the app's.
SANDBOX = BOT / "sandbox"
SEQUENCES = ("<@", "<#", "<!", "<http")
# Calls whose first argument, and keywords, that Slack reads as mrkdwn.
MRKDWN_ARGUMENT = {"section", "context", "md", "reply", "show"}
MRKDWN_KEYWORDS = {"text", "initial_comment"}


def app_modules() -> list[Path]:
    return sorted(path for path in BOT.rglob("*.py") if SANDBOX not in path.parents)


def calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def called(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(BOT.parent)}:{getattr(node, 'lineno', '?')}"


def formatted(node: ast.AST) -> bool:
    """Text built by formatting rather than by the mrkdwn helpers."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return isinstance(node.left, ast.Constant | ast.JoinedStr) and (
            isinstance(node.op, ast.Mod) or formatted(node.left) or formatted(node.right)
        )
    if isinstance(node, ast.Call) and called(node) == "format":
        return isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant)
    return False


@pytest.fixture(scope="module")
def parsed() -> dict[Path, ast.AST]:
    return {path: ast.parse(path.read_text(), str(path)) for path in app_modules()}


def test_the_modules_read_include_the_views_listeners_and_jobs(
    parsed: dict[Path, ast.AST],
) -> None:
    folders = {path.parent.name for path in parsed}
    assert {"views", "listeners", "jobs", "slack", "services"} <= folders
    assert HOME in parsed and not any(SANDBOX in path.parents for path in parsed)


def test_only_the_mrkdwn_module_makes_mrkdwn(parsed: dict[Path, ast.AST]) -> None:
    made = [
        where(path, call)
        for path, tree in parsed.items()
        if path != HOME
        for call in calls(tree)
        if called(call) == "Mrkdwn"
    ]
    assert made == []


def test_templates_and_separators_are_literals(parsed: dict[Path, ast.AST]) -> None:
    found, wrong = 0, []
    for path, tree in parsed.items():
        for call in calls(tree):
            # The helpers are imported by name; `str.join` and a query's `.join` are not them.
            if not (isinstance(call.func, ast.Name) and call.func.id in ("mrkdwn", "join")):
                continue
            found += 1
            first = call.args[0] if call.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                wrong.append(where(path, call))
    assert found > 100  # the views are built this way, so this reads them
    assert wrong == []


def test_no_literal_writes_a_slack_sequence(parsed: dict[Path, ast.AST]) -> None:
    written = []
    for path, tree in parsed.items():
        if path == HOME:
            continue
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and any(s in text for s in SEQUENCES):
                written.append(f"{where(path, node)} {text[:60]!r}")
    assert written == []


def test_no_formatted_text_goes_straight_into_mrkdwn(parsed: dict[Path, ast.AST]) -> None:
    straight = []
    for path, tree in parsed.items():
        for call in calls(tree):
            arguments = [k.value for k in call.keywords if k.arg in MRKDWN_KEYWORDS]
            if called(call) in MRKDWN_ARGUMENT and call.args:
                arguments.append(call.args[0])
            straight += [where(path, a) for a in arguments if formatted(a)]
    assert straight == []


def test_the_rules_catch_what_they_are_for() -> None:
    """Each rule, on a line that breaks it."""
    tree = ast.parse(
        'section(f"<@{user}> said {words}")\n'
        "mrkdwn(template, name=name)\n"
        'reply("Hi %s" % name)\n'
        'client.chat_postMessage(text="{} left".format(name))\n'
    )
    first, second, third, fourth = (stmt.value for stmt in tree.body)  # type: ignore[attr-defined]
    assert formatted(first.args[0]) and "<@" in first.args[0].values[0].value
    assert not isinstance(second.args[0], ast.Constant)
    assert formatted(third.args[0])
    assert formatted(fourth.keywords[0].value)
    assert not formatted(ast.parse('"plain words"').body[0].value)  # type: ignore[attr-defined]
