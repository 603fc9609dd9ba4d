"""`/mentoring-admin`: set-up, enrolment and listing, driven through signed Slack requests."""

from __future__ import annotations

from sqlalchemy import select

from bot.ids import Action, Command, Field, View
from bot.models import Objective, Programme, ProgrammeLead, ProgrammeStatus
from bot.sandbox import Sandbox
from tests.conftest import ADMIN, GENERAL, LEAD, MENTOR, OUTSIDER, OWNER, PRIVATE
from tests.flows import SETUP_VALUES, create_programme, open_enrolment, replay_as


async def programmes(box: Sandbox) -> list[Programme]:
    assert box.db is not None
    async with box.db.transaction() as session:
        return list((await session.scalars(select(Programme).order_by(Programme.id))).all())


async def test_lead_creates_a_programme_from_the_modal(sandbox: Sandbox) -> None:
    response = await sandbox.command(LEAD, Command.ADMIN, "new")
    assert response.status == 200 and not response.text  # acknowledged with nothing to show
    modal = sandbox.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.PROGRAMME_SETUP

    response = await sandbox.submit(LEAD, modal["id"], SETUP_VALUES)
    assert response.status == 200 and response.json() is None  # modal closes
    assert sandbox.modal(LEAD) is None

    [programme] = await programmes(sandbox)
    assert programme.name == "Digital cohort"
    assert programme.status == ProgrammeStatus.DRAFT
    assert programme.sessions_planned == 6 and programme.cadence_days == 21
    assert programme.rule_mentor_more_junior and programme.rule_outside_reporting_line
    assert programme.topics == ["AI", "Social media", "Hybrid working"]
    async with sandbox.db.transaction() as session:
        objectives = (await session.scalars(select(Objective.measure))).all()
        leads = (await session.scalars(select(ProgrammeLead.user_id))).all()
    assert list(objectives) == ["self-rating 1-5", "self-rating 1-5"]
    assert list(leads) == [LEAD]
    assert "created as a draft" in sandbox.last_dm(LEAD)
    home = sandbox.double.home_view(LEAD)
    assert home is not None and "Digital cohort" in str(home["blocks"])


async def test_workspace_admins_and_owners_are_leads_too(sandbox: Sandbox) -> None:
    await create_programme(sandbox, ADMIN)
    await create_programme(sandbox, OWNER, **{Field.NAME: "D&I cohort"})
    assert [p.created_by for p in await programmes(sandbox)] == [ADMIN, OWNER]


async def test_anyone_else_is_refused_and_nothing_changes(sandbox: Sandbox) -> None:
    for text in ("new", "open", "close", "list", "help"):
        await sandbox.command(MENTOR, Command.ADMIN, text)
    replies = sandbox.replies(MENTOR)
    assert len(replies) == 5
    assert all("for programme leads" in r["text"] for r in replies)
    assert sandbox.double.calls_to("views.open") == []
    assert await programmes(sandbox) == []


async def test_a_forged_setup_submission_from_a_non_lead_is_refused(sandbox: Sandbox) -> None:
    await sandbox.command(LEAD, Command.ADMIN, "new")
    modal = sandbox.modal(LEAD)
    rejected = await sandbox.submit(LEAD, modal["id"], {**SETUP_VALUES, Field.SESSIONS: "0"})
    response = await replay_as(sandbox, rejected, OUTSIDER, **{Field.SESSIONS: "6"})
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert "leads" in answer["errors"][Field.NAME]
    assert await programmes(sandbox) == []


async def test_invalid_set_up_comes_back_as_field_errors(sandbox: Sandbox) -> None:
    await sandbox.command(LEAD, Command.ADMIN, "new")
    modal = sandbox.modal(LEAD)
    bad = {
        **SETUP_VALUES,
        Field.NAME: "   ",
        Field.SESSIONS: "0",
        Field.ENDS: "2026-01-31",
        Field.DEADLINE: "2026-02-15",
    }
    response = await sandbox.submit(LEAD, modal["id"], bad)
    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) >= {Field.NAME, Field.SESSIONS, Field.ENDS, Field.DEADLINE}
    assert sandbox.modal(LEAD) is not None  # still open for correction
    assert await programmes(sandbox) == []


async def test_a_duplicate_name_is_a_field_error(sandbox: Sandbox) -> None:
    await create_programme(sandbox, LEAD)
    await sandbox.command(LEAD, Command.ADMIN, "new")
    modal = sandbox.modal(LEAD)
    response = await sandbox.submit(LEAD, modal["id"], SETUP_VALUES)
    assert "already exists" in response.json()["errors"][Field.NAME]
    assert len(await programmes(sandbox)) == 1


