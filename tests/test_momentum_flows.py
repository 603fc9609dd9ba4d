"""The scheduler keeps pairs going: the ladder (the pair, the mentee alone, the leads), quiet
hours in each person's zone, the weekly budget, a session resetting it all, pauses, and
silence once someone leaves. Mia (Berlin) and Eve (New York) agree on 9 Jan: every 21 days,
grace 7, quiet 19:00-08:00, so the rungs fall on 6, 13 and 20 Feb."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.models import Outbox, Pair, Programme
from bot.sandbox import Sandbox
from bot.views.admin import NOT_A_LEAD
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2
from tests.flows import EXEC2, agree, confirm_pairs, open_agreement
from tests.scenarios import play


def at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"2026-{day}T{hour:02d}:{minute:02d}:00+00:00")


async def reach_agreed(sandbox: Sandbox, clock: FakeClock) -> None:
    channel = await play(sandbox, clock, confirm_pairs)  # now 9 Jan 09:00 UTC
    await agree(sandbox, channel)


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_agreed)
    return sandbox


async def tick(box: Sandbox, clock: FakeClock, when: datetime, *jobs: str) -> None:
    clock.set(when)
    for job in jobs or ("momentum", "deliver"):
        await box.run_job(job)


def texts(box: Sandbox, user: str) -> list[str]:
    return [m["text"] for m in box.dms(user)]


def nudges(box: Sandbox, user: str) -> list[str]:
    marks = ("since you and", "have not met for", "have not logged a session")
    return [t for t in texts(box, user) if any(mark in t for mark in marks)]


async def test_the_ladder_climbs_one_rung_at_a_time(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    await tick(box, clock, at("02-05", 23))
    assert nudges(box, MENTOR) == nudges(box, EXEC) == []  # on track

    # Rung 1, the pair: 12:00 UTC is 13:00 in Berlin but 07:00 in New York.
    await tick(box, clock, at("02-06", 12))
    assert nudges(box, MENTOR) == [
        "It has been 28 days since you and Eve Exec last met. A short session now keeps the "
        "momentum going: pick a time together, and log it here once you have met."
    ]
    assert nudges(box, EXEC) == []
    await tick(box, clock, at("02-06", 12, 59), "deliver")
    assert nudges(box, EXEC) == []
    await tick(box, clock, at("02-06", 13))  # 08:00 in New York
    assert len(nudges(box, EXEC)) == 1 and "since you and Mia Mentor" in nudges(box, EXEC)[0]
    await tick(box, clock, at("02-07", 13))
    assert len(nudges(box, MENTOR)) == len(nudges(box, EXEC)) == 1  # never twice

    # Rung 2, the mentee alone.
    await tick(box, clock, at("02-13", 14))
    assert len(nudges(box, MENTOR)) == 1
    assert nudges(box, EXEC)[-1].startswith("Mia Mentor and you have not met for 35 days.")

    # Rung 3, the lead: metadata only, and what the lead can do.
    await tick(box, clock, at("02-20", 14))
    alert = box.dms(LEAD)[-1]
    assert alert["text"] == "At risk: Mia Mentor and Eve Exec"
    shown = str(alert["blocks"])
    assert "have not logged a session for 42 days. Sessions held: 0 of 6 planned" in shown
    buttons = [
        e["text"]["text"]
        for b in alert["blocks"]
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]
    assert buttons == ["Pause", "End pair", "End and re-match"]
    assert len(nudges(box, MENTOR)) == 1 and len(nudges(box, EXEC)) == 2

    # The top of the ladder: nothing more, however long the silence.
    await tick(box, clock, at("03-20", 14))
    assert [m["text"] for m in box.dms(LEAD)].count("At risk: Mia Mentor and Eve Exec") == 1
    assert len(nudges(box, EXEC)) == 2


async def test_a_lead_pauses_and_resumes_from_the_alert(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    for day in ("02-06", "02-13", "02-20"):
        await tick(box, clock, at(day, 14))
    alert = box.dms(LEAD)[-1]
    await box.press(MENTOR, alert, Action.PAUSE_PAIR)  # not a lead
    assert box.last_ephemeral(MENTOR)["text"] == NOT_A_LEAD
    await box.press(LEAD, alert, Action.PAUSE_PAIR)
    paused = box.dms(LEAD)[-1]  # the alert, replaced
    assert "paused the pair of *Mia Mentor* and *Eve Exec*" in str(paused["blocks"])
    for user, partner in ((MENTOR, "Eve Exec"), (EXEC, "Mia Mentor")):
        assert box.last_dm(user).startswith(
            f"Your pairing with {partner} in Digital cohort is paused"
        )
    before = {u: len(box.dms(u)) for u in (MENTOR, EXEC, LEAD)}
    await tick(box, clock, at("04-20", 14), "momentum", "surveys", "reminders", "deliver")
    assert {u: len(box.dms(u)) for u in (MENTOR, EXEC, LEAD)} == before  # left alone

    await box.press(LEAD, box.dms(LEAD)[-1], Action.RESUME_PAIR)
    assert box.last_dm(EXEC).endswith("is running again. Enjoy your next session!")
    await tick(box, clock, at("05-17", 14))  # 27 days after resuming: on track
    assert len(nudges(box, MENTOR)) == 1
    await tick(box, clock, at("05-18", 14))  # 28 days: the pair hears again
    assert len(nudges(box, MENTOR)) == 2


async def log_session(box: Sandbox, user: str, held_on: str) -> None:
    await box.command(user, Command.PARTICIPANT, "checkin")
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.CHECKIN
    await box.submit(
        user, modal["id"], {Field.HELD_ON: held_on, Field.USEFULNESS: "4", Field.TOPICS: ["AI"]}
    )


async def test_a_logged_session_resets_the_ladder_and_withdraws_waiting_nudges(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("02-06", 12))
    assert len(nudges(box, MENTOR)) == 1  # Eve's waits for her morning
    clock.set(at("02-06", 12, 30))
    await log_session(box, MENTOR, "2026-02-05")
    await tick(box, clock, at("02-06", 13))
    assert nudges(box, EXEC) == []  # her nudge was withdrawn: they had met
    for day in ("02-13", "03-04"):  # 28 days after 5 Feb is 5 Mar
        await tick(box, clock, at(day, 14))
        assert nudges(box, EXEC) == [] and len(nudges(box, MENTOR)) == 1
    await tick(box, clock, at("03-05", 14))
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        pair = await session.scalar(select(Pair).where(Pair.agreed_at.is_not(None)))
    assert pair is not None and pair.ladder_step == 1
    assert len(nudges(box, MENTOR)) == 2 and len(nudges(box, EXEC)) == 1


async def test_the_weekly_budget_holds_messages_back(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        await session.execute(update(Programme).values(weekly_message_budget=1))
    # The sweeper was down for a week: it climbs one rung, then one a day at most.
    await tick(box, clock, at("02-13", 14))
    assert len(nudges(box, EXEC)) == 1 and "since you and" in nudges(box, EXEC)[0]
    await tick(box, clock, at("02-14", 14))
    assert len(nudges(box, EXEC)) == 1  # rung 2 is queued, but one a week is her budget
    await tick(box, clock, at("02-20", 13, 59), "deliver")
    assert len(nudges(box, EXEC)) == 1
    await tick(box, clock, at("02-20", 14, 0), "deliver")
    assert nudges(box, EXEC)[-1].startswith("Mia Mentor and you have not met")


async def test_leaving_stops_everything_for_the_pair(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    await tick(box, clock, at("02-06", 12))  # Mia nudged; Eve's nudge waits for her morning
    await box.command(EXEC, Command.PARTICIPANT, "leave")
    await box.press(EXEC, box.last_ephemeral(EXEC), Action.LEAVE_CONFIRM)
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        waiting = list(await session.scalars(select(Outbox).where(Outbox.status == "pending")))
    assert waiting == []
    before = {u: len(box.dms(u)) for u in (MENTOR, EXEC, LEAD)}
    for day in ("02-06", "02-13", "02-20", "03-01", "04-01"):
        await tick(box, clock, at(day, 14), "momentum", "reminders", "surveys", "deliver")
    assert {u: len(box.dms(u)) for u in (MENTOR, EXEC, LEAD)} == before


async def test_steps_left_waiting_are_nudged_once_in_each_persons_day(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    channel = await play(sandbox, clock, confirm_pairs)  # both pairs confirmed on 8 Jan
    modal = await open_agreement(sandbox, channel, EXEC)
    await sandbox.submit(EXEC, modal["id"], {})  # Eve proposes on 9 Jan; Mia does not answer
    await tick(sandbox, clock, at("01-11", 12), "reminders", "deliver")
    assert sandbox.last_dm(MENTOR).startswith(
        "Eve Exec proposed your agreement and is waiting for you to confirm it"
    )
    # Max (Singapore) and Ed (London) have not proposed an agreement a week on: at 12:00 UTC
    # it is 20:00 in Singapore, so Max hears at 08:00 his time.
    await tick(sandbox, clock, at("01-16", 12), "reminders", "deliver")
    assert sandbox.last_dm(EXEC2).startswith("You and Max Mentor are paired: the next step")
    assert "next step is your agreement" not in sandbox.last_dm(MENTOR2)
    await tick(sandbox, clock, at("01-17", 0), "reminders", "deliver")
    assert sandbox.last_dm(MENTOR2).startswith("You and Ed Exec are paired: the next step")
    counts = {u: len(sandbox.dms(u)) for u in (MENTOR, MENTOR2, EXEC2)}
    await tick(sandbox, clock, at("01-20", 12), "reminders", "deliver")
    assert {u: len(sandbox.dms(u)) for u in (MENTOR, MENTOR2, EXEC2)} == counts
    await sandbox.press(EXEC2, sandbox.dms(EXEC2)[-1], Action.AGREEMENT_OPEN)
    shown: Any = sandbox.modal(EXEC2)
    assert shown is not None and shown["callback_id"] == View.AGREEMENT


async def test_messages_after_the_first_go_to_the_dm_it_revealed_never_opening_one(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("02-06", 13))  # rung 1: the pair
    await tick(box, clock, at("02-13", 14))  # rung 2: the mentee alone
    await tick(box, clock, at("02-20", 14))  # rung 3: the lead, the first the outbox sent them
    await box.command(LEAD, Command.ADMIN, "report")  # the chart and the CSV, as files
    posts = [c for c in box.double.calls_to("chat.postMessage") if c.ok]

    def sent_to(user: str, *marks: str) -> list[str]:
        """Where the app posted the messages that landed in the user's DM (with `marks`)."""
        dm = box.double.dm_channel(user)
        return [
            c.args["channel"]
            for c in posts
            if c.response["channel"] == dm and any(m in c.args["text"] for m in marks)
        ]

    # The starter set, the first the outbox sent each, went to their user id and came back
    # with their DM's id: every nudge after it went to the DM itself.
    for user in (MENTOR, EXEC):
        assert sent_to(user, "Welcome to <#") == [user]
        assert set(sent_to(user, "since you and", "have not met for")) == {
            box.double.dm_channel(user)
        }
    assert len(sent_to(EXEC, "since you and", "have not met for")) == 2
    assert sent_to(LEAD, "At risk:") == [LEAD]
    # Nobody's DM was ever opened; the lead's files went to the DM the alert revealed.
    assert {c.args["users"] for c in box.double.calls_to("conversations.open")} == {
        f"{MENTOR},{EXEC}",
        f"{MENTOR2},{EXEC2}",
    }
    lead_dm = box.double.dm_channel(LEAD)
    files = [f["name"] for f in box.double.files.values() if lead_dm in f["channels"]]
    assert len(files) == 3  # the trends chart, the pairs CSV and the retention CSV
