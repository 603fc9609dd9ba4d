"""Kick-off and socials: a lead announces an event to the cohort (two mentors, three mentees);
each person answers Going or Not going in their DM, those going get the event's calendar file
and a reminder the day before; the lead sees counts only, the split once five have answered;
a change raises the file's SEQUENCE, a cancellation sends METHOD:CANCEL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.models import Rsvp, SocialEvent, SocialInvite
from bot.sandbox import Sandbox
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2, OUTSIDER
from tests.flows import EXEC2, EXEC3, enrolled_cohort, replay_as
from tests.ics_check import read_back
from tests.scenarios import play
from tests.test_data_rights_flows import exported

KICK_OFF = datetime(2026, 1, 12, 16, 0, tzinfo=UTC)
PLACE = "Atrium <!channel> *5th floor*"
LINK = "https://meet.example.com/kick-off"
EVERYONE = (MENTOR, MENTOR2, EXEC, EXEC2, EXEC3)


def form(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        Field.SOCIAL_KIND: "kick_off",
        Field.SOCIAL_WHEN: int(KICK_OFF.timestamp()),
        Field.SOCIAL_PLACE: PLACE,
        Field.SOCIAL_LINK: LINK,
        Field.SOCIAL_AUDIENCE: "everyone",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


async def announce(box: Sandbox, **overrides: Any) -> Any:
    await box.command(LEAD, Command.ADMIN, "social")
    modal = box.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.SOCIAL_EVENT
    return await box.submit(LEAD, modal["id"], form(**overrides))


def invitation(box: Sandbox, user: str) -> dict[str, Any]:
    return next(m for m in reversed(box.dms(user)) if m["text"].startswith("You're invited"))


def files_to(box: Sandbox, user: str) -> list[bytes]:
    return [
        box.double.state.files[f["id"]]["content"]
        for m in box.dms(user)
        for f in m.get("files") or []
        if f["name"].endswith(".ics")
    ]


def lead_message(box: Sandbox) -> dict[str, Any]:
    return next(m for m in reversed(box.dms(LEAD)) if "Announced:" in m["text"])


async def answers(box: Sandbox) -> dict[str, Rsvp | None]:
    from bot.models import Participant

    async with box.db.transaction() as session:  # type: ignore[union-attr]
        rows = await session.execute(
            select(Participant.user_id, SocialInvite.answer).join(
                SocialInvite, SocialInvite.participant_id == Participant.id
            )
        )
        return {user: answer for user, answer in rows}


async def test_people_answer_and_the_lead_sees_counts_only(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await play(box, clock, enrolled_cohort)

    # A time gone by, and neither a place nor a usable link: the form says so.
    refused = await announce(
        box,
        **{
            Field.SOCIAL_WHEN: int(clock.now().timestamp()) - 60,
            Field.SOCIAL_PLACE: None,
            Field.SOCIAL_LINK: "ftp://files",
        },
    )
    errors = refused.json()["errors"]
    assert errors[Field.SOCIAL_WHEN] == "Pick a time in the future."
    assert "https://" in errors[Field.SOCIAL_LINK]
    modal = box.modal(LEAD)
    assert modal is not None
    nowhere = await box.submit(
        LEAD, modal["id"], form(**{Field.SOCIAL_PLACE: None, Field.SOCIAL_LINK: None})
    )
    assert "Say where it is" in nowhere.json()["errors"][Field.SOCIAL_PLACE]
    await box.command(LEAD, Command.ADMIN, "social nonsense")
    assert "Which programme?" in box.replies(LEAD)[-1]["text"]

    await announce(box)
    # Sent at once where it is daytime; Eve in New York (05:00) gets hers after the night.
    assert invitation(box, MENTOR)["text"].startswith(
        "You're invited: Programme kick-off for Digital cohort"
    )
    assert not any(m["text"].startswith("You're invited") for m in box.dms(EXEC))
    shown = str(invitation(box, MENTOR)["blocks"])
    assert "&lt;!channel&gt;" in shown and "∗5th floor∗" in shown and "<!channel>" not in shown
    assert f"<{LINK}|" in shown
    assert "5 invited · 0 answered so far" in str(lead_message(box)["blocks"])

    clock.set(datetime(2026, 1, 5, 14, 0, tzinfo=UTC))
    await box.run_job("deliver")
    await box.run_job("deliver")  # nothing goes twice
    for user in EVERYONE:
        assert len([m for m in box.dms(user) if m["text"].startswith("You're invited")]) == 1
    invites = {user: invitation(box, user) for user in EVERYONE}

    # Mia goes: the file comes with it; a second press changes nothing and sends nothing.
    await box.press(MENTOR, invites[MENTOR], Action.SOCIAL_GOING)
    assert "You're going" in box.replies(MENTOR)[-1]["text"]
    [ics] = files_to(box, MENTOR)
    read = read_back(ics)
    assert (read.method, read.sequence, read.status) == ("PUBLISH", 0, "CONFIRMED")
    assert read.starts_at == KICK_OFF and read.uid.startswith("social-1.t0test@")
    assert read.location == PLACE  # a calendar shows it as typed: it is not mrkdwn there
    await box.press(MENTOR, invites[MENTOR], Action.SOCIAL_GOING)
    assert len(files_to(box, MENTOR)) == 1

    # Someone who was not invited presses Mia's button: refused, nothing changes.
    await box.press(OUTSIDER, invites[MENTOR], Action.SOCIAL_NOT_GOING)
    assert "sent to someone else" in box.last_ephemeral(OUTSIDER)["text"]
    assert (await answers(box))[MENTOR] == Rsvp.GOING

    await box.press(MENTOR2, invites[MENTOR2], Action.SOCIAL_NOT_GOING)
    for user in (EXEC2, EXEC3):
        await box.press(user, invites[user], Action.SOCIAL_GOING)
    await box.press(LEAD, lead_message(box), Action.SOCIAL_COUNTS)
    counted = box.replies(LEAD)[-1]
    assert "4 answered so far · no answer 1" in str(counted["blocks"])
    assert "show once 5 people have answered" in str(counted["blocks"])  # fewer: no split

    # Max changes his mind; Eve answers: five answers, so the split shows. No names, ever.
    await box.press(MENTOR2, invites[MENTOR2], Action.SOCIAL_GOING)
    assert len(files_to(box, MENTOR2)) == 1
    await box.press(EXEC, invites[EXEC], Action.SOCIAL_NOT_GOING)
    await box.press(LEAD, lead_message(box), Action.SOCIAL_COUNTS)
    counted = box.replies(LEAD)[-1]
    assert "*4 going* · 1 not going · 0 no answer (5 invited)" in str(counted["blocks"])
    for name in ("Mia Mentor", "Max Mentor", "Eve Exec", "Ed Exec", "Flo Exec", *EVERYONE):
        assert name not in str(counted)
    assert files_to(box, EXEC) == []
    assert await answers(box) == {
        MENTOR: Rsvp.GOING,
        MENTOR2: Rsvp.GOING,
        EXEC: Rsvp.NOT_GOING,
        EXEC2: Rsvp.GOING,
        EXEC3: Rsvp.GOING,
    }

    # The report carries the kick-off's attendance as counts.
    await box.command(LEAD, Command.ADMIN, "report")
    report = str(box.replies(LEAD)[-1]["blocks"])
    assert "Programme kick-off (12 Jan 2026): 4 going, 1 not going, 0 no answer of 5" in report

    # Her own answer is hers to see: in her copy of her data.
    await box.command(MENTOR, Command.PARTICIPANT, "mydata")
    [programme] = exported(box, MENTOR)["programmes"]
    [social] = programme["socials"]
    assert (social["event"], social["answer"]) == ("Programme kick-off", "going")
    assert social["starts_at"] == KICK_OFF.isoformat()


async def test_going_people_are_reminded_once_and_follow_changes_and_cancelling(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await play(box, clock, enrolled_cohort)
    await announce(box, **{Field.SOCIAL_AUDIENCE: "mentors", Field.SOCIAL_TITLE: "Mentors' drinks"})
    assert [u for u in EVERYONE if any("invited" in m["text"] for m in box.dms(u))] == [
        MENTOR,
        MENTOR2,
    ]
    invites = {user: invitation(box, user) for user in (MENTOR, MENTOR2)}
    await box.press(MENTOR, invites[MENTOR], Action.SOCIAL_GOING)
    await box.press(MENTOR2, invites[MENTOR2], Action.SOCIAL_NOT_GOING)

    # The lead moves it a day later: Mia's calendar file moves (SEQUENCE 1), Max is told.
    moved = datetime(2026, 1, 13, 16, 0, tzinfo=UTC)
    await box.press(LEAD, lead_message(box), Action.SOCIAL_CHANGE)
    modal = box.modal(LEAD)
    assert modal is not None and modal["private_metadata"] == "1:1"
    unchanged = {**form(), Field.SOCIAL_TITLE: "Mentors' drinks"}
    del unchanged[Field.SOCIAL_AUDIENCE]
    await box.submit(LEAD, modal["id"], {**unchanged, Field.SOCIAL_WHEN: int(moved.timestamp())})
    first, second = (read_back(f) for f in files_to(box, MENTOR))
    assert (second.uid, second.sequence, second.starts_at) == (first.uid, 1, moved)
    clock.advance(seconds=2)  # one message a second in his DM: the sender's next round
    await box.run_job("deliver")
    assert box.dms(MENTOR2)[-1]["text"].startswith("Change of plan: Mentors' drinks")
    await box.press(LEAD, lead_message(box), Action.SOCIAL_CHANGE)
    modal = box.modal(LEAD)
    assert modal is not None
    await box.submit(LEAD, modal["id"], {**unchanged, Field.SOCIAL_WHEN: int(moved.timestamp())})
    assert box.last_dm(LEAD) == "Nothing changed in “Mentors' drinks”."

    # The day before the new time, the reminders sweep reminds Mia, once; Max hears nothing.
    for at in (datetime(2026, 1, 12, 15, 59, tzinfo=UTC), datetime(2026, 1, 12, 16, tzinfo=UTC)):
        clock.set(at)
        for _ in range(2):
            await box.run_job("reminders")
            await box.run_job("deliver")
    reminded = [m for m in box.dms(MENTOR) if m["text"].startswith("See you there")]
    assert len(reminded) == 1
    assert not any(m["text"].startswith("See you there") for m in box.dms(MENTOR2))

    # Cancelled: Mia's calendar takes it out; Max is told; nobody can answer any more.
    await box.press(LEAD, lead_message(box), Action.SOCIAL_CANCEL)
    await box.press(LEAD, lead_message(box), Action.SOCIAL_CANCEL)  # a second press: nothing
    cancelled = read_back(files_to(box, MENTOR)[-1])
    assert (cancelled.method, cancelled.status, cancelled.sequence) == ("CANCEL", "CANCELLED", 2)
    assert len(files_to(box, MENTOR)) == 3
    clock.set(datetime(2026, 1, 13, 1, 0, tzinfo=UTC))  # after midnight in Singapore: 09:00
    await box.run_job("deliver")
    told = [m["text"] for m in box.dms(MENTOR2) if "is cancelled" in m["text"]]
    assert len(told) == 1 and told[0].startswith("Mentors' drinks of Digital cohort")
    await box.press(MENTOR2, invites[MENTOR2], Action.SOCIAL_GOING)
    assert "is cancelled" in box.last_ephemeral(MENTOR2)["text"]


async def test_only_the_programmes_leads_announce(sandbox: Sandbox, clock: FakeClock) -> None:
    box = sandbox
    await play(box, clock, enrolled_cohort)
    await box.command(EXEC, Command.ADMIN, "social")
    assert "for programme leads" in box.replies(EXEC)[-1]["text"]
    assert box.modal(EXEC) is None

    # The lead's form, forged as sent by someone else: refused on the form, nothing saved.
    await box.command(LEAD, Command.ADMIN, "social")
    modal = box.modal(LEAD)
    assert modal is not None
    sent = await box.submit(
        LEAD, modal["id"], form(**{Field.SOCIAL_PLACE: None, Field.SOCIAL_LINK: None})
    )
    assert Field.SOCIAL_PLACE in sent.json()["errors"]
    forged = await replay_as(box, sent, EXEC, **{Field.SOCIAL_PLACE: "Atrium"})
    assert "Only this programme's leads" in forged.json()["errors"][Field.SOCIAL_KIND]
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        assert await session.scalar(select(func.count()).select_from(SocialEvent)) == 0
