"""A scenario copied into a later test is the scenario as played: the same rows, the same Slack
side, the same time, and the app carries on from it as it would have."""

from __future__ import annotations

import copy
from typing import Any

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import Action, Command, Field
from bot.sandbox import Sandbox
from tests.conftest import LEAD, empty, sandbox_on
from tests.flows import create_programme, enrol_cohort, preview
from tests.scenarios import copy_rows, play


async def enrolled(box: Sandbox, clock: FakeClock) -> str:
    await enrol_cohort(box)
    return "enrolled"


def slack_side(box: Sandbox) -> dict[str, Any]:
    state = box.double.state
    seen = {
        "messages": state.messages,
        "ephemeral": state.ephemeral,
        "views": box.double.views,
        "users": sorted(box.workspace.users),
        "writes": [(c.method, unique(c.args)) for c in box.double.calls if not is_read(c.method)],
    }
    return copy.deepcopy(seen)


def unique(args: dict[str, Any]) -> dict[str, Any]:
    """What a call said, less the trigger id Slack makes at random for each request."""
    return {name: value for name, value in args.items() if name != "trigger_id"}


def is_read(method: str) -> bool:
    # The app's caches start cold in a later test: it may ask again who someone is.
    return method in ("auth.test", "users.info")


async def matched(box: Sandbox) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scenario carried on: new rows after the copied ones, new messages after theirs."""
    await create_programme(box, LEAD, **{Field.NAME: "Second cohort"})
    await box.command(LEAD, Command.ADMIN, "match Digital cohort")
    await box.press(LEAD, preview(box), Action.APPROVE_MATCH)
    assert box.db is not None
    rows = await copy_rows(box.db)
    # Slack's trigger ids are random; the app keeps one per request it has handled.
    rows["handled_request"] = [len(rows["handled_request"])]  # type: ignore[list-item]
    return rows, slack_side(box)


def differences(seen: Any, wanted: Any) -> list[str]:
    """Which tables and which parts of Slack's side differ, and how, for the failure message:
    of a list, only the items that differ, each with what differs in it."""
    (rows, slack), (want_rows, want_slack) = seen, wanted
    return [
        f"{part} {name}: {line}"
        for part, mine, theirs in (("table", rows, want_rows), ("slack", slack, want_slack))
        for name in sorted(set(mine) | set(theirs))
        if mine.get(name) != theirs.get(name)
        for line in _what_differs(mine.get(name), theirs.get(name))
    ]


def _what_differs(mine: Any, theirs: Any) -> list[str]:
    if not (isinstance(mine, list) and isinstance(theirs, list)):
        return [f"{mine!r} != {theirs!r}"]
    lines = [f"{len(mine)} items != {len(theirs)}"] if len(mine) != len(theirs) else []
    for at in range(max(len(mine), len(theirs))):
        a = mine[at] if at < len(mine) else None
        b = theirs[at] if at < len(theirs) else None
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            lines.append(f"[{at}] " + ", ".join(f"{k}: {a.get(k)!r} != {b.get(k)!r}" for k in keys))
        else:
            lines.append(f"[{at}] {a!r} != {b!r}")
    return lines


async def test_a_copied_scenario_is_the_one_played(db: Database, clock: FakeClock) -> None:
    played = await sandbox_on(db, clock).start()
    try:
        assert await play(played, clock, enrolled) == "enrolled"
        assert played.db is not None
        rows, slack, now = await copy_rows(played.db), slack_side(played), clock.now()
        after = await matched(played)
    finally:
        await played.stop()

    await empty(db)
    clock = FakeClock(clock.now().replace(year=2030))  # a later test's own clock
    copied = await sandbox_on(db, clock).start()
    try:
        assert await play(copied, clock, enrolled) == "enrolled"
        assert copied.db is not None
        assert await copy_rows(copied.db) == rows
        assert slack_side(copied) == slack
        assert clock.now() == now
        again = await matched(copied)
        differ = differences(again, after)
        assert not differ, "\n".join(differ)  # each difference in full, not cut short
    finally:
        await copied.stop()