async def test_opening_enrolment_announces_with_a_join_button(sandbox: Sandbox) -> None:
    await create_programme(sandbox, LEAD)
    response = await open_enrolment(sandbox, LEAD, GENERAL)
    assert response.status == 200

    [programme] = await programmes(sandbox)
    assert programme.status == ProgrammeStatus.ENROLLING
    [announcement] = sandbox.double.messages(GENERAL)
    assert programme.announcement_channel_id == GENERAL
    assert programme.announcement_ts == announcement["ts"]
    buttons = [e for b in announcement["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(Action.JOIN, str(programme.id))]
    assert "is open and announced" in sandbox.last_dm(LEAD)


async def test_a_channel_the_bot_cannot_post_in_leaves_enrolment_closed(sandbox: Sandbox) -> None:
    await create_programme(sandbox, LEAD)
    await open_enrolment(sandbox, LEAD, PRIVATE)
    [programme] = await programmes(sandbox)
    assert programme.status == ProgrammeStatus.DRAFT
    assert sandbox.double.messages(PRIVATE) == []
    dm = sandbox.last_dm(LEAD)
    assert "Enrolment is still closed" in dm and "invite me" in dm


async def test_open_with_nothing_to_open_explains(sandbox: Sandbox) -> None:
    await sandbox.command(LEAD, Command.ADMIN, "open")
    assert "No programme is waiting to open" in sandbox.replies(LEAD)[-1]["text"]
    await create_programme(sandbox, LEAD)
    await sandbox.command(LEAD, Command.ADMIN, "open Nonexistent")
    assert "No programme called “Nonexistent”" in sandbox.replies(LEAD)[-1]["text"]


async def test_closing_enrolment_moves_to_matching_and_updates_the_announcement(
    sandbox: Sandbox,
) -> None:
    await create_programme(sandbox, LEAD)
    await open_enrolment(sandbox, LEAD, GENERAL)
    await sandbox.command(LEAD, Command.ADMIN, "close")
    [programme] = await programmes(sandbox)
    assert programme.status == ProgrammeStatus.MATCHING
    assert "is closed" in sandbox.replies(LEAD)[-1]["text"]
    [announcement] = sandbox.double.messages(GENERAL)
    assert "closed" in announcement["text"]
    await sandbox.command(LEAD, Command.ADMIN, "close")
    assert "No programme is open for enrolment" in sandbox.replies(LEAD)[-1]["text"]


async def test_close_with_several_enrolling_asks_which(sandbox: Sandbox) -> None:
    await create_programme(sandbox, LEAD)
    await create_programme(sandbox, LEAD, **{Field.NAME: "D&I cohort"})
    await open_enrolment(sandbox, LEAD, GENERAL, "Digital cohort")
    await open_enrolment(sandbox, LEAD, GENERAL, "D&I cohort")
    await sandbox.command(LEAD, Command.ADMIN, "close")
    chooser = sandbox.last_ephemeral(LEAD)
    buttons = [e for b in chooser["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Close Digital cohort", "Close D&I cohort"]
    where = {"channel": chooser["channel"], "ts": chooser["ts"]}
    click = await sandbox.click(LEAD, buttons[1]["action_id"], buttons[1]["value"], message=where)
    statuses = [p.status for p in await programmes(sandbox)]
    assert statuses == [ProgrammeStatus.ENROLLING, ProgrammeStatus.MATCHING]
    assert "is closed" in sandbox.last_ephemeral(LEAD)["text"]  # the chooser is replaced

    # The same button pressed by a non-lead (a replayed request) changes nothing.
    await replay_as(sandbox, click, MENTOR)
    assert "for programme leads" in sandbox.double.response_posts[-1][1]["text"]
    assert [p.status for p in await programmes(sandbox)] == statuses


async def test_list_and_help(sandbox: Sandbox) -> None:
    await create_programme(sandbox, LEAD)
    await sandbox.command(LEAD, Command.ADMIN, "list")
    listing = sandbox.replies(LEAD)[-1]
    assert "Digital cohort" in str(listing["blocks"]) and "draft" in str(listing["blocks"])
    await sandbox.command(LEAD, Command.ADMIN, "help")
    assert "`new`" in sandbox.replies(LEAD)[-1]["text"]
    await sandbox.command(LEAD, Command.ADMIN, "frobnicate")
    assert "I don't know `/mentoring-admin frobnicate`" in sandbox.replies(LEAD)[-1]["text"]
