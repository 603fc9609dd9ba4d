"""A confirmed pair agrees its contract, logs sessions with notes and actions, and sees them;
nobody outside the pair (a lead included) can read what the pair wrote."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, Shortcut, View
from bot.models import (
    ActionItem,
    ActionStatus,
    Agreement,
    AgreementStatus,
    Pair,
    SessionLog,
    SessionRating,
)
from bot.sandbox import Sandbox
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2
from tests.flows import (
    agree,
    confirm_pairs,
    last_message,
    open_agreement,
    replay_as,
)
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

    prompt = sandbox.dms(EXEC)[-1]
    assert prompt["text"].startswith("Mia Mentor logged your session")
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
    assert "Next session: <!date^" in str(last_message(sandbox, confirmed)["blocks"])
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
