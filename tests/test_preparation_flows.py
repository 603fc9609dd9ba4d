"""Preparation tracks: each side's lessons reach a participant's DM one at a time from sign-up
(spaced, through the outbox's quiet hours and weekly budget) until their pair's first session;
each is marked done with one tap, by its reader only; leads edit lessons like any resource;
and a programme can make the chemistry meeting wait until both have finished."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block
from sqlalchemy import text

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.sandbox import Sandbox
from bot.views.admin import STALE_BUTTON
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2
from tests.flows import (
    EXEC2,
    agree,
    channel_of,
    confirm_pairs,
    create_programme,
    enrol_cohort,
    last_message,
    open_enrolment,
    preview,
    replay_as,
    sign_up,
)
from tests.scenarios import play
from tests.test_momentum_flows import at
from tests.test_pair_work_flows import log_session
from tests.test_resource_flows import library, press_on

LESSON = "Preparation, lesson"


def lessons(box: Sandbox, user: str) -> list[dict[str, Any]]:
    return [m for m in box.dms(user) if m["text"].startswith(LESSON)]


def titles(box: Sandbox, user: str) -> list[str]:
    return [m["text"].partition(": ")[2] for m in lessons(box, user)]


async def progress(box: Sandbox, user: str) -> list[tuple[str, bool]]:
    """Each lesson sent to the person, oldest first, and whether it is marked done."""
    async with box.db.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT r.title, l.done_at FROM lesson_progress l "
                "JOIN participant p ON p.id = l.participant_id "
                "JOIN resource r ON r.id = l.resource_id "
                "WHERE p.user_id = :user ORDER BY l.id"
            ),
            {"user": user},
        )
        return [(title, done is not None) for title, done in rows]


def done_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in message.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id", "").startswith(Action.LESSON_DONE):
                found.append(element)
    return found


async def mark_all(box: Sandbox, user: str, message: dict[str, Any]) -> None:
    """Press every "Mark done" in a message, one after the other."""
    for button in done_buttons(message):
        await box.click(
            user,
            button["action_id"],
            button["value"],
            message={"channel": message["channel"], "ts": message["ts"]},
        )


async def deliver(box: Sandbox, clock: FakeClock) -> None:
    """The sender's next rounds, a moment later (Slack's pace allows a DM one message a second)."""
    for _ in range(3):
        clock.advance(seconds=1)
        await box.run_job("deliver")


async def tick(box: Sandbox, clock: FakeClock, when: datetime) -> None:
    clock.set(when)
    await box.run_job("resources")
    await box.run_job("deliver")


async def test_lessons_arrive_one_at_a_time_and_are_marked_done_by_their_reader_only(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)

    # The lead keeps the track with the library's own form: a place out of range is refused.
    listed = await library(box)
    assert "Preparation tracks" in str(listed["blocks"])
    await press_on(box, listed, "GROW: a simple shape for your sessions", Action.RESOURCE_EDIT)
    modal = box.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.RESOURCE
    refused = await box.submit(LEAD, modal["id"], {Field.RESOURCE_LESSON: "0"})
    assert "1 to 20" in refused.json()["errors"][Field.RESOURCE_LESSON]
    await box.submit(LEAD, modal["id"], {Field.RESOURCE_TITLE: "GROW, our way"})

    await sign_up(box, MENTOR)  # Monday 5 Jan, 10:00 UTC
    await tick(box, clock, at("01-05", 10, 5))  # the first lesson, with the next sweep
    assert titles(box, MENTOR) == ["Our ground rules, and why they matter"]
    first = lessons(box, MENTOR)[0]
    assert "lesson 1 of 4" in str(first["blocks"])
    Block.parse(first["blocks"][1])  # slack_sdk reads it as Slack would

    # Every two days the next, never two at once, never the same twice.
    await tick(box, clock, at("01-07", 10, 4))
    assert len(lessons(box, MENTOR)) == 1
    await tick(box, clock, at("01-07", 10, 5))
    await tick(box, clock, at("01-07", 11))
    assert titles(box, MENTOR)[1:] == ["GROW, our way"]
    await tick(box, clock, at("01-09", 10, 5))
    assert len(lessons(box, MENTOR)) == 3
    # The fourth is due on the 11th, but three went out this week: the budget holds it.
    await tick(box, clock, at("01-11", 10, 5))
    assert len(lessons(box, MENTOR)) == 3
    await tick(box, clock, at("01-12", 10, 6))
    assert titles(box, MENTOR)[3] == "What a good first session looks like"
    await tick(box, clock, at("01-20", 10))
    assert len(lessons(box, MENTOR)) == 4  # the track is all sent

    # One tap marks it done, in place of the button; again, it stays done.
    button, at_first = done_buttons(first)[0], {"channel": first["channel"], "ts": first["ts"]}
    sent = await box.click(MENTOR, button["action_id"], button["value"], message=at_first)
    assert not done_buttons(first) and "✅ Done" in str(first["blocks"])  # in place of the button
    assert "3 lessons of your preparation to go" in str(first["blocks"])
    await box.resend(sent)  # Slack's retry of the same press
    await replay_as(box, sent, MENTOR)  # a second tap from a screen not yet refreshed
    assert "Done" in str(box.replies(MENTOR)[-1]["blocks"])
    assert [done for _, done in await progress(box, MENTOR)] == [True, False, False, False]

    # Someone else pressing it (a forwarded or forged button) is refused and changes nothing.
    await replay_as(box, sent, MENTOR2)
    assert "sent to someone else" in box.double.response_posts[-1][1]["text"]
    assert [done for _, done in await progress(box, MENTOR)] == [True, False, False, False]
    # A value that is no lesson's id gets a plain answer, not an error.
    second = lessons(box, MENTOR)[1]
    response = await box.click(
        MENTOR,
        done_buttons(second)[0]["action_id"],
        "nonsense",
        message={"channel": second["channel"], "ts": second["ts"]},
    )
    assert response.status == 200 and box.replies(MENTOR)[-1]["text"] == STALE_BUTTON


async def test_lessons_stop_once_the_pair_has_held_its_first_session(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    channel = await play(box, clock, confirm_pairs)  # signed up 5 Jan, confirmed 8 Jan
    await agree(box, channel)
    await log_session(box, MENTOR)  # Mia and Eve's first session, on 9 Jan
    await tick(box, clock, at("01-12", 14))
    assert await progress(box, MENTOR) == [] and await progress(box, EXEC) == []
    # Max and Ed have not met yet: their lessons go on.
    assert len(await progress(box, EXEC2)) == 1


async def test_a_waiting_chemistry_meeting_shows_what_is_left_and_reminds_the_partner(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await enrol_cohort(box, **{Field.PREPARATION: "wait"})
    await box.command(LEAD, Command.ADMIN, "match")
    await box.press(LEAD, preview(box), Action.APPROVE_MATCH)
    clock.set(datetime(2026, 1, 5, 14, tzinfo=UTC))  # Eve's morning in New York
    channel = channel_of(box, MENTOR, EXEC)
    intro = last_message(box, channel)

    await box.press(EXEC, intro, Action.REQUEST_CHEMISTRY)
    assert box.modal(EXEC) is None
    waiting = box.last_ephemeral(EXEC)
    assert "asks you both to finish your preparation" in waiting["text"]
    assert "4 lessons to go for you" in waiting["text"]
    assert len(done_buttons(waiting)) == 4
    await deliver(box, clock)
    reminders = [m for m in box.dms(MENTOR) if "would like to arrange" in m["text"]]
    assert len(reminders) == 1 and "Eve Exec" in reminders[0]["text"]
    assert len(done_buttons(reminders[0])) == 4

    # Asked again the same day: what is left again, but no second reminder.
    await box.press(EXEC, intro, Action.REQUEST_CHEMISTRY)
    await deliver(box, clock)
    assert len([m for m in box.dms(MENTOR) if "would like to arrange" in m["text"]]) == 1

    await mark_all(box, EXEC, waiting)
    assert "your preparation is finished" in box.replies(EXEC)[-1]["text"]
    await box.press(EXEC, intro, Action.REQUEST_CHEMISTRY)
    assert "Mia Mentor has a little left" in box.last_ephemeral(EXEC)["text"]
    assert box.modal(EXEC) is None

    await mark_all(box, MENTOR, reminders[0])
    await box.press(EXEC, intro, Action.REQUEST_CHEMISTRY)
    modal = box.modal(EXEC)
    assert modal is not None and modal["callback_id"] == View.CHEMISTRY_TIMES
    assert "Recommended before you meet" not in str(modal["blocks"])


async def test_where_preparation_is_only_recommended_the_form_says_so(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await enrol_cohort(box)  # "recommend" is the default
    await box.command(LEAD, Command.ADMIN, "match")
    await box.press(LEAD, preview(box), Action.APPROVE_MATCH)
    await box.press(
        EXEC, last_message(box, channel_of(box, MENTOR, EXEC)), Action.REQUEST_CHEMISTRY
    )
    modal = box.modal(EXEC)
    assert modal is not None and modal["callback_id"] == View.CHEMISTRY_TIMES
    assert "Recommended before you meet: 4 lessons of your preparation" in str(modal["blocks"])
    assert not [m for m in box.dms(MENTOR) if "would like to arrange" in m["text"]]
