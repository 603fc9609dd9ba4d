"""A participant asks for a new partner: after a confirmation the pair ends with the same
words to both (never who asked), both are back in the pool and never paired again, and the
leads are told who asked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Action, Command
from bot.models import Pair, PairConstraint, PairEnd, PairStatus
from bot.sandbox import Sandbox
from tests.conftest import EXEC, LEAD, MENTOR, OUTSIDER
from tests.flows import confirm_pairs, replay_as
from tests.scenarios import play


async def reach_paired(sandbox: Sandbox, clock: FakeClock) -> None:
    await play(sandbox, clock, confirm_pairs)


@pytest.fixture
async def paired(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_paired)
    return sandbox


async def test_a_no_fault_rematch_ends_the_pair_kindly(paired: Sandbox) -> None:
    box = paired
    await box.command(EXEC, Command.PARTICIPANT, "rematch")
    asked = box.last_ephemeral(EXEC)
    assert "never told who asked" in str(asked["blocks"])
    async with box.db.transaction() as session:  # nothing happens before the confirmation
        assert await session.scalar(select(Pair.status).where(Pair.id == 1)) == PairStatus.CONFIRMED

    pressed = await box.press(EXEC, asked, Action.NO_FAULT_CONFIRM)
    assert box.replies(EXEC)[-1]["text"].startswith("Done: your pairing has ended")
    to_mia, to_eve = box.last_dm(MENTOR), box.last_dm(EXEC)
    assert "no fault on either side" in to_mia and "Eve Exec" in to_mia
    assert to_mia.replace("Eve Exec", "X") == to_eve.replace("Mia Mentor", "X")  # same words
    assert "asked for a no-fault re-match" in box.last_dm(LEAD) and EXEC in box.last_dm(LEAD)
    async with box.db.transaction() as session:
        pair = await session.scalar(select(Pair).where(Pair.ended_by.is_not(None)))
        assert pair is not None and pair.ended_by == PairEnd.NO_FAULT
        assert pair.status == PairStatus.DISSOLVED
        never_again = await session.scalar(
            select(PairConstraint).where(
                PairConstraint.mentor_id == pair.mentor_id,
                PairConstraint.mentee_id == pair.mentee_id,
            )
        )
        assert never_again is not None

    # The same press again changes nothing; someone else's forged press neither.
    await replay_as(box, pressed, EXEC)
    assert box.replies(EXEC)[-1]["text"].startswith("This pairing has ended")
    await replay_as(box, pressed, OUTSIDER)
    assert "someone else's conversation" in box.replies(EXEC)[-1]["text"]


async def test_keeping_the_pair_and_having_none(paired: Sandbox) -> None:
    box = paired
    await box.command(MENTOR, Command.PARTICIPANT, "rematch")
    await box.press(MENTOR, box.last_ephemeral(MENTOR), Action.NO_FAULT_CANCEL)
    assert box.replies(MENTOR)[-1]["text"] == "Your pair stays as it is."
    await box.command(OUTSIDER, Command.PARTICIPANT, "rematch")
    assert "not in a confirmed pair" in box.replies(OUTSIDER)[-1]["text"]
