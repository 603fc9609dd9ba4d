"""The end of a programme: on its end date (1 Jul) it moves to review and its leads get a
summary of counts; when the end review closes (15 Jul) it closes, its pairs stop being
nudged, and the leads can start the next cohort from the closing note."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, View
from bot.models import Agreement, AgreementStatus, Pair, Programme, ProgrammeStatus
from bot.sandbox import Sandbox
from bot.views.admin import NOT_A_LEAD
from tests.conftest import LEAD, MENTOR
from tests.flows import agree, confirm_pairs, replay_as
from tests.scenarios import play
from tests.test_momentum_flows import at, log_session, tick


async def reach_agreed(sandbox: Sandbox, clock: FakeClock) -> None:
    await agree(sandbox, await play(sandbox, clock, confirm_pairs))


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_agreed)
    return sandbox


def lead_notes(box: Sandbox, mark: str) -> list[dict]:
    return [m for m in box.dms(LEAD) if mark in m["text"]]


async def status(box: Sandbox) -> ProgrammeStatus:
    async with box.db.transaction() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None
        return programme.status


async def test_the_programme_moves_to_review_then_closes(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    clock.set(at("02-10", 12))
    await log_session(box, MENTOR, "2026-02-10")
    async with box.db.transaction() as session:
        planned = await session.scalar(
            select(func.sum(Agreement.sessions_planned)).where(
                Agreement.status == AgreementStatus.CONFIRMED
            )
        )

    await tick(box, clock, at("06-30", 12), "programmes", "deliver")
    assert await status(box) == ProgrammeStatus.RUNNING
    assert lead_notes(box, "reached its end date") == []

    await tick(box, clock, at("07-01", 12), "programmes", "deliver")
    assert await status(box) == ProgrammeStatus.REVIEWING
    (summary,) = lead_notes(box, "reached its end date")
    shown = str(summary["blocks"])
    assert f"Sessions held:* 1 of {planned} planned" in shown
    assert "the review closes on Wed 15 Jul" in shown
    await tick(box, clock, at("07-01", 18), "programmes", "deliver")  # again: nothing new
    assert len(lead_notes(box, "reached its end date")) == 1

    await tick(box, clock, at("07-15", 12), "programmes", "deliver")
    assert await status(box) == ProgrammeStatus.CLOSED
    (closed,) = lead_notes(box, "is closed")
    async with box.db.transaction() as session:
        due = await session.scalar(select(func.count()).where(Pair.momentum_due_at.is_not(None)))
    assert due == 0  # no more nudges for its pairs

    # The next cohort is one click away, for leads only.
    pressed = await box.press(LEAD, closed, Action.CLONE_PROGRAMME)
    modal = box.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.PROGRAMME_SETUP
    assert modal["title"]["text"] == "Next cohort"
    await replay_as(box, pressed, MENTOR)  # forged: the refusal goes to the button's message
    assert box.modal(MENTOR) is None
    assert box.replies(LEAD)[-1]["text"] == NOT_A_LEAD
