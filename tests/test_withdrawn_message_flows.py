"""A queued message is re-read against the programme when it would go: one that waited
(quiet hours, the budget, a backlog) while its pair paused or ended, its person left, its
question was answered or its programme moved on is withdrawn with the reason and never
reaches Slack, while the same kind of message about someone else still goes.

Mia (Berlin) and Eve (New York) are one pair, Max (Singapore) and Ed (London) the other."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.models import (
    Outbox,
    OutboxStatus,
    Pair,
    PairStatus,
    Participant,
    ProgrammeLead,
    Workspace,
)
from bot.sandbox import Sandbox
from bot.services.outbox import Kind
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2
from tests.flows import (
    EXEC2,
    agree,
    channel_of,
    confirm_pairs,
    create_programme,
    enrol_cohort,
    last_message,
    open_agreement,
    open_enrolment,
    preview,
    submit_signup,
)
from tests.scenarios import play
from tests.test_chemistry_flows import THU_15, accept, prompt, propose
from tests.test_momentum_flows import at, tick
from tests.test_pause_flows import pause
from tests.test_resource_flows import add, library, press_on
from tests.test_space_flows import channel

Fate = tuple[str, str | None]
SENT: Fate = (OutboxStatus.SENT, None)


def withdrawn(reason: str) -> Fate:
    return (OutboxStatus.CANCELLED, reason)


async def fates(box: Sandbox, kind: Kind) -> dict[str, Fate]:
    """Each queued message of this kind, by where it was going: its status and reason."""
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        rows = await session.execute(
            select(Outbox.channel_id, Outbox.status, Outbox.last_error).where(Outbox.kind == kind)
        )
        return {channel_id: (status, error) for channel_id, status, error in rows}


async def deliver(box: Sandbox, clock: FakeClock, when: datetime) -> Counter[str]:
    """Run the sender; what Slack received, counted by channel (a user id for a DM, whether
    the app named the DM by the user or, once it knew it, by the DM's own id)."""
    clock.set(when)
    mark = len(box.double.calls)
    await box.run_job("deliver")
    return Counter(
        recipient(box, c.args["channel"])
        for c in box.double.calls[mark:]
        if c.method == "chat.postMessage"
    )


def recipient(box: Sandbox, channel_id: str) -> str:
    channel = box.workspace.channels.get(channel_id)
    return channel.user if channel is not None and channel.is_im and channel.user else channel_id


async def behind_the_outbox(box: Sandbox, statement: Any) -> None:
    """Change state without withdrawing what it makes moot: what a second replica's write
    racing the sweep, or any path that forgets the outbox, leaves behind."""
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        await session.execute(statement)


async def pair_of(box: Sandbox, mentor: str) -> Pair:
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        pair = await session.scalar(
            select(Pair)
            .join(Participant, Participant.id == Pair.mentor_id)
            .where(Participant.user_id == mentor, Pair.status != PairStatus.DISSOLVED)
        )
        assert pair is not None
        return pair


async def agree_second_pair(box: Sandbox) -> None:
    channel_id = channel_of(box, MENTOR2, EXEC2)
    modal = await open_agreement(box, channel_id, EXEC2)
    await box.submit(EXEC2, modal["id"], {})
    await box.press(MENTOR2, last_message(box, channel_id), Action.AGREEMENT_CONFIRM)


async def reach_agreed(sandbox: Sandbox, clock: FakeClock) -> None:
    """Both pairs confirmed on 8 Jan and agreed on 9 Jan (every 21 days, grace 7): the rungs
    fall on 6, 13 and 20 Feb, the first pulse survey on 1 Mar."""
    await agree(sandbox, await play(sandbox, clock, confirm_pairs))
    await agree_second_pair(sandbox)


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_agreed)
    return sandbox


async def reach_introduced(sandbox: Sandbox, clock: FakeClock) -> None:
    """Both pairs introduced on 5 Jan, nothing arranged yet."""
    await enrol_cohort(sandbox)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    await sandbox.press(LEAD, preview(sandbox), Action.APPROVE_MATCH)


@pytest.fixture
async def introduced(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_introduced)
    return sandbox


def alert_about(box: Sandbox, mentor: str, mentee: str) -> dict[str, Any]:
    return next(m for m in box.dms(LEAD) if m["text"] == f"At risk: {mentor} and {mentee}")


async def end_as_lead(box: Sandbox, mentor: str, mentee: str) -> None:
    await box.command(LEAD, Command.ADMIN, "pairs")
    listing = box.replies(LEAD)[-1]
    row = next(b for b in listing["blocks"] if f"<@{mentor}> with <@{mentee}>" in str(b))
    await box.click(
        LEAD,
        row["accessory"]["action_id"],
        row["accessory"]["value"],
        message={"channel": LEAD, "ts": box.last_ephemeral(LEAD)["ts"]},
    )


