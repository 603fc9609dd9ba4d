"""The chemistry meeting in Slack: times in each person's zone, acceptance, reminders, and the
private "go" or "not for me" that confirms or dissolves the pair."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.models import ConstraintKind, Pair, PairConstraint, PairStatus, Participant
from bot.sandbox import Sandbox
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2, OUTSIDER
from tests.flows import (
    calendar_files,
    channel_of,
    enrol_cohort,
    last_message,
    preview,
    replay_as,
)
from tests.ics_check import read_back
from tests.scenarios import play

WED_15 = datetime(2026, 1, 7, 15, 0, tzinfo=UTC)
THU_15 = datetime(2026, 1, 8, 15, 0, tzinfo=UTC)


async def reach_introduced(sandbox: Sandbox, clock: FakeClock) -> str:
    """Mia (Berlin) and Eve (New York) introduced; their group DM's id."""
    await enrol_cohort(sandbox)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    await sandbox.press(LEAD, preview(sandbox), Action.APPROVE_MATCH)
    return channel_of(sandbox, MENTOR, EXEC)


@pytest.fixture
async def introduced(sandbox: Sandbox, clock: FakeClock) -> str:
    return await play(sandbox, clock, reach_introduced)


async def propose(box: Sandbox, channel: str, user: str, *times: datetime, note: str = "") -> Any:
    await box.press(user, last_message(box, channel), Action.REQUEST_CHEMISTRY)
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.CHEMISTRY_TIMES
    values: dict[str, Any] = {
        field: int(at.timestamp())
        for field, at in zip((Field.TIME_1, Field.TIME_2, Field.TIME_3), times, strict=False)
    }
    if note:
        values[Field.NOTE] = note
    return await box.submit(user, modal["id"], values)


async def accept(box: Sandbox, channel: str, user: str, option: int) -> Any:
    message = last_message(box, channel)
    button = next(
        b["accessory"]
        for b in message["blocks"]
        if (b.get("accessory") or {}).get("action_id") == f"{Action.ACCEPT_TIME}:{option}"
    )
    return await box.click(
        user,
        button["action_id"],
        button["value"],
        message={"channel": channel, "ts": message["ts"]},
    )


def agreed_message(box: Sandbox, channel: str) -> dict[str, Any]:
    """The newest "Chemistry meeting agreed" (its calendar file follows it)."""
    return next(
        m
        for m in reversed(box.double.messages(channel))
        if m["text"].startswith("Chemistry meeting agreed")
    )


async def the_pair(box: Sandbox) -> Pair:
    async with box.db.transaction() as session:
        pairs = list(await session.scalars(select(Pair).where(Pair.conversation_id.is_not(None))))
    return next(p for p in pairs if p.conversation_id == channel_of(box, MENTOR, EXEC))


async def meet(box: Sandbox, channel: str, clock: FakeClock) -> None:
    """Agree Thursday 15:00 UTC, then let the meeting happen."""
    await propose(box, channel, EXEC, WED_15, THU_15, note="Video call")
    await accept(box, channel, MENTOR, 1)
    clock.set(datetime(2026, 1, 8, 15, 31, tzinfo=UTC))
    box.double.deliver_scheduled()


def prompt(box: Sandbox, user: str) -> dict[str, Any]:
    message = box.dms(user)[-1]
    assert message["text"].startswith("How was your chemistry meeting"), message["text"]
    return message


async def test_proposed_times_show_in_each_persons_zone(introduced: str, sandbox: Sandbox) -> None:
    response = await propose(sandbox, introduced, EXEC, WED_15, THU_15, note="Video call")
    assert response.status == 200
    text = str(last_message(sandbox, introduced)["blocks"])
    assert "Mia Mentor: Wed 07 Jan 16:00 Berlin time" in text
    assert "Eve Exec: Wed 07 Jan 10:00 New York time" in text
    assert f"<!date^{int(THU_15.timestamp())}^" in text  # Slack shows each reader their zone
    assert "Where: Video call" in text


