"""The end of a programme: on its end date (1 Jul) it moves to review and its leads get a
summary of counts; when the end review closes (15 Jul) it closes, its pairs stop being
nudged, and the leads can start the next cohort from the closing note."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, View
from bot.models import (
    Agreement,
    AgreementStatus,
    Pair,
    PairStatus,
    Programme,
    ProgrammeStatus,
)
from bot.sandbox import Sandbox
from bot.views.admin import NOT_A_LEAD
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2
from tests.flows import EXEC2, agree, confirm_pairs, replay_as
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


def buttons_in(message: dict) -> list[str]:
    return [
        element["text"]["text"]
        for block in message["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("type") == "button"
    ]


async def pair_statuses(box: Sandbox) -> list[tuple[PairStatus, bool]]:
    async with box.db.transaction() as session:
        rows = await session.execute(select(Pair.status, Pair.paused_at).order_by(Pair.id))
        return [(status, paused is not None) for status, paused in rows]


async def test_leads_still_read_the_pairs_after_the_end_date_and_old_buttons_change_nothing(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    for day in ("02-06", "02-13", "02-20"):  # Mia and Eve never meet: the lead is alerted
        await tick(box, clock, at(day, 14))
    alert = box.dms(LEAD)[-1]
    assert buttons_in(alert) == ["Pause", "End pair", "End and re-match"]
    await box.command(LEAD, Command.ADMIN, "pairs")
    running = box.replies(LEAD)[-1]
    assert buttons_in(running) == ["End pair", "End pair"]
    running_at = {"channel": LEAD, "ts": box.last_ephemeral(LEAD)["ts"]}

    await tick(box, clock, at("07-01", 12), "programmes", "deliver")
    assert await status(box) == ProgrammeStatus.REVIEWING
    await box.command(LEAD, Command.ADMIN, "pairs")
    listing = box.replies(LEAD)[-1]
    shown = str(listing["blocks"])
    assert f"<@{MENTOR}> with <@{EXEC}> · confirmed" in shown
    assert f"<@{MENTOR2}> with <@{EXEC2}> · confirmed" in shown
    assert "reached its end date on Wed 01 Jul 2026" in shown
    assert buttons_in(listing) == []  # nobody is matched again now: nothing to end

    # The list and the alert from before still hold buttons; pressed now, they change nothing.
    before = await pair_statuses(box)
    heard = {u: len(box.dms(u)) for u in (MENTOR, EXEC)}
    end = next(b["accessory"] for b in running["blocks"] if "accessory" in b)
    await box.click(LEAD, end["action_id"], end["value"], message=running_at)
    assert box.replies(LEAD)[-1]["text"] == (
        "“Digital cohort” has reached its end date, so its pairs stay as they are."
    )
    await box.press(LEAD, alert, Action.REMATCH_PAIR)
    assert box.replies(LEAD)[-1]["text"].endswith("so its pairs stay as they are.")
    assert not any(m["text"].startswith("Matching preview") for m in box.dms(LEAD))

    await tick(box, clock, at("07-15", 12), "programmes", "deliver")
    assert await status(box) == ProgrammeStatus.CLOSED
    await box.command(LEAD, Command.ADMIN, "pairs")
    closed = box.replies(LEAD)[-1]
    assert f"<@{MENTOR}> with <@{EXEC}> · confirmed" in str(closed["blocks"])
    assert buttons_in(closed) == []
    await box.press(LEAD, alert, Action.PAUSE_PAIR)
    assert box.replies(LEAD)[-1]["text"] == (
        "“Digital cohort” is closed, so its pairs stay as they are."
    )
    assert await pair_statuses(box) == before
    assert {u: len(box.dms(u)) for u in (MENTOR, EXEC)} == heard