async def leave(box: Sandbox, user: str) -> None:
    await box.command(user, Command.PARTICIPANT, "leave")
    await box.press(user, box.last_ephemeral(user), Action.LEAVE_CONFIRM)


# --- Surveys ---------------------------------------------------------------------------------


async def test_a_reminder_queued_before_a_lead_pauses_the_pair_never_arrives(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    for day in ("02-06", "02-13", "02-20"):  # the ladder climbs to the leads' alerts
        await tick(box, clock, at(day, 14), "momentum", "deliver")
    await tick(box, clock, at("03-01", 14), "surveys", "deliver")  # the pulse survey
    await tick(box, clock, at("03-03", 14), "surveys")  # the reminders are queued ...
    await box.press(LEAD, alert_about(box, "Mia Mentor", "Eve Exec"), Action.PAUSE_PAIR)
    received = await deliver(box, clock, at("03-03", 14))  # ... and the sender runs
    assert received == Counter({EXEC2: 1})
    assert box.last_dm(EXEC2).startswith("A gentle reminder, and the only one:")
    assert await fates(box, Kind.SURVEY_REMINDER) == {
        MENTOR: withdrawn("pair paused"),
        EXEC: withdrawn("pair paused"),
        EXEC2: SENT,
    }
    await deliver(box, clock, at("03-04", 14))  # never retried
    assert (await fates(box, Kind.SURVEY_REMINDER))[EXEC] == withdrawn("pair paused")


async def test_an_invitation_queued_before_a_lead_ends_the_pair_never_arrives(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("03-01", 12), "surveys")
    await end_as_lead(box, MENTOR, EXEC)
    received = await deliver(box, clock, at("03-01", 14))  # Max is asleep in Singapore
    assert received == Counter({EXEC2: 1})
    assert box.last_dm(EXEC2).startswith("How is it going? Pulse survey")
    assert await fates(box, Kind.SURVEY) == {
        MENTOR: withdrawn("pair ended"),
        EXEC: withdrawn("pair ended"),
        EXEC2: SENT,
        MENTOR2: (OutboxStatus.PENDING, None),
    }


# --- Steps before a pair is active -------------------------------------------------------------


async def test_a_chemistry_nudge_is_withdrawn_once_times_are_proposed(
    introduced: Sandbox, clock: FakeClock
) -> None:
    box = introduced
    await tick(box, clock, at("01-13", 12), "reminders")  # a week on, nobody has proposed
    clock.set(at("01-13", 13))
    await propose(box, channel_of(box, MENTOR, EXEC), EXEC, at("01-15", 15))
    received = await deliver(box, clock, at("01-13", 14))
    assert received == Counter({EXEC2: 1})
    assert box.last_dm(EXEC2).startswith("You and Max Mentor have not arranged your chemistry")
    fate = await fates(box, Kind.CHEMISTRY_REQUEST)
    assert (fate[MENTOR], fate[EXEC], fate[EXEC2]) == (
        withdrawn("times proposed"),
        withdrawn("times proposed"),
        SENT,
    )


async def test_an_answer_nudge_is_withdrawn_once_the_times_are_answered(
    introduced: Sandbox, clock: FakeClock
) -> None:
    box = introduced
    mia_eve, max_ed = channel_of(box, MENTOR, EXEC), channel_of(box, MENTOR2, EXEC2)
    await propose(box, mia_eve, EXEC, THU_15)
    await propose(box, max_ed, EXEC2, THU_15)
    await tick(box, clock, at("01-07", 10), "reminders")  # two days on, neither answered
    await accept(box, mia_eve, MENTOR, 0)
    # 11:00 in Berlin, 18:00 in Singapore: both are awake.
    assert await deliver(box, clock, at("01-07", 10)) == Counter({MENTOR2: 1})
    assert box.last_dm(MENTOR2).startswith("Ed Exec proposed times for your chemistry meeting")
    assert await fates(box, Kind.CHEMISTRY_ANSWER) == {
        MENTOR: withdrawn("times answered"),
        MENTOR2: SENT,
    }


async def test_a_decision_nudge_goes_only_to_who_has_not_answered(
    introduced: Sandbox, clock: FakeClock
) -> None:
    box = introduced
    mia_eve = channel_of(box, MENTOR, EXEC)
    await propose(box, mia_eve, EXEC, THU_15)
    await accept(box, mia_eve, MENTOR, 0)
    clock.set(datetime(2026, 1, 8, 15, 31, tzinfo=UTC))
    box.double.deliver_scheduled()  # "How was your chemistry meeting?"
    await tick(box, clock, at("01-10", 16), "reminders")  # two days on, neither answered
    await box.press(MENTOR, prompt(box, MENTOR), Action.GO)
    assert await deliver(box, clock, at("01-10", 16)) == Counter({EXEC: 1})
    assert box.last_dm(EXEC).startswith("How did your chemistry meeting with Mia Mentor go?")
    assert await fates(box, Kind.DECISION) == {MENTOR: withdrawn("decision given"), EXEC: SENT}


async def test_an_agreement_nudge_is_withdrawn_once_one_is_proposed(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    mia_eve = await play(box, clock, confirm_pairs)
    await tick(box, clock, at("01-16", 12), "reminders")  # a week on, no agreement
    modal = await open_agreement(box, mia_eve, EXEC)
    await box.submit(EXEC, modal["id"], {})
    received = await deliver(box, clock, at("01-16", 14))
    assert received == Counter({EXEC2: 1})
    assert box.last_dm(EXEC2).startswith("You and Max Mentor are paired: the next step")
    fate = await fates(box, Kind.AGREEMENT_NONE)
    assert (fate[MENTOR], fate[EXEC], fate[EXEC2]) == (
        withdrawn("agreement proposed"),
        withdrawn("agreement proposed"),
        SENT,
    )


async def test_a_confirmation_nudge_is_withdrawn_once_the_agreement_is_confirmed(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    mia_eve = await play(box, clock, confirm_pairs)
    for channel_id, mentee in ((mia_eve, EXEC), (channel_of(box, MENTOR2, EXEC2), EXEC2)):
        modal = await open_agreement(box, channel_id, mentee)
        await box.submit(mentee, modal["id"], {})
    await tick(box, clock, at("01-11", 10), "reminders")  # two days on, neither confirmed
    await box.press(MENTOR, last_message(box, mia_eve), Action.AGREEMENT_CONFIRM)
    assert await deliver(box, clock, at("01-11", 10)) == Counter({MENTOR2: 1})
    assert box.last_dm(MENTOR2).startswith("Ed Exec proposed your agreement and is waiting")
    assert await fates(box, Kind.AGREEMENT_UNSIGNED) == {
        MENTOR: withdrawn("agreement answered"),
        MENTOR2: SENT,
    }


# --- Safe spaces -------------------------------------------------------------------------------


async def test_a_resource_removed_before_it_is_posted_is_not_posted(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    guide = {Field.RESOURCE_URL: "https://example.org/guide", Field.RESOURCE_AUDIENCE: "mentors"}
    await add(box, clock, **{Field.RESOURCE_TITLE: "Guide", **guide})
    glossary = {Field.RESOURCE_BODY: "AI: ...", Field.RESOURCE_AUDIENCE: "mentees"}
    await add(box, clock, **{Field.RESOURCE_TITLE: "Glossary", **glossary})
    await box.run_job("resources")
    await press_on(box, await library(box), "Glossary", Action.RESOURCE_REMOVE)
    mentors, mentees = (
        channel(box, "digital-cohort-mentors"),
        channel(box, "digital-cohort-mentees"),
    )
    assert await deliver(box, clock, clock.now()) == Counter({mentors.id: 1})
    assert await fates(box, Kind.RESOURCE) == {
        mentors.id: SENT,
        mentees.id: withdrawn("resource removed"),
    }


async def test_a_starter_set_waits_for_nobody_who_has_left(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    await submit_signup(box, MENTOR)  # both starter sets queued, then Mia leaves
    await submit_signup(box, MENTOR2)
    space = channel(box, "digital-cohort-mentors")
    await leave(box, MENTOR)
    assert await deliver(box, clock, clock.now()) == Counter({MENTOR2: 1})
    assert box.last_dm(MENTOR2).startswith(f"Welcome to <#{space.id}>")
    assert await fates(box, Kind.STARTER_SET) == {
        MENTOR: withdrawn("left the programme"),
        MENTOR2: SENT,
    }


# --- The end of a programme --------------------------------------------------------------------


async def test_a_review_summary_overtaken_by_the_close_gives_way_to_the_closing_note(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("07-01", 12), "programmes")  # the summary is queued, then
    await tick(box, clock, at("07-15", 12), "programmes")  # the review closes before it went
    assert await deliver(box, clock, at("07-15", 12)) == Counter({LEAD: 1})
    assert "is closed" in box.last_dm(LEAD)
    assert await fates(box, Kind.REVIEW_SUMMARY) == {LEAD: withdrawn("programme closed")}
    assert await fates(box, Kind.PROGRAMME_CLOSED) == {LEAD: SENT}


# --- State changed behind the outbox's back ----------------------------------------------------
# Every path in the app that pauses or ends a pair, or moves a ladder on, withdraws what it made
# moot in the same transaction; these messages are re-checked anyway, for the write that races
# a sweep on another replica or a path yet to be written.


async def test_nudges_follow_the_person_and_the_ladder(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    mia_eve = await pair_of(box, MENTOR)
    await tick(box, clock, at("02-06", 14), "momentum")  # the first rung, to all four
    await behind_the_outbox(
        box, update(Participant).where(Participant.user_id == MENTOR).values(status="withdrawn")
    )
    received = await deliver(box, clock, at("02-06", 14))
    assert received == Counter({EXEC: 1, EXEC2: 1})  # Max's waits for his morning
    fate = await fates(box, Kind.NUDGE_PAIR)
    assert (fate[MENTOR], fate[EXEC]) == (withdrawn("left the programme"), SENT)

    await tick(box, clock, at("02-13", 14), "momentum")  # the second rung, to each mentee
    await behind_the_outbox(
        box, update(Pair).where(Pair.id == mia_eve.id).values(ladder_step=0)
    )  # as a logged session leaves it
    assert await deliver(box, clock, at("02-13", 14)) == Counter({EXEC2: 1})
    assert await fates(box, Kind.NUDGE_MENTEE) == {
        EXEC: withdrawn("ladder restarted"),
        EXEC2: SENT,
    }


async def test_a_lead_alert_about_a_pair_paused_since_is_withdrawn(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    for day in ("02-06", "02-13"):
        await tick(box, clock, at(day, 14), "momentum", "deliver")
    await tick(box, clock, at("02-20", 14), "momentum")  # the alerts are queued
    mia_eve = await pair_of(box, MENTOR)
    await behind_the_outbox(
        box, update(Pair).where(Pair.id == mia_eve.id).values(paused_at=clock.now())
    )
    assert await deliver(box, clock, at("02-20", 14)) == Counter({LEAD: 1})
    assert box.last_dm(LEAD) == "At risk: Max Mentor and Ed Exec"
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        rows = await session.execute(
            select(Outbox.pair_id, Outbox.status, Outbox.last_error).where(
                Outbox.kind == Kind.LEAD_ALERT
            )
        )
        by_pair = {pair_id: (status, error) for pair_id, status, error in rows}
    assert by_pair[mia_eve.id] == withdrawn("pair paused")
    assert [fate for pair_id, fate in by_pair.items() if pair_id != mia_eve.id] == [SENT]


async def test_the_end_of_a_pause_is_not_announced_to_a_pair_that_ended(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    clock.set(at("02-02", 12))
    await pause(box, EXEC, "1")
    await pause(box, EXEC2, "1")
    await tick(box, clock, at("02-09", 12), "momentum")  # both pauses are over
    mia_eve = await pair_of(box, MENTOR)
    await behind_the_outbox(
        box, update(Pair).where(Pair.id == mia_eve.id).values(status=PairStatus.DISSOLVED)
    )
    assert await deliver(box, clock, at("02-09", 14)) == Counter({MENTOR2: 1, EXEC2: 1})
    assert box.last_dm(EXEC2).startswith("Your pause with Max Mentor is over")
    fate = await fates(box, Kind.PAUSE_OVER)
    assert (fate[MENTOR], fate[EXEC], fate[EXEC2]) == (
        withdrawn("pair ended"),
        withdrawn("pair ended"),
        SENT,
    )


async def test_lead_notes_go_only_to_who_still_leads_the_programme(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("07-01", 12), "programmes")
    assert await deliver(box, clock, at("07-01", 12)) == Counter({LEAD: 1})
    assert await fates(box, Kind.REVIEW_SUMMARY) == {LEAD: SENT}

    await tick(box, clock, at("07-15", 12), "programmes")
    await behind_the_outbox(box, delete(ProgrammeLead).where(ProgrammeLead.user_id == LEAD))
    assert await deliver(box, clock, at("07-15", 12)) == Counter()
    assert await fates(box, Kind.PROGRAMME_CLOSED) == {LEAD: withdrawn("no longer a lead")}


async def test_nothing_goes_to_a_workspace_marked_uninstalled(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("02-06", 14), "momentum")
    await behind_the_outbox(box, update(Workspace).values(uninstalled_at=clock.now()))
    assert await deliver(box, clock, at("02-06", 14)) == Counter()
    assert set((await fates(box, Kind.NUDGE_PAIR)).values()) == {withdrawn("app uninstalled")}
