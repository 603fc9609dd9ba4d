"""Every time a lead is shown people's data, the audit log says who, when, which view and how
many people; leads read it with `/mentoring-admin audit`, nobody else can."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Command
from bot.models import AuditEntry, Participant
from bot.sandbox import Sandbox
from bot.views.admin import NOT_A_LEAD
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2
from tests.flows import EXEC2, confirm_pairs
from tests.scenarios import play


async def reach_paired(sandbox: Sandbox, clock: FakeClock) -> None:
    await play(sandbox, clock, confirm_pairs)


@pytest.fixture
async def paired(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_paired)
    return sandbox


async def audit_text(box: Sandbox) -> str:
    await box.command(LEAD, Command.ADMIN, "audit")
    reply = box.replies(LEAD)[-1]
    return str(reply["blocks"])


async def test_lead_views_of_people_are_in_the_audit_log(paired: Sandbox) -> None:
    box = paired
    # Matching showed the lead a preview of everyone in the pool.
    assert "<@U0LEAD> saw a match preview of Digital cohort (5 people)" in await audit_text(box)
    async with box.db.transaction() as session:
        before = len(list(await session.scalars(select(AuditEntry))))
    await box.command(LEAD, Command.ADMIN, "pairs")
    await box.command(LEAD, Command.ADMIN, "report")
    shown = await audit_text(box)
    assert "<@U0LEAD> saw the pairs list of Digital cohort (4 people)" in shown
    assert "<@U0LEAD> saw the report and its CSV of Digital cohort (4 people)" in shown
    assert "09 Jan 2026 09:00 UTC" in shown
    async with box.db.transaction() as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        paired_people = set(
            await session.scalars(
                select(Participant.id).where(
                    Participant.user_id.in_((MENTOR, EXEC, MENTOR2, EXEC2))
                )
            )
        )
    assert [e.view for e in entries][before:] == ["the pairs list", "the report and its CSV"]
    assert all(set(e.participant_ids) == paired_people for e in entries[before:])
    # Reading the log is not a view of anyone's data.
    await audit_text(box)
    async with box.db.transaction() as session:
        assert len(list(await session.scalars(select(AuditEntry)))) == before + 2


async def test_only_leads_read_the_audit_log(paired: Sandbox) -> None:
    box = paired
    await box.command(LEAD, Command.ADMIN, "pairs")
    await box.command(EXEC, Command.ADMIN, "audit")
    assert box.replies(EXEC)[-1]["text"] == NOT_A_LEAD
