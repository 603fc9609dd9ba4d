"""One of a pair pauses it for a while: the partner and the leads see until when, nothing
nudges them meanwhile, and on the day it ends the pair resumes by itself and both are told."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.ids import Command, Field, View
from bot.sandbox import Sandbox
from tests.conftest import EXEC, LEAD, MENTOR
from tests.flows import agree, confirm_pairs
from tests.scenarios import play
from tests.test_momentum_flows import at, nudges, tick


async def reach_agreed(sandbox: Sandbox, clock: FakeClock) -> None:
    await agree(sandbox, await play(sandbox, clock, confirm_pairs))


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_agreed)
    return sandbox


async def pause(box: Sandbox, user: str, weeks: str) -> object:
    await box.command(user, Command.PARTICIPANT, "pause")
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.PAUSE_SELF
    return await box.submit(user, modal["id"], {Field.WEEKS: weeks})


async def test_a_pause_silences_the_pair_and_ends_by_itself(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    # Agreed 9 Jan: the first rung would fall on 6 Feb. Eve pauses for four weeks on 2 Feb.
    clock.set(at("02-02", 12))
    await pause(box, EXEC, "4")
    assert box.last_dm(EXEC).startswith("Your pair with Mia Mentor is paused until Mon 02 Mar")
    assert "Eve Exec paused your reverse mentoring pair until Mon 02 Mar" in box.last_dm(MENTOR)
    assert "until Mon 02 Mar" in box.last_dm(LEAD)
    again = await pause(box, MENTOR, "1")
    assert "already paused until Mon 02 Mar" in str(again.json())  # type: ignore[attr-defined]

    for day in ("02-06", "02-13", "02-20", "03-01"):
        await tick(box, clock, at(day, 14), "momentum", "surveys", "deliver")
    assert nudges(box, MENTOR) == nudges(box, EXEC) == []

    await tick(box, clock, at("03-02", 14), "momentum", "deliver")
    assert box.last_dm(MENTOR).startswith("Your pause with Eve Exec is over")
    assert box.last_dm(EXEC).startswith("Your pause with Mia Mentor is over")
    await tick(box, clock, at("03-02", 20), "momentum", "deliver")  # told once
    assert len([m for m in box.dms(MENTOR) if "pause with" in m["text"]]) == 1
    # The ladder starts again from the day it resumed: the first rung 28 days later.
    await tick(box, clock, at("03-29", 14), "momentum", "deliver")
    assert nudges(box, MENTOR) == []
    await tick(box, clock, at("03-30", 14), "momentum", "deliver")
    assert len(nudges(box, MENTOR)) == 1