async def test_the_proposer_cannot_accept_and_the_other_can_once(
    introduced: str, sandbox: Sandbox
) -> None:
    await propose(sandbox, introduced, EXEC, WED_15, THU_15)
    await accept(sandbox, introduced, EXEC, 0)
    assert (
        "You proposed these times, so Mia Mentor picks one"
        in (sandbox.last_ephemeral(EXEC)["text"])
    )
    click = await accept(sandbox, introduced, MENTOR, 1)
    agreed = agreed_message(sandbox, introduced)
    assert "Mia Mentor: Thu 08 Jan 16:00 Berlin time" in str(agreed["blocks"])

    await replay_as(sandbox, click, MENTOR)  # the same click twice
    assert "already agreed" in sandbox.last_ephemeral(MENTOR)["text"]
    assert (
        sum(
            m["text"].startswith("Chemistry meeting agreed")
            for m in sandbox.double.messages(introduced)
        )
        == 1
    )

    # A reminder the day before in the pair's DM, and a private question to each afterwards.
    reminder = sandbox.double.scheduled_messages(introduced)
    assert [m["post_at"] for m in reminder] == [int(WED_15.timestamp())]
    for user in (MENTOR, EXEC):
        [question] = sandbox.double.scheduled_messages(user)
        assert question["post_at"] == int(THU_15.timestamp()) + 30 * 60


