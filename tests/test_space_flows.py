"""Safe spaces: opening enrolment makes a private channel for the mentors and one for the
mentees; people are invited as they join and removed as they leave; hand-made changes are
undone or answered; a taken name, an archived channel and a missing scope reach the lead with
a way to fix them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.ids import Action, Command, Field, View
from bot.models import Programme, SafeSpace
from bot.sandbox import Sandbox
from bot.sandbox.double import Channel
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2, OUTSIDER
from tests.flows import create_programme, open_enrolment, sign_up


def channel(box: Sandbox, name: str) -> Channel:
    found = [c for c in box.workspace.channels.values() if c.name == name]
    assert found, f"no channel #{name}"
    return found[0]


async def enrolled(box: Sandbox) -> None:
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    await sign_up(box, MENTOR)
    await sign_up(box, EXEC, **{Field.ROLE: "mentee", Field.GRADE: "6"})


async def test_opening_makes_both_spaces_and_joining_invites_each_side(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    mentors, mentees = (
        channel(box, "digital-cohort-mentors"),
        channel(box, "digital-cohort-mentees"),
    )
    assert mentors.is_private and mentees.is_private
    bot = box.workspace.bot_user_id
    assert mentors.members == {bot, MENTOR} and mentees.members == {bot, EXEC}
    assert LEAD not in mentors.members | mentees.members  # leads stay out by default

    await box.command(MENTOR, Command.PARTICIPANT, "leave")
    await box.press(MENTOR, box.last_ephemeral(MENTOR), Action.LEAVE_CONFIRM)
    assert mentors.members == {bot}

    # Erasing one's data takes one out too.
    await box.command(EXEC, Command.PARTICIPANT, "delete")
    await box.press(EXEC, box.last_ephemeral(EXEC), Action.ERASE_CONFIRM)
    assert mentees.members == {bot}


async def test_leads_join_when_the_programme_says_so(sandbox: Sandbox) -> None:
    box = sandbox
    await create_programme(box, LEAD, **{Field.SPACES: ["leads_in_spaces"]})
    async with box.db.transaction() as session:
        assert await session.scalar(select(Programme.leads_in_spaces)) is True
    await open_enrolment(box, LEAD, GENERAL)
    assert LEAD in channel(box, "digital-cohort-mentors").members


async def test_a_hand_made_add_is_undone_and_a_removal_answered(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    mentors = channel(box, "digital-cohort-mentors")
    # Someone adds a mentee (and an outsider) to the mentors' space by hand.
    for person in (EXEC, OUTSIDER):
        mentors.members.add(person)
        await box.event(
            {
                "type": "member_joined_channel",
                "user": person,
                "channel": mentors.id,
                "channel_type": "G",
                "inviter": MENTOR,
            }
        )
    assert EXEC not in mentors.members and OUTSIDER not in mentors.members
    assert f"I took <@{OUTSIDER}> out of <#{mentors.id}>" in box.last_dm(MENTOR)

    # A mentor leaves (or is removed): nobody forces them back, but they can rejoin.
    mentors.members.discard(MENTOR)
    await box.event(
        {"type": "member_left_channel", "user": MENTOR, "channel": mentors.id, "channel_type": "G"}
    )
    assert MENTOR not in mentors.members
    note = box.dms(MENTOR)[-1]
    assert "You are no longer in" in note["text"]
    await box.press(MENTOR, note, Action.SPACE_REJOIN)
    assert MENTOR in mentors.members
    # Someone who left the programme is not told anything when they leave the channel.
    before = len(box.dms(OUTSIDER))
    await box.event({"type": "member_left_channel", "user": OUTSIDER, "channel": mentors.id})
    assert len(box.dms(OUTSIDER)) == before


async def test_a_taken_name_is_fixed_by_picking_an_existing_channel(sandbox: Sandbox) -> None:
    box = sandbox
    box.workspace.add_channel(Channel(id="C0TAKEN", name="digital-cohort-mentors"))
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    failed = next(m for m in box.dms(LEAD) if "could not set up" in m["text"])
    assert "already exists" in failed["text"]
    assert channel(box, "digital-cohort-mentees").is_private  # the other side is fine
    await sign_up(box, MENTOR)

    # The lead picks a private channel the app is not in: the form says what to do.
    box.workspace.add_channel(
        Channel(id="C0OURS", name="our-mentors", is_private=True, members={LEAD})
    )
    await box.press(LEAD, failed, Action.SPACE_PICK)
    modal = box.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.SPACE_CHANNEL
    refused = await box.submit(LEAD, modal["id"], {Field.CHANNEL: "C0OURS"})
    assert "invite it there first" in refused.json()["errors"][Field.CHANNEL]
    ours = channel(box, "our-mentors")
    ours.members.add(box.workspace.bot_user_id)
    await box.submit(LEAD, modal["id"], {Field.CHANNEL: "C0OURS"})
    assert MENTOR in ours.members  # brought up to date at once
    assert "<#C0OURS> is the mentors' safe space" in box.last_dm(LEAD)
    async with box.db.transaction() as session:
        spaces = {s.side: s.channel_id for s in await session.scalars(select(SafeSpace))}
    assert spaces["mentor"] == "C0OURS"


async def test_an_archived_pick_and_a_missing_scope_are_explained(sandbox: Sandbox) -> None:
    box = sandbox
    box.workspace.add_channel(Channel(id="C0TAKEN", name="digital-cohort-mentors"))
    box.double.fail_next("conversations.create", "missing_scope")  # both spaces
    box.double.fail_next("conversations.create", "missing_scope")
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    notes = [m["text"] for m in box.dms(LEAD) if "could not set up" in m["text"]]
    assert any("groups:write" in n for n in notes)
    failed: dict[str, Any] = next(m for m in box.dms(LEAD) if "could not set up" in m["text"])
    box.workspace.add_channel(
        Channel(
            id="C0OLD",
            name="old-mentors",
            is_private=True,
            is_archived=True,
            members={box.workspace.bot_user_id},
        )
    )
    await box.press(LEAD, failed, Action.SPACE_PICK)
    modal = box.modal(LEAD)
    assert modal is not None
    refused = await box.submit(LEAD, modal["id"], {Field.CHANNEL: "C0OLD"})
    assert "archived" in refused.json()["errors"][Field.CHANNEL]
    # A participant cannot press the lead's buttons.
    await sign_up(box, MENTOR2)
    await box.command(MENTOR2, Command.ADMIN, "spaces")
    assert "for programme leads" in box.replies(MENTOR2)[-1]["text"]


async def test_a_space_archived_later_reaches_the_lead(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    channel(box, "digital-cohort-mentors").is_archived = True
    await sign_up(box, MENTOR2)  # the invite fails: the channel is archived
    note = box.dms(LEAD)[-1]
    assert "could not set up the mentors' safe space" in note["text"] and "archived" in note["text"]
    assert "Use an existing channel" in str(note["blocks"])
    async with box.db.transaction() as session:
        lost = await session.scalar(select(SafeSpace).where(SafeSpace.side == "mentor"))
    assert lost is not None and lost.channel_id is None and lost.last_error == "is_archived"
