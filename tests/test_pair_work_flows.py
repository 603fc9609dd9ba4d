"""A confirmed pair agrees its contract, logs sessions with notes and actions, and sees them;
nobody outside the pair (a lead included) can read what the pair wrote."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, Shortcut, View
from bot.models import (
    ActionItem,
    ActionStatus,
    Agreement,
    AgreementStatus,
    CalendarEvent,
    CalendarKind,
    Pair,
    SessionLog,
    SessionRating,
)
from bot.sandbox import Sandbox
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2, OUTSIDER
from tests.flows import (
    agree,
    calendar_files,
    confirm_pairs,
    last_message,
    open_agreement,
    replay_as,
)
from tests.ics_check import read_back
from tests.scenarios import play


async def reach_confirmed(sandbox: Sandbox, clock: FakeClock) -> str:
    return await play(sandbox, clock, confirm_pairs)


@pytest.fixture
async def confirmed(sandbox: Sandbox, clock: FakeClock) -> str:
    return await play(sandbox, clock, reach_confirmed)


async def agreements(box: Sandbox) -> list[Agreement]:
    async with box.db.transaction() as session:
        return list(await session.scalars(select(Agreement).order_by(Agreement.version)))


async def test_agreement_is_prefilled_proposed_confirmed_and_pinned(
    confirmed: str, sandbox: Sandbox
) -> None:
    modal = await open_agreement(sandbox, confirmed, EXEC)
    shown = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert shown[Field.SESSIONS]["initial_value"] == "6"  # the programme's defaults
    assert shown[Field.ENDS]["initial_date"] == "2026-07-01"
    assert "Show how we use social media" in shown[Field.MENTOR_GOALS]["initial_value"]
    await sandbox.submit(EXEC, modal["id"], {Field.CADENCE: "21"})
    proposal = last_message(sandbox, confirmed)
    assert "every 21 days" in str(proposal["blocks"])

    await sandbox.press(EXEC, proposal, Action.AGREEMENT_CONFIRM)  # the proposer
    assert "so Mia Mentor confirms it" in sandbox.last_ephemeral(EXEC)["text"]
    await sandbox.press(MENTOR, proposal, Action.AGREEMENT_CONFIRM)
    assert proposal["text"].startswith("Your agreement (version 1) is confirmed")
    assert sandbox.double.pins(confirmed) == [proposal["ts"]]
    [version] = await agreements(sandbox)
    assert version.status == AgreementStatus.CONFIRMED and version.cadence_days == 21
    async with sandbox.db.transaction() as session:
        pair = await session.scalar(select(Pair).where(Pair.conversation_id == confirmed))
    assert pair is not None and pair.agreed_at is not None


async def test_a_change_goes_back_for_confirmation_and_keeps_history(
    confirmed: str, sandbox: Sandbox
) -> None:
    await agree(sandbox, confirmed)
    agreed = last_message(sandbox, confirmed)
    await sandbox.press(MENTOR, agreed, Action.AGREEMENT_CHANGE)
    modal = sandbox.modal(MENTOR)
    assert modal is not None
    await sandbox.submit(MENTOR, modal["id"], {Field.SESSIONS: "8"})
    change = last_message(sandbox, confirmed)
    await sandbox.press(EXEC, change, Action.AGREEMENT_CONFIRM)
    assert [(a.version, a.status, a.sessions_planned) for a in await agreements(sandbox)] == [
        (1, AgreementStatus.SUPERSEDED, 6),
        (2, AgreementStatus.CONFIRMED, 8),
    ]


async def test_confirming_a_version_that_changed_meanwhile_is_refused(
    confirmed: str, sandbox: Sandbox
) -> None:
    modal = await open_agreement(sandbox, confirmed, EXEC)
    await sandbox.submit(EXEC, modal["id"], {})
    first = last_message(sandbox, confirmed)
    # Eve changes her mind before Mia confirms; Mia then confirms the message she had open.
    await sandbox.press(EXEC, first, Action.AGREEMENT_CHANGE)
    modal = sandbox.modal(EXEC)
    assert modal is not None
    await sandbox.submit(EXEC, modal["id"], {Field.LENGTH: "30"})
    await sandbox.press(MENTOR, first, Action.AGREEMENT_CONFIRM)
    assert "changed since" in sandbox.last_ephemeral(MENTOR)["text"]
    assert [a.status for a in await agreements(sandbox)] == [
        AgreementStatus.SUPERSEDED,
        AgreementStatus.PROPOSED,
    ]


async def test_bad_agreement_input_gets_field_errors(confirmed: str, sandbox: Sandbox) -> None:
    modal = await open_agreement(sandbox, confirmed, EXEC)
    response = await sandbox.submit(
        EXEC, modal["id"], {Field.ENDS: "2026-01-02", Field.LENGTH: "0"}
    )
    errors = response.json()["errors"]
    assert errors[Field.ENDS] == "The end date must be in the future."
    assert errors[Field.LENGTH] == "Enter a whole number from 15 to 480."
    assert await agreements(sandbox) == []


def checkin_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        Field.HELD_ON: "2026-01-09",
        Field.USEFULNESS: "4",
        Field.TOPICS: ["AI"],
        Field.GOAL: "Understand how the team uses AI",
        Field.PRIVATE_NOTE: "I felt nervous at first",
        "action_0_text": "Try a prompt library",
        "action_0_owner": "partner",
        "action_0_due": "2026-01-20",
        "action_0_org": ["org"],
    }
    values.update(overrides)
    return values


async def log_session(box: Sandbox, user: str, **overrides: Any) -> Any:
    await box.command(user, Command.PARTICIPANT, "checkin")
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.CHECKIN, box.replies(user)
    return await box.submit(user, modal["id"], checkin_values(**overrides))


async def test_a_checkin_is_shared_with_the_pair_and_rated_by_the_other(
    confirmed: str, sandbox: Sandbox
) -> None:
    await agree(sandbox, confirmed)
    response = await log_session(sandbox, MENTOR)
    assert response.status == 200
    posted = last_message(sandbox, confirmed)
    text = str(posted["blocks"])
    assert "logged your session of *Fri 09 Jan*" in text
    assert "Understand how the team uses AI" in text
    assert "Try a prompt library — Eve Exec by 20 Jan (to take back to the organisation)" in text
    assert "nervous" not in text  # the private note stays private

    # (The last DM is the question on who did most of the teaching: tests/test_drift_flows.py.)
    [prompt] = [m for m in sandbox.dms(EXEC) if m["text"].startswith("Mia Mentor logged")]
    await sandbox.click(
        EXEC,
        f"{Action.RATE_SESSION}:5",
        f"{prompt['blocks'][1]['elements'][4]['value']}",
        message={"channel": EXEC, "ts": prompt["ts"]},
    )
    async with sandbox.db.transaction() as session:
        ratings = sorted(r.rating for r in await session.scalars(select(SessionRating)))
    assert ratings == [4, 5]


async def test_logging_the_same_day_twice_updates_and_two_at_once_make_one(
    confirmed: str, sandbox: Sandbox
) -> None:
    await sandbox.command(MENTOR, Command.PARTICIPANT, "checkin")
    await sandbox.shortcut(EXEC, Shortcut.LOG_SESSION)
    mia, eve = sandbox.modal(MENTOR), sandbox.modal(EXEC)
    assert mia is not None and eve is not None
    # Both submit at the same moment.
    await asyncio.gather(
        sandbox.signer.submit_view(MENTOR, mia["id"], checkin_values()),
        sandbox.signer.submit_view(EXEC, eve["id"], checkin_values(**{Field.MINUTES: "90"})),
    )
    await sandbox.settle()
    async with sandbox.db.transaction() as session:
        sessions = await session.scalar(select(func.count()).select_from(SessionLog))
        ratings = await session.scalar(select(func.count()).select_from(SessionRating))
    assert (sessions, ratings) == (1, 2)


async def test_checkin_dates_are_checked(confirmed: str, sandbox: Sandbox) -> None:
    future = await log_session(sandbox, MENTOR, **{Field.HELD_ON: "2026-01-10"})
    assert future.json()["errors"][Field.HELD_ON] == "A session can't be logged before it happens."
    early = await log_session(sandbox, MENTOR, **{Field.HELD_ON: "2026-01-07"})
    assert "Your pair was confirmed on 08 Jan 2026" in early.json()["errors"][Field.HELD_ON]
    async with sandbox.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(SessionLog)) == 0


async def test_next_session_gets_a_reminder_the_day_before(
    confirmed: str, sandbox: Sandbox
) -> None:
    nxt = datetime(2026, 1, 20, 14, tzinfo=UTC)
    await log_session(sandbox, MENTOR, **{Field.NEXT_SESSION: int(nxt.timestamp())})
    for user in (MENTOR, EXEC):
        [held] = sandbox.double.scheduled_messages(user)
        assert held["post_at"] == int(nxt.timestamp()) - 86400
        assert "Reminder: your next mentoring session" in held["text"]
    later = datetime(2026, 1, 22, 14, tzinfo=UTC)
    await log_session(sandbox, EXEC, **{Field.NEXT_SESSION: int(later.timestamp())})
    [held] = sandbox.double.scheduled_messages(MENTOR)  # the earlier reminder was withdrawn
    assert held["post_at"] == int(later.timestamp()) - 86400


async def test_a_next_session_whose_day_has_passed_is_no_longer_shown_as_next(
    confirmed: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    await agree(sandbox, confirmed)
    booked = datetime(2026, 1, 20, 14, tzinfo=UTC)
    await log_session(sandbox, MENTOR, **{Field.NEXT_SESSION: int(booked.timestamp())})
    await sandbox.event({"type": "app_home_opened", "user": EXEC, "tab": "home"})
    home = str(sandbox.double.home_view(EXEC))
    assert f"last on 09 Jan, next <!date^{int(booked.timestamp())}^" in home
    # The booked day passes; a week later Eve logs the session they did hold.
    clock.set(datetime(2026, 1, 27, 9, tzinfo=UTC))
    assert len(sandbox.double.deliver_scheduled()) == 2  # the reminders, on the 19th
    await sandbox.event({"type": "app_home_opened", "user": EXEC, "tab": "home"})
    home = str(sandbox.double.home_view(EXEC))
    assert "1 of 6 sessions held, last on 09 Jan, no next session booked." in home
    later_day = {Field.HELD_ON: "2026-01-27", "action_0_due": "2026-02-03"}
    await log_session(sandbox, EXEC, **later_day)
    posted = str(last_message(sandbox, confirmed)["blocks"])
    assert "logged your session of *Tue 27 Jan*" in posted
    assert "Next session" not in posted and "No next session is booked yet" in posted
    await sandbox.event({"type": "app_home_opened", "user": MENTOR, "tab": "home"})
    for user in (MENTOR, EXEC):
        home = str(sandbox.double.home_view(user))
        assert "2 of 6 sessions held, last on 27 Jan, no next session booked." in home
    # A day already past is refused on the form, and nothing is booked or scheduled for it.
    past = datetime(2026, 1, 26, 14, tzinfo=UTC)
    refused = await log_session(
        sandbox, EXEC, **later_day, **{Field.NEXT_SESSION: int(past.timestamp())}
    )
    assert refused.json()["errors"][Field.NEXT_SESSION] == "The next session must be in the future."
    # One this evening is booked, but its reminder "the day before" would be in the past.
    tonight = datetime(2026, 1, 27, 20, tzinfo=UTC)
    await log_session(sandbox, EXEC, **later_day, **{Field.NEXT_SESSION: int(tonight.timestamp())})
    logged = next(
        m for m in reversed(sandbox.double.messages(confirmed)) if "your session" in m["text"]
    )
    assert "Next session: <!date^" in str(logged["blocks"])
    assert sandbox.double.scheduled_messages(EXEC) == []


async def test_owners_close_their_actions_and_nobody_else_can(
    confirmed: str, sandbox: Sandbox
) -> None:
    await log_session(sandbox, MENTOR)  # the action is Eve's
    await sandbox.command(MENTOR, Command.PARTICIPANT, "actions")
    mentor_view = sandbox.replies(MENTOR)[-1]
    assert "Try a prompt library" in str(mentor_view["blocks"])  # to review together
    await sandbox.command(EXEC, Command.PARTICIPANT, "actions")
    mine = sandbox.last_ephemeral(EXEC)
    click = await sandbox.press(EXEC, mine, Action.ACTION_DONE)
    await replay_as(sandbox, click, MENTOR2)  # someone from another pair
    await replay_as(sandbox, click, MENTOR)  # the partner
    async with sandbox.db.transaction() as session:
        [action] = list(await session.scalars(select(ActionItem)))
    assert action.status == ActionStatus.DONE
    texts = [r["text"] for r in sandbox.replies(EXEC)]
    assert any("is done" in t for t in texts)
    assert any("someone else's conversation" in t for t in texts)
    assert any("only they can close it" in t or "already done" in t for t in texts)


async def test_leads_never_see_what_a_pair_wrote(confirmed: str, sandbox: Sandbox) -> None:
    await agree(sandbox, confirmed)
    await log_session(sandbox, MENTOR)
    for words in ("list", "pairs", "help", "match"):
        await sandbox.command(LEAD, Command.ADMIN, words)
    await sandbox.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
    seen = str(sandbox.replies(LEAD)) + str(sandbox.dms(LEAD)) + str(sandbox.double.home_view(LEAD))
    for secret in ("nervous", "Understand how the team uses AI", "prompt library"):
        assert secret not in seen
    # Nor can the pair next door: their checkin form and actions are their own.
    await sandbox.command(MENTOR2, Command.PARTICIPANT, "actions")
    assert "prompt library" not in str(sandbox.replies(MENTOR2)[-1])


async def test_home_shows_the_pair_sessions_and_overdue_actions(
    confirmed: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    await agree(sandbox, confirmed)
    await log_session(sandbox, MENTOR)
    clock.set(datetime(2026, 1, 25, 9, tzinfo=UTC))
    await sandbox.event({"type": "app_home_opened", "user": EXEC, "tab": "home"})
    home = str(sandbox.double.home_view(EXEC))
    assert "Mia Mentor" in home and "since 08 Jan 2026" in home
    assert "1 of 6 sessions" in home and "last on 09 Jan" in home
    assert "Try a prompt library" in home and "overdue" in home


async def test_home_buttons_open_the_forms(confirmed: str, sandbox: Sandbox) -> None:
    await sandbox.event({"type": "app_home_opened", "user": EXEC, "tab": "home"})
    home = sandbox.double.home_view(EXEC)
    assert home is not None
    [pair_buttons] = [
        b for b in home["blocks"] if b["type"] == "actions" and "Log a session" in str(b)
    ]
    agreement = next(e for e in pair_buttons["elements"] if "agreement" in e["text"]["text"])
    await sandbox.click(EXEC, agreement["action_id"], agreement["value"], view_id=home["id"])
    modal = sandbox.modal(EXEC)
    assert modal is not None and modal["callback_id"] == View.AGREEMENT


SESSION = "mentoring-session"


async def test_a_booked_session_goes_into_calendars_moves_and_is_called_off(
    confirmed: str, sandbox: Sandbox
) -> None:
    await agree(sandbox, confirmed)
    minutes = (await agreements(sandbox))[-1].session_minutes
    first = datetime(2026, 1, 20, 14, tzinfo=UTC)
    await log_session(sandbox, MENTOR, **{Field.NEXT_SESSION: int(first.timestamp())})
    [(message, content)] = calendar_files(sandbox, confirmed, SESSION)
    assert "Mentoring session, <!date^" in message["text"]
    booked = read_back(content)
    assert (booked.method, booked.status, booked.sequence) == ("PUBLISH", "CONFIRMED", 0)
    assert (booked.starts_at, booked.ends_at) == (first, first + timedelta(minutes=minutes))
    assert booked.summary == "Mentoring session: Mia Mentor and Eve Exec"
    for what_they_wrote in ("nervous", "Understand how the team uses AI", "prompt library"):
        assert what_they_wrote not in content.decode()  # the file holds no notes

    # The same check-in again books nothing new; Eve moving the session moves it.
    await log_session(sandbox, MENTOR, **{Field.NEXT_SESSION: int(first.timestamp())})
    assert len(calendar_files(sandbox, confirmed, SESSION)) == 1
    moved_to = datetime(2026, 1, 22, 9, tzinfo=UTC)
    await log_session(sandbox, EXEC, **{Field.NEXT_SESSION: int(moved_to.timestamp())})
    moved = read_back(calendar_files(sandbox, confirmed, SESSION)[-1][1])
    assert (moved.uid, moved.sequence, moved.starts_at) == (booked.uid, 1, moved_to)
    for user in (MENTOR, EXEC):  # Slack holds the reminder of the new day only
        [held] = sandbox.double.scheduled_messages(user)
        assert held["post_at"] == int((moved_to - timedelta(days=1)).timestamp())

    # Mia leaves the programme: the session comes out of both calendars.
    await sandbox.command(MENTOR, Command.PARTICIPANT, "leave")
    await sandbox.press(MENTOR, sandbox.last_ephemeral(MENTOR), Action.LEAVE_CONFIRM)
    message, content = calendar_files(sandbox, confirmed, SESSION)[-1]
    cancelled = read_back(content)
    assert (cancelled.uid, cancelled.sequence) == (booked.uid, 2)
    assert (cancelled.method, cancelled.status, cancelled.starts_at) == (
        "CANCEL",
        "CANCELLED",
        moved_to,
    )
    assert "is cancelled" in message["text"]
    for user in (MENTOR, EXEC):
        assert sandbox.double.scheduled_messages(user) == []


async def test_a_session_booked_after_the_last_one_was_held_is_a_new_meeting(
    confirmed: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    await agree(sandbox, confirmed)
    first = datetime(2026, 1, 20, 14, tzinfo=UTC)
    await log_session(sandbox, MENTOR, **{Field.NEXT_SESSION: int(first.timestamp())})
    clock.set(datetime(2026, 1, 21, 9, tzinfo=UTC))
    second = datetime(2026, 2, 3, 14, tzinfo=UTC)
    await log_session(
        sandbox,
        EXEC,
        **{Field.HELD_ON: "2026-01-20", Field.NEXT_SESSION: int(second.timestamp())},
    )
    one, two = (read_back(content) for _, content in calendar_files(sandbox, confirmed, SESSION))
    assert one.uid != two.uid and two.sequence == 0 and two.starts_at == second


async def test_the_checkin_offers_next_sessions_that_suit_both(
    confirmed: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    await agree(sandbox, confirmed)
    [agreed] = await agreements(sandbox)
    await sandbox.command(EXEC, Command.PARTICIPANT, "checkin")
    modal = sandbox.modal(EXEC)
    assert modal is not None
    [offered] = [b for b in modal["blocks"] if b.get("block_id") == Field.SUGGESTED_SESSION]
    times = [datetime.fromtimestamp(int(o["value"]), UTC) for o in offered["element"]["options"]]
    assert len(times) == 4
    first_day = clock.now().date() + timedelta(days=agreed.cadence_days)
    for at in times:  # Mia in Berlin, Eve in New York: both at work, a cadence from today
        for tz in ("Europe/Berlin", "America/New_York"):
            local = at.astimezone(ZoneInfo(tz))
            assert local.date() >= first_day and local.weekday() < 5
            end = local + timedelta(minutes=agreed.session_minutes)
            assert local.time() >= time(9, 0) and end.time() <= time(17, 30), (at, tz)
    option = offered["element"]["options"][0]
    assert option["description"]["text"].endswith("Berlin time for Mia Mentor")

    await sandbox.submit(
        EXEC, modal["id"], checkin_values(**{Field.SUGGESTED_SESSION: option["value"]})
    )
    [(_, content)] = calendar_files(sandbox, confirmed, SESSION)
    assert read_back(content).starts_at == times[0]
    for user in (MENTOR, EXEC):
        [held] = sandbox.double.scheduled_messages(user)
        assert held["post_at"] == int((times[0] - timedelta(days=1)).timestamp())

    # A time of one's own wins over a suggestion picked too.
    own = datetime(2026, 2, 27, 18, tzinfo=UTC)
    await log_session(
        sandbox,
        MENTOR,
        **{Field.SUGGESTED_SESSION: option["value"], Field.NEXT_SESSION: int(own.timestamp())},
    )
    assert read_back(calendar_files(sandbox, confirmed, SESSION)[-1][1]).starts_at == own


SERIES = "mentoring-series"


async def series_rows(box: Sandbox) -> list[CalendarEvent]:
    async with box.db.transaction() as session:
        return list(
            await session.scalars(
                select(CalendarEvent).where(CalendarEvent.kind == CalendarKind.SERIES)
            )
        )


async def test_the_agreement_goes_into_calendars_as_one_series(
    confirmed: str, sandbox: Sandbox, clock: FakeClock
) -> None:
    await agree(sandbox, confirmed)
    [agreed] = await agreements(sandbox)
    summary = last_message(sandbox, confirmed)
    assert summary["text"].startswith("Your agreement (version 1) is confirmed")

    # Someone outside the pair presses the pair's button: refused; nothing shared or kept.
    await sandbox.press(MENTOR2, summary, Action.CALENDAR_SERIES)
    assert "someone else's conversation" in sandbox.last_ephemeral(MENTOR2)["text"]
    assert calendar_files(sandbox, confirmed, SERIES) == []
    assert await series_rows(sandbox) == []

    click = await sandbox.press(EXEC, summary, Action.CALENDAR_SERIES)
    [(message, content)] = calendar_files(sandbox, confirmed, SERIES)
    await replay_as(sandbox, click, OUTSIDER)  # a forged click from outside the pair
    assert "someone else's conversation" in sandbox.replies(EXEC)[-1]["text"]
    assert len(calendar_files(sandbox, confirmed, SERIES)) == 1
    [row] = await series_rows(sandbox)
    assert row.sequence == 0 and row.cancelled_at is None

    assert f"every {agreed.cadence_days} days from <!date^" in message["text"]
    series = read_back(content)
    assert (series.method, series.status, series.sequence) == ("PUBLISH", "CONFIRMED", 0)
    assert series.ends_at - series.starts_at == timedelta(minutes=agreed.session_minutes)
    for what_they_wrote in ("Show how we use social media", "Understand how the team uses AI"):
        assert what_they_wrote not in content.decode()  # the file holds no goals or notes
    [event] = Calendar.from_ical(content).walk("VEVENT")
    starts = list(rrulestr(event["RRULE"].to_ical().decode(), dtstart=series.starts_at))
    until = datetime.combine(agreed.ends_on, time(23, 59, 59), UTC)
    assert starts[-1] <= until < starts[-1] + timedelta(days=agreed.cadence_days)
    assert all(b - a == timedelta(days=agreed.cadence_days) for a, b in itertools.pairwise(starts))
    first_day = clock.now().date() + timedelta(days=agreed.cadence_days)
    for tz in ("Europe/Berlin", "America/New_York"):  # the first time suits both
        local = series.starts_at.astimezone(ZoneInfo(tz))
        assert local.date() >= first_day and local.weekday() < 5
        end = local + timedelta(minutes=agreed.session_minutes)
        assert local.time() >= time(9, 0) and end.time() <= time(17, 30), tz

    # Pressed again (or delivered twice, or twice at once): the same series, no new row.
    await sandbox.resend(click)
    await asyncio.gather(
        sandbox.press(MENTOR, summary, Action.CALENDAR_SERIES),
        sandbox.press(EXEC, summary, Action.CALENDAR_SERIES),
    )
    again = [read_back(c) for _, c in calendar_files(sandbox, confirmed, SERIES)]
    assert len(again) >= 3 and {(r.uid, r.sequence, r.starts_at) for r in again} == {
        (series.uid, 0, series.starts_at)
    }
    assert [r.id for r in await series_rows(sandbox)] == [row.id]

    # Mia leaves the programme once the series has begun: it comes out of both calendars.
    clock.set(series.starts_at + timedelta(days=1))
    await sandbox.command(MENTOR, Command.PARTICIPANT, "leave")
    await sandbox.press(MENTOR, sandbox.last_ephemeral(MENTOR), Action.LEAVE_CONFIRM)
    message, content = calendar_files(sandbox, confirmed, SERIES)[-1]
    cancelled = read_back(content)
    assert (cancelled.method, cancelled.status) == ("CANCEL", "CANCELLED")
    assert (cancelled.uid, cancelled.sequence) == (series.uid, 1)
    assert "series of sessions is cancelled" in message["text"]
    [row] = await series_rows(sandbox)
    assert row.cancelled_at == clock.now()


async def test_a_changed_agreement_moves_the_same_series(confirmed: str, sandbox: Sandbox) -> None:
    await agree(sandbox, confirmed)
    summary = last_message(sandbox, confirmed)
    await sandbox.press(EXEC, summary, Action.CALENDAR_SERIES)
    [(_, content)] = calendar_files(sandbox, confirmed, SERIES)
    before = read_back(content)
    await sandbox.press(MENTOR, summary, Action.AGREEMENT_CHANGE)
    modal = sandbox.modal(MENTOR)
    assert modal is not None
    await sandbox.submit(MENTOR, modal["id"], {Field.CADENCE: "7"})
    change = last_message(sandbox, confirmed)
    await sandbox.press(EXEC, change, Action.AGREEMENT_CONFIRM)
    await sandbox.press(MENTOR, change, Action.CALENDAR_SERIES)  # now the new agreement's
    _, content = calendar_files(sandbox, confirmed, SERIES)[-1]
    after = read_back(content)
    assert (after.uid, after.sequence) == (before.uid, 1)
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["INTERVAL"] == [1]
    assert len(await series_rows(sandbox)) == 1