async def test_both_saying_go_confirms_the_pair(
    introduced: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    await meet(sandbox, introduced, clock)
    assert "Reminder: your chemistry meeting" in sandbox.double.messages(introduced)[-1]["text"]
    await sandbox.press(MENTOR, prompt(sandbox, MENTOR), Action.GO)
    assert "once Eve Exec has answered" in sandbox.replies(MENTOR)[-1]["text"]
    assert (await the_pair(sandbox)).status == PairStatus.INTRODUCED
    click = await sandbox.press(EXEC, prompt(sandbox, EXEC), Action.GO)
    assert "you both said go" in last_message(sandbox, introduced)["text"]
    assert (await the_pair(sandbox)).status == PairStatus.CONFIRMED
    await replay_as(sandbox, click, EXEC)
    assert "already confirmed" in sandbox.last_ephemeral(EXEC)["text"]


async def test_not_for_me_dissolves_the_pair_without_saying_who(
    introduced: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    await meet(sandbox, introduced, clock)
    mentor_prompt = prompt(sandbox, MENTOR)
    await sandbox.press(EXEC, prompt(sandbox, EXEC), Action.NOT_FOR_ME)
    modal = sandbox.modal(EXEC)
    assert modal is not None and modal["callback_id"] == View.NOT_FOR_ME
    await sandbox.submit(EXEC, modal["id"], {Field.REASON: "We both prefer mornings"})

    told_mia, told_eve = sandbox.last_dm(MENTOR), sandbox.last_dm(EXEC)
    assert "this pairing won't go ahead" in told_mia
    assert told_mia == told_eve.replace("Mia Mentor", "Eve Exec")  # the same words for both
    for text in (told_mia, told_eve):
        assert "mornings" not in text and "not for me" not in text.lower()
    lead_note = sandbox.last_dm(LEAD)
    assert f"<@{EXEC}> said “not for me”" in lead_note and "mornings" in lead_note
    assert (await the_pair(sandbox)).status == PairStatus.DISSOLVED
    async with sandbox.db.transaction() as session:
        kinds = list(await session.scalars(select(PairConstraint.kind)))
    assert kinds == [ConstraintKind.VETO]

    # Mia's question is now stale: it answers with the state and changes nothing.
    await sandbox.press(MENTOR, mentor_prompt, Action.GO)
    assert "pairing has ended" in sandbox.last_ephemeral(MENTOR)["text"]

    await sandbox.command(LEAD, Command.ADMIN, "rematch")
    assert "Mia Mentor* (mentor) with *Eve Exec" not in str(preview(sandbox)["blocks"])


async def test_people_outside_the_pair_are_refused(introduced: str, sandbox: Sandbox) -> None:
    await sandbox.press(MENTOR2, last_message(sandbox, introduced), Action.REQUEST_CHEMISTRY)
    assert "someone else's conversation" in sandbox.last_ephemeral(MENTOR2)["text"]
    assert sandbox.modal(MENTOR2) is None
    await propose(sandbox, introduced, EXEC, WED_15)
    click = await accept(sandbox, introduced, EXEC, 0)  # the proposer: refused
    await replay_as(sandbox, click, OUTSIDER)  # a forged click from outside the pair
    # (A forged payload carries the original response URL, so the refusal goes there.)
    assert "someone else's conversation" in sandbox.replies(EXEC)[-1]["text"]
    assert sandbox.double.scheduled_messages(introduced) == []  # nothing was agreed
    await accept(sandbox, introduced, MENTOR, 0)
    assert len(sandbox.double.scheduled_messages(introduced)) == 1


async def test_times_are_checked_on_the_form(introduced: str, sandbox: Sandbox) -> None:
    past = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    response = await propose(sandbox, introduced, EXEC, past, WED_15, WED_15)
    errors = response.json()["errors"]
    assert errors == {
        Field.TIME_1: "Pick a time at least 30 minutes from now.",
        Field.TIME_3: "You picked this time already.",
    }
    assert len(sandbox.double.messages(introduced)) == 1  # only the introduction


async def test_new_times_replace_the_agreed_ones_and_their_reminders(
    introduced: str, sandbox: Sandbox
) -> None:
    await propose(sandbox, introduced, EXEC, WED_15)
    await accept(sandbox, introduced, MENTOR, 0)
    agreed = agreed_message(sandbox, introduced)
    assert sandbox.double.scheduled_messages(EXEC)
    await sandbox.press(MENTOR, agreed, Action.OTHER_TIMES)
    modal = sandbox.modal(MENTOR)
    assert modal is not None
    await sandbox.submit(MENTOR, modal["id"], {Field.TIME_1: int(THU_15.timestamp())})
    assert "replaced by a newer proposal" in agreed["text"]
    for place in (introduced, EXEC, MENTOR):
        assert sandbox.double.scheduled_messages(place) == []
    await accept(sandbox, introduced, EXEC, 0)
    assert [m["post_at"] for m in sandbox.double.scheduled_messages(EXEC)] == [
        int(THU_15.timestamp()) + 30 * 60
    ]


async def test_leaving_mid_chemistry_frees_the_partner(introduced: str, sandbox: Sandbox) -> None:
    await propose(sandbox, introduced, EXEC, WED_15)
    await accept(sandbox, introduced, MENTOR, 0)
    await sandbox.command(MENTOR, Command.PARTICIPANT, "leave")
    await sandbox.press(MENTOR, sandbox.last_ephemeral(MENTOR), Action.LEAVE_CONFIRM)

    assert "Mia Mentor has left the programme" in sandbox.last_dm(EXEC)
    assert f"<@{MENTOR}> left" in sandbox.last_dm(LEAD)
    assert (await the_pair(sandbox)).status == PairStatus.DISSOLVED
    for place in (introduced, EXEC, MENTOR):
        assert sandbox.double.scheduled_messages(place) == []  # no reminder, no question
    await sandbox.press(EXEC, agreed_message(sandbox, introduced), Action.OTHER_TIMES)
    assert "pairing has ended" in sandbox.last_ephemeral(EXEC)["text"]


async def test_an_agreed_meeting_comes_with_a_calendar_file(
    introduced: str, sandbox: Sandbox
) -> None:
    await propose(sandbox, introduced, EXEC, WED_15, THU_15, note="Video call; room 4, or *here*")
    await accept(sandbox, introduced, MENTOR, 1)
    [(message, content)] = calendar_files(sandbox, introduced)
    assert f"<!date^{int(THU_15.timestamp())}^" in message["text"]
    assert "add it to your calendar" in message["text"]
    read = read_back(content)
    assert (read.method, read.status, read.sequence) == ("PUBLISH", "CONFIRMED", 0)
    assert (read.starts_at, read.ends_at) == (THU_15, THU_15 + timedelta(minutes=30))
    assert read.summary == "Chemistry meeting: Mia Mentor and Eve Exec"
    assert read.location == "Video call; room 4, or *here*"  # as typed: a file, not mrkdwn


async def test_a_moved_meeting_keeps_its_uid_and_its_reminder_moves(
    introduced: str, sandbox: Sandbox
) -> None:
    await propose(sandbox, introduced, EXEC, WED_15)
    await accept(sandbox, introduced, MENTOR, 0)
    [held] = sandbox.double.scheduled_messages(introduced)
    assert held["post_at"] == int((WED_15 - timedelta(days=1)).timestamp())
    await sandbox.press(MENTOR, agreed_message(sandbox, introduced), Action.OTHER_TIMES)
    modal = sandbox.modal(MENTOR)
    assert modal is not None
    await sandbox.submit(MENTOR, modal["id"], {Field.TIME_1: int(THU_15.timestamp())})
    await accept(sandbox, introduced, EXEC, 0)

    first, moved = (read_back(content) for _, content in calendar_files(sandbox, introduced))
    assert moved.uid == first.uid
    assert (first.sequence, moved.sequence) == (0, 1)
    assert (moved.method, moved.starts_at) == ("PUBLISH", THU_15)
    assert "moved to" in calendar_files(sandbox, introduced)[-1][0]["text"]
    # Slack now holds the reminder of the new time only.
    [held] = sandbox.double.scheduled_messages(introduced)
    assert held["post_at"] == int((THU_15 - timedelta(days=1)).timestamp())


async def test_a_meeting_called_off_leaves_the_calendars(introduced: str, sandbox: Sandbox) -> None:
    await propose(sandbox, introduced, EXEC, WED_15)
    await accept(sandbox, introduced, MENTOR, 0)
    await sandbox.command(MENTOR, Command.PARTICIPANT, "leave")
    await sandbox.press(MENTOR, sandbox.last_ephemeral(MENTOR), Action.LEAVE_CONFIRM)

    (_, booked), (message, content) = calendar_files(sandbox, introduced)
    first, cancelled = read_back(booked), read_back(content)
    assert cancelled.uid == first.uid and cancelled.sequence == 1
    assert (cancelled.method, cancelled.status) == ("CANCEL", "CANCELLED")
    assert cancelled.starts_at == WED_15
    assert "is cancelled" in message["text"]
    for place in (introduced, EXEC, MENTOR):
        assert sandbox.double.scheduled_messages(place) == []


async def test_the_form_offers_times_inside_both_working_hours(
    introduced: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    assert clock.now().date() == datetime(2026, 1, 5).date()  # a Monday
    await sandbox.press(EXEC, last_message(sandbox, introduced), Action.REQUEST_CHEMISTRY)
    modal = sandbox.modal(EXEC)
    assert modal is not None
    [offered] = [b for b in modal["blocks"] if b.get("block_id") == Field.SUGGESTED_TIMES]
    # Berlin works 08:00-16:30 UTC in winter, New York 14:00-22:30: from tomorrow, 14:00 UTC.
    days = [datetime(2026, 1, d, 14, 0, tzinfo=UTC) for d in (6, 7, 8, 9)]
    options = offered["element"]["options"]
    assert [int(o["value"]) for o in options] == [int(d.timestamp()) for d in days]
    assert options[0]["text"]["text"].startswith(f"<!date^{int(days[0].timestamp())}^")
    assert options[0]["description"]["text"] == "Tue 06 Jan 15:00 Berlin time for Mia Mentor"
    assert "09:00–17:30, Monday to Friday" in offered["hint"]["text"]

    # Two ticked and one of her own: three times proposed.
    own = datetime(2026, 1, 12, 16, 0, tzinfo=UTC)
    too_many = {
        Field.SUGGESTED_TIMES: [o["value"] for o in options[:3]],
        Field.TIME_1: int(own.timestamp()),
    }
    response = await sandbox.submit(EXEC, modal["id"], too_many)
    assert response.json()["errors"] == {Field.TIME_1: "Propose up to 3 times in all."}
    chosen = {**too_many, Field.SUGGESTED_TIMES: [o["value"] for o in options[1:3]]}
    await sandbox.submit(EXEC, modal["id"], chosen)
    proposal = last_message(sandbox, introduced)
    values = [b["accessory"]["value"] for b in proposal["blocks"] if "accessory" in b]
    assert len(values) == 3
    await accept(sandbox, introduced, MENTOR, 0)
    [(_, content)] = calendar_files(sandbox, introduced)
    assert read_back(content).starts_at == days[1]


async def test_people_whose_hours_never_meet_pick_their_own_times(
    introduced: str, sandbox: Sandbox
) -> None:
    async with sandbox.db.transaction() as session:  # Eve moves to Auckland
        await session.execute(
            update(Participant).where(Participant.user_id == EXEC).values(tz="Pacific/Auckland")
        )
    await sandbox.press(EXEC, last_message(sandbox, introduced), Action.REQUEST_CHEMISTRY)
    modal = sandbox.modal(EXEC)
    assert modal is not None
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert Field.SUGGESTED_TIMES not in blocks
    assert "No time in the next four weeks" in str(modal["blocks"])
    assert blocks[Field.TIME_1]["optional"] is False
    assert "initial_date_time" in blocks[Field.TIME_1]["element"]
