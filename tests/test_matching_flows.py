"""Matching in Slack: a lead previews, pins or forbids, approves; pairs are introduced."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.models import ConstraintKind, Pair, PairConstraint, PairStatus
from bot.sandbox import Sandbox
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2, OUTSIDER
from tests.flows import (
    EXEC2,
    EXEC3,
    channel_of,
    close_enrolment,
    create_programme,
    enrolled_cohort,
    enrolling_cohort,
    last_message,
    open_enrolment,
    preview,
    replay_as,
    seed_people,
)
from tests.scenarios import play


def pairs_in(message: dict[str, Any]) -> list[str]:
    return [
        b["text"]["text"].split("\n")[0]
        for b in message["blocks"]
        if b["type"] == "section" and (b.get("accessory") or {}).get("type") == "overflow"
    ]


async def pair_rows(box: Sandbox) -> list[Pair]:
    async with box.db.transaction() as session:
        return list(await session.scalars(select(Pair).order_by(Pair.id)))


async def test_preview_shows_pairs_scores_reasons_and_the_unmatched(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    assert "preview will arrive" in sandbox.replies(LEAD)[-1]["text"]
    message = preview(sandbox)
    shown = pairs_in(message)
    assert len(shown) == 2
    assert any("*Mia Mentor* (mentor) with *Eve Exec* (mentee)" in s for s in shown)
    assert any("*Max Mentor* (mentor) with *Ed Exec* (mentee)" in s for s in shown)
    text = str(message["blocks"])
    assert "2 pairs" in text and "67% of mentees matched (2 of 3)" in text
    assert "offers 1 of the 1 topics the mentee wants (AI)" in text
    assert "Flo Exec* (mentee): Every mentor who fits was needed" in text
    # Nobody but the lead has heard anything yet.
    assert all(
        sandbox.dms(user) == [] or "Matching" not in sandbox.last_dm(user)
        for user in (MENTOR, EXEC)
    )
    assert {p.status for p in await pair_rows(sandbox)} == {PairStatus.PROPOSED}


async def test_approval_introduces_each_pair_once_and_tells_the_unmatched(
    sandbox: Sandbox,
    clock: FakeClock,
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    message = preview(sandbox)
    click = await sandbox.press(LEAD, message, Action.APPROVE_MATCH)
    await replay_as(sandbox, click, LEAD)  # a double click: the same click delivered twice
    assert "already approved" in sandbox.last_ephemeral(LEAD)["text"]

    intro = last_message(sandbox, channel_of(sandbox, MENTOR, EXEC))
    assert "Meet your reverse mentoring partner" in intro["text"]
    assert "AI" in str(intro["blocks"]) and "Request chemistry meeting" in str(intro["blocks"])
    assert len(sandbox.double.messages(channel_of(sandbox, MENTOR2, EXEC2))) == 1
    assert len(sandbox.double.calls_to("conversations.open")) == 2
    assert "you stay in the pool" in sandbox.last_dm(EXEC3)
    assert "2 pairs" in sandbox.last_dm(LEAD)
    assert "1 person without a partner was told" in sandbox.last_dm(LEAD)
    rows = await pair_rows(sandbox)
    assert [r.status for r in rows] == [PairStatus.INTRODUCED] * 2
    assert all(r.conversation_id and r.intro_ts for r in rows)


async def test_forbid_from_the_preview_and_pin_from_the_form_rerun_the_match(
    sandbox: Sandbox,
    clock: FakeClock,
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    message = preview(sandbox)
    pair = next(p for p in await pair_rows(sandbox) if p.score > 0)
    [block] = [
        b
        for b in message["blocks"]
        if b.get("accessory", {}).get("action_id", "").endswith(f":{pair.id}")
    ]
    mia_eve = "Mia Mentor* (mentor) with *Eve Exec" in block["text"]["text"]
    await sandbox.click(
        LEAD,
        block["accessory"]["action_id"],
        selected_option=block["accessory"]["options"][1]["value"],  # forbid
        message={"channel": message["channel"], "ts": message["ts"]},
    )
    updated = sandbox.double.find_message(message["channel"], message["ts"])
    assert updated is not None
    forbidden = (
        "*Mia Mentor* (mentor) with *Eve Exec*"
        if mia_eve
        else "*Max Mentor* (mentor) with *Ed Exec*"
    )
    assert not any(forbidden in s for s in pairs_in(updated))
    async with sandbox.db.transaction() as session:
        kinds = list(await session.scalars(select(PairConstraint.kind)))
    assert kinds == [ConstraintKind.FORBID]

    # The old preview's buttons are stale now; the message itself was updated in place.
    await sandbox.press(LEAD, updated, Action.ADD_CONSTRAINT)
    modal = sandbox.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.PAIR_CONSTRAINT
    response = await sandbox.submit(
        LEAD, modal["id"], {Field.MENTOR: MENTOR, Field.MENTEE: EXEC3, Field.CONSTRAINT: "pin"}
    )
    assert response.status == 200
    final = sandbox.double.find_message(message["channel"], message["ts"])
    assert final is not None
    assert any(
        "*Mia Mentor* (mentor) with *Flo Exec* (mentee)" in s and "pinned" in s
        for s in pairs_in(final)
    )


async def test_pin_form_refuses_people_in_the_wrong_role(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    await sandbox.press(LEAD, preview(sandbox), Action.ADD_CONSTRAINT)
    modal = sandbox.modal(LEAD)
    assert modal is not None
    response = await sandbox.submit(
        LEAD, modal["id"], {Field.MENTOR: EXEC, Field.MENTEE: EXEC3, Field.CONSTRAINT: "pin"}
    )
    assert response.json()["errors"][Field.MENTOR].endswith("is not a mentor in this programme.")


async def test_a_newer_run_makes_the_older_preview_stale(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    first = preview(sandbox)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    await sandbox.press(LEAD, first, Action.APPROVE_MATCH)
    assert "replaced by a newer one" in sandbox.last_ephemeral(LEAD)["text"]
    assert {p.status for p in await pair_rows(sandbox)} == {PairStatus.PROPOSED}
    assert len(await pair_rows(sandbox)) == 2  # the first run's pairs are gone


async def test_matching_waits_for_enrolment_to_close(sandbox: Sandbox, clock: FakeClock) -> None:
    await play(sandbox, clock, enrolling_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    assert "Close it first" in sandbox.replies(LEAD)[-1]["text"]
    assert await pair_rows(sandbox) == []


async def test_only_leads_match_or_approve(sandbox: Sandbox, clock: FakeClock) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(OUTSIDER, Command.ADMIN, "match")
    assert "for programme leads" in sandbox.replies(OUTSIDER)[-1]["text"]
    await sandbox.command(LEAD, Command.ADMIN, "match")
    sent = await sandbox.press(LEAD, preview(sandbox), Action.DISCARD_MATCH)
    assert sent.status == 200
    await sandbox.command(LEAD, Command.ADMIN, "match")
    click = await sandbox.press(LEAD, preview(sandbox), Action.RERUN_MATCH)
    await replay_as(sandbox, click, OUTSIDER)
    assert "for programme leads" in sandbox.last_dm(OUTSIDER) or any(
        "for programme leads" in r["text"] for r in sandbox.replies(OUTSIDER)
    )


async def test_a_lead_ends_a_pair_and_rematch_leaves_other_pairs_alone(
    sandbox: Sandbox,
    clock: FakeClock,
) -> None:
    await play(sandbox, clock, enrolled_cohort)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    await sandbox.press(LEAD, preview(sandbox), Action.APPROVE_MATCH)
    await sandbox.command(LEAD, Command.ADMIN, "pairs")
    listing = sandbox.replies(LEAD)[-1]
    assert "waiting for the chemistry meeting" in str(listing["blocks"])
    mia_eve = next(
        b for b in listing["blocks"] if f"<@{MENTOR}> with <@{EXEC}>" in b["text"]["text"]
    )
    await sandbox.click(
        LEAD,
        mia_eve["accessory"]["action_id"],
        mia_eve["accessory"]["value"],
        message={"channel": LEAD, "ts": sandbox.last_ephemeral(LEAD)["ts"]},
    )
    for user in (MENTOR, EXEC):
        assert "programme lead has ended your pairing" in sandbox.last_dm(user)
    rows = await pair_rows(sandbox)
    assert [r.status for r in rows] == [PairStatus.DISSOLVED, PairStatus.INTRODUCED]

    await sandbox.command(LEAD, Command.ADMIN, "rematch")
    assert "stay as they are" in sandbox.replies(LEAD)[-1]["text"]
    shown = pairs_in(preview(sandbox))
    # Max and Ed keep their pair; Mia is matched again, but never with Eve.
    assert not any("Max Mentor" in s or "Mia Mentor* (mentor) with *Eve" in s for s in shown)
    assert any("Mia Mentor" in s for s in shown)
    async with sandbox.db.transaction() as session:
        live = await session.scalar(
            select(func.count()).select_from(Pair).where(Pair.status == PairStatus.INTRODUCED)
        )
    assert live == 1

    await sandbox.press(LEAD, preview(sandbox), Action.APPROVE_MATCH)
    for user in (EXEC, EXEC3):  # someone left over twice hears it once
        told = [m for m in sandbox.dms(user) if "couldn't find a partner" in m["text"]]
        assert len(told) <= 1, user
    assert (
        sum(
            "couldn't find a partner" in m["text"]
            for user in (EXEC, EXEC3)
            for m in sandbox.dms(user)
        )
        == 2
    )


@pytest.mark.parametrize("people", [320])
async def test_a_large_cohort_shows_progress_while_the_engine_runs(
    sandbox: Sandbox, people: int
) -> None:
    await create_programme(sandbox, LEAD)
    await open_enrolment(sandbox, LEAD, GENERAL)
    await seed_people(sandbox.db, people)
    await close_enrolment(sandbox, LEAD)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    updates = [c.args["text"] for c in sandbox.double.calls_to("chat.update")]
    assert any("scoring every possible pair" in u for u in updates), updates
    assert any("finding the best assignment" in u for u in updates)
    assert f"{people // 2} pairs" in str(preview(sandbox)["blocks"])
