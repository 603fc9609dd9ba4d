"""Drift back to the hierarchy: after each logged session each of the pair is asked, in their
own DM, who did most of the teaching; when the mentee did, by either answer, in two sessions
in a row, the mentor gets a coaching tip and the mentee a reminder of the reverse roles, once
per drift; leads see only a count of pairs drifting, over the programme's minimum of pairs.
Mia (Berlin) and Eve (New York) agree on 9 Jan; quiet hours are 19:00-08:00, so at 14:00 UTC
both are awake."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command
from bot.models import (
    BalanceAnswer,
    Medium,
    Outbox,
    OutboxStatus,
    Pair,
    PairStatus,
    Participant,
    Personality,
    Programme,
    Role,
    SessionLog,
    Taught,
)
from bot.sandbox import Sandbox
from bot.services.outbox import Kind
from bot.views.admin import STALE_BUTTON
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2, OUTSIDER
from tests.flows import EXEC2, channel_of
from tests.scenarios import play
from tests.test_data_rights_flows import exported
from tests.test_momentum_flows import at, log_session, reach_agreed
from tests.test_report_flows import report_text

QUESTION = "Who did most of the teaching"
TIP = "A coaching tip for your sessions with Eve Exec"
ROLES = "A reminder of the roles in your sessions with Mia Mentor"


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_agreed)
    return sandbox


def day_of(day: str) -> str:
    """How a question names the session of `day` ("01-20"): "Tue 20 Jan"."""
    return f"{date.fromisoformat(f'2026-{day}'):%a %d %b}"


def questions(box: Sandbox, user: str, day: str = "") -> list[dict[str, Any]]:
    return [
        m
        for m in box.dms(user)
        if m["text"].startswith(QUESTION) and (not day or day_of(day) in m["text"])
    ]


async def answer(
    box: Sandbox, clock: FakeClock, user: str, day: str, label: str, *, as_user: str = ""
) -> Any:
    """Press `label` under the question `user` was asked about the session of `day` (as
    `as_user`, when someone else presses it), a few seconds after the last thing they saw: what
    it sends then keeps Slack's pace of a message a second in each conversation."""
    clock.advance(seconds=5)
    [message] = questions(box, user, day)
    [button] = [e for e in message["blocks"][1]["elements"] if e["text"]["text"] == label]
    return await box.click(
        as_user or user,
        button["action_id"],
        button["value"],
        message={"channel": message["channel"], "ts": message["ts"]},
    )


async def session(box: Sandbox, clock: FakeClock, day: str, hour: int = 14) -> None:
    clock.set(at(day, hour))
    await log_session(box, MENTOR, f"2026-{day}")


async def answers(box: Sandbox) -> list[tuple[str, Taught]]:
    async with box.db.transaction() as db:
        rows = await db.execute(
            select(Participant.user_id, BalanceAnswer.taught)
            .join(Participant, Participant.id == BalanceAnswer.participant_id)
            .order_by(BalanceAnswer.id)
        )
        return [(user, taught) for user, taught in rows]


def told(box: Sandbox, user: str, start: str) -> list[str]:
    return [m["text"] for m in box.dms(user) if m["text"].startswith(start)]


async def drifting_sessions(box: Sandbox, clock: FakeClock, *days: str) -> None:
    """Sessions on these days in which Eve says she did most of the teaching and Mia that
    it was about even: each leans the wrong way (either answer says so)."""
    for day in days:
        await session(box, clock, day)
        await answer(box, clock, MENTOR, day, "About even")
        await answer(box, clock, EXEC, day, "Mostly me")


