"""Every id in bot/ids.py is used by the app: an id nothing shows or listens for is a leftover
that misleads whoever reads the list of what Slack can send."""

from __future__ import annotations

import ast
import enum
from pathlib import Path

from bot import ids

BOT = Path(__file__).resolve().parent.parent / "bot"
ID_KINDS = {
    name: kind
    for name, kind in vars(ids).items()
    if isinstance(kind, type) and issubclass(kind, enum.Enum) and kind.__module__ == ids.__name__
}


def named_in_the_app() -> set[tuple[str, str]]:
    """(kind, member) of every `Kind.MEMBER` written in bot/, outside ids.py itself."""
    named = set()
    for path in BOT.rglob("*.py"):
        if path.name == "ids.py" and path.parent == BOT:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in ID_KINDS
            ):
                named.add((node.value.id, node.attr))
    return named


def test_the_scan_finds_the_kinds_of_ids() -> None:
    assert {"Command", "Shortcut", "View", "Action", "Field"} <= ID_KINDS.keys()
    assert ("View", "OPEN_ENROLMENT") in named_in_the_app()


def test_every_id_is_used_somewhere_in_the_app() -> None:
    named = named_in_the_app()
    unused = [
        f"{kind_name}.{member.name}"
        for kind_name, kind in ID_KINDS.items()
        for member in kind
        if (kind_name, member.name) not in named
    ]
    assert unused == []