async def test_each_is_asked_in_their_own_dm_once_per_session(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await session(box, clock, "01-20")
    [mia] = questions(box, MENTOR, "01-20")
    [eve] = questions(box, EXEC, "01-20")
    labels = [[e["text"]["text"] for e in m["blocks"][1]["elements"]] for m in (mia, eve)]
    assert labels == [
        ["Mostly me", "My mentee", "About even"],
        ["My mentor", "Mostly me", "About even"],
    ]
    assert "never Eve Exec, never the programme lead" in str(mia["blocks"])
    group = channel_of(box, MENTOR, EXEC)
    assert not any(QUESTION in str(m) for m in box.double.messages(group))
    # Eve logs the same day again (an update), and a replica re-runs the sender: no second ask.
    clock.set(at("01-20", 15))
    await log_session(box, EXEC, "2026-01-20")
    await box.run_job("deliver")
    assert (len(questions(box, MENTOR)), len(questions(box, EXEC))) == (1, 1)


async def test_an_answer_changes_until_the_next_session_and_then_is_closed(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await session(box, clock, "01-20")
    await answer(box, clock, MENTOR, "01-20", "About even")
    [shown] = questions(box, MENTOR, "01-20")  # the question, in place, with the answer
    assert "Your answer: *About even*. You can change it" in str(shown["blocks"])
    response = await answer(box, clock, MENTOR, "01-20", "Mostly me")
    assert response.status == 200
    await answer(box, clock, MENTOR, "01-20", "Mostly me")  # pressed twice: one answer
    assert await answers(box) == [(MENTOR, Taught.MENTOR)]

    await session(box, clock, "02-03")
    await answer(box, clock, MENTOR, "01-20", "My mentee")
    assert "your next session is logged already" in box.last_ephemeral(MENTOR)["text"]
    assert await answers(box) == [(MENTOR, Taught.MENTOR)]  # unchanged


async def test_only_the_person_asked_answers_for_their_own_session(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await session(box, clock, "01-20")
    # Eve presses Mia's question (a forged payload): Mia's words would mean the opposite.
    await answer(box, clock, MENTOR, "01-20", "My mentee", as_user=EXEC)
    assert "This question was for your partner" in box.last_ephemeral(EXEC)["text"]
    await answer(box, clock, MENTOR, "01-20", "My mentee", as_user=OUTSIDER)
    assert "someone else's conversation" in box.last_ephemeral(OUTSIDER)["text"]
    # Max logs a session with Ed; Eve answers for it with her own id: not her pair.
    clock.set(at("01-21", 14))
    await log_session(box, MENTOR2, "2026-01-21")
    [eds] = questions(box, EXEC2, "01-21")
    [eves] = questions(box, EXEC, "01-20")
    eve_id = eves["blocks"][1]["elements"][0]["value"].split(":")[1]
    ed_session = eds["blocks"][1]["elements"][0]["value"].split(":")[0]
    action = f"{Action.BALANCE_ANSWER}:mentee"
    where = {"channel": eves["channel"], "ts": eves["ts"]}
    await box.click(EXEC, action, f"{ed_session}:{eve_id}:mentee", message=where)
    assert "someone else's conversation" in box.last_ephemeral(EXEC)["text"]
    await box.click(EXEC, action, f"999:{eve_id}:mentee", message=where)
    assert box.last_ephemeral(EXEC)["text"] == "That session is no longer there."
    for garbage in (f"{ed_session}:x:mentee", f"{ed_session}:{eve_id}:ceo", "x", ""):
        response = await box.click(EXEC, action, garbage, message=where)
        assert response.status == 200
        assert box.last_ephemeral(EXEC)["text"] == STALE_BUTTON
    assert await answers(box) == []


async def test_two_sessions_leaning_the_wrong_way_bring_a_tip_and_a_reminder_once(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await drifting_sessions(box, clock, "01-20")
    assert told(box, MENTOR, "A coaching tip") == [] and told(box, EXEC, "A reminder") == []
    # The second in a row: Mia says Eve taught most this time; Eve does not answer.
    await session(box, clock, "02-03")
    await answer(box, clock, MENTOR, "02-03", "My mentee")
    assert told(box, MENTOR, TIP) == [TIP] and told(box, EXEC, ROLES) == [ROLES]
    [tip] = [m for m in box.dms(MENTOR) if m["text"] == TIP]
    assert "Can I show you how I do this?" in str(tip["blocks"])
    assert "only you get this tip: not Eve Exec, not the programme lead" in str(tip["blocks"])
    assert told(box, EXEC, "A coaching tip") == [] and told(box, MENTOR, "A reminder") == []
    group = channel_of(box, MENTOR, EXEC)
    assert not any("teaching" in str(m) for m in box.double.messages(group))
    assert not any("teaching" in str(m) for m in box.dms(LEAD))

    # A third session in a row is the same drift: nothing new. Answers changed: still once.
    await drifting_sessions(box, clock, "02-17")
    await answer(box, clock, EXEC, "02-17", "About even")
    await answer(box, clock, EXEC, "02-17", "Mostly me")
    assert (len(told(box, MENTOR, TIP)), len(told(box, EXEC, ROLES))) == (1, 1)

    # An even session ends the drift; two more leaning the wrong way are a new one.
    await session(box, clock, "03-03")
    await answer(box, clock, EXEC, "03-03", "About even")
    await drifting_sessions(box, clock, "03-17")
    assert len(told(box, MENTOR, TIP)) == 1
    await drifting_sessions(box, clock, "03-31")
    assert (len(told(box, MENTOR, TIP)), len(told(box, EXEC, ROLES))) == (2, 2)
    async with box.db.transaction() as db:
        kinds = (Kind.DRIFT_TIP, Kind.DRIFT_ROLES)
        sent = await db.scalar(
            select(func.count()).where(Outbox.kind.in_(kinds), Outbox.status == OutboxStatus.SENT)
        )
    assert sent == 4


async def test_a_reminder_waits_for_the_morning_and_goes_only_if_the_drift_still_stands(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await drifting_sessions(box, clock, "01-20")
    await session(box, clock, "02-03", hour=12)  # 13:00 in Berlin, 07:00 in New York
    await answer(box, clock, MENTOR, "02-03", "My mentee")
    assert told(box, MENTOR, TIP) == [TIP] and told(box, EXEC, ROLES) == []  # Eve sleeps
    clock.set(at("02-03", 12, 20))
    await answer(box, clock, MENTOR, "02-03", "About even")  # Mia thinks again: no drift after all
    clock.set(at("02-03", 13, 5))
    await box.run_job("deliver")
    assert told(box, EXEC, ROLES) == []
    async with box.db.transaction() as db:
        withdrawn = await db.scalar(select(Outbox).where(Outbox.kind == Kind.DRIFT_ROLES))
    assert withdrawn is not None and withdrawn.status == OutboxStatus.CANCELLED
    assert withdrawn.last_error == "no longer drifting"


async def test_a_paused_pair_is_not_asked(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    clock.set(at("01-20", 14))
    async with box.db.transaction() as db:
        pair = await db.scalar(  # Mia's pair: on PostgreSQL rows come in no set order
            select(Pair)
            .join(Participant, Participant.id == Pair.mentor_id)
            .where(Participant.user_id == MENTOR)
        )
        assert pair is not None
        pair.paused_at = clock.now() - timedelta(days=1)
    await log_session(box, MENTOR, "2026-01-20")
    assert questions(box, MENTOR) == [] and questions(box, EXEC) == []


# --- What the lead sees -------------------------------------------------------------------


async def add_answered_pairs(box: Sandbox, count: int, now: datetime) -> None:
    """`count` more confirmed pairs in the programme, each with two sessions both answered
    "about even": pairs that tell the lead nothing on their own."""
    async with box.db.transaction() as db:
        programme = await db.scalar(select(Programme))
        assert programme is not None
        first = await db.scalar(select(func.count()).select_from(Pair))
        assert first is not None
        for n in range(first, first + count):
            people = [
                Participant(
                    programme_id=programme.id,
                    user_id=f"U0SEED{n}{role.value[-1].upper()}",
                    role=role,
                    display_name=f"Seed {n}",
                    department="Seeded",
                    grade_level=2 if role == Role.MENTOR else 6,
                    personality=Personality.EITHER,
                    preferred_medium=Medium.VIDEO,
                    consented_at=now,
                    joined_at=now,
                    updated_at=now,
                )
                for role in (Role.MENTOR, Role.MENTEE)
            ]
            db.add_all(people)
            await db.flush()
            pair = Pair(
                programme_id=programme.id,
                mentor_id=people[0].id,
                mentee_id=people[1].id,
                status=PairStatus.CONFIRMED,
                confirmed_at=now,
                created_at=now,
                updated_at=now,
            )
            db.add(pair)
            await db.flush()
            for day in (date(2026, 1, 20), date(2026, 2, 3)):
                log = SessionLog(
                    pair_id=pair.id,
                    held_on=day,
                    minutes=60,
                    medium=Medium.VIDEO,
                    logged_by=people[0].id,
                    created_at=now,
                    updated_at=now,
                )
                db.add(log)
                await db.flush()
                db.add(
                    BalanceAnswer(
                        session_id=log.id,
                        participant_id=people[0].id,
                        taught=Taught.EVEN,
                        answered_at=now,
                    )
                )


async def report_and_home(box: Sandbox) -> tuple[str, str]:
    report = await report_text(box)
    await box.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
    home = str(box.double.calls_to("views.publish")[-1].args["view"])
    return report, home


async def test_the_lead_sees_a_count_of_pairs_drifting_only_over_the_minimum(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await drifting_sessions(box, clock, "01-20", "02-03")
    assert told(box, MENTOR, TIP) == [TIP]
    report, home = await report_and_home(box)
    # One pair answered: far under the programme's minimum of 5, so no count at all.
    assert "*Drifting back to the hierarchy:* not enough pairs answered yet (shown from 5)" in (
        report
    )
    assert "drifting" not in home
    await add_answered_pairs(box, 3, clock.now())
    report, home = await report_and_home(box)
    assert "not enough pairs answered yet" in report  # 4 pairs answered
    await add_answered_pairs(box, 1, clock.now())
    report, home = await report_and_home(box)
    assert "*Drifting back to the hierarchy:* 1 pair of 5 that answered the balance question" in (
        report
    )
    assert "stalled or at risk · 1 pair drifting" in home
    [line] = [line for line in report.splitlines() if "Drifting back" in line]
    assert not any(words in line for words in ("Mostly me", "even", "Mia", "Eve", "Seed"))


async def test_my_answers_are_in_my_data_and_go_when_i_erase_it(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await session(box, clock, "01-20")
    await answer(box, clock, MENTOR, "01-20", "About even")
    await answer(box, clock, EXEC, "01-20", "Mostly me")
    await box.command(EXEC, Command.PARTICIPANT, "mydata")
    [held] = exported(box, EXEC)["programmes"][0]["pairs"][0]["sessions"]
    assert held["my_answer_who_taught_most"] == "mentee"  # never Mia's
    await box.command(EXEC, Command.PARTICIPANT, "delete")
    await box.press(EXEC, box.last_ephemeral(EXEC), Action.ERASE_CONFIRM)
    assert await answers(box) == [(MENTOR, Taught.EVEN)]
