"""The demo's fourth act: weeks pass. The scheduler's sweeps run twice a day; most pairs keep
meeting, one stalls and is nudged back, one goes silent and reaches its lead, who pauses it;
pulse surveys and the mid-point review arrive in each person's day and most answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import RERATE_PREFIX, Action, Field
from bot.models import Outbox, OutboxStatus, Programme, SurveyResponse
from bot.sandbox import Sandbox
from bot.sandbox.demo.pair_work import Step, _check_in, _confirmed, _press
from bot.sandbox.demo.transcript import Transcript
from bot.services.outbox import Kind

# Sweeps at 04:00 and 16:00 UTC: between them every zone has a waking hour.
SWEEP_HOURS = (4, 16)
JOBS = ("momentum", "reminders", "surveys", "deliver")
ANSWERS = {Field.VALUE: "4", Field.BALANCE: "4", Field.OPENNESS: "5", Field.BREADTH: "3"}


def _is_nudge(message: dict[str, Any]) -> bool:
    text = message.get("text", "")
    return "since you and" in text or "have not met for" in text


async def _answer(box: Sandbox, user: str, message: dict[str, Any]) -> Any:
    opened = await _press(box, user, message, Action.SURVEY_OPEN)
    modal = box.modal(user)
    if modal is None:
        return opened
    choices = {**ANSWERS, Field.RECOMMEND: "9", Field.ACTIONS_DONE: "some", Field.CONTINUE: "yes"}
    values: dict[str, Any] = {}
    for block in modal["blocks"]:
        block_id = block.get("block_id", "")
        if block_id.startswith(RERATE_PREFIX):
            values[block_id] = "4"
        elif block_id in choices:
            values[block_id] = choices[block_id]
    return await box.submit(user, modal["id"], values)


async def play_momentum(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, lead: str
) -> None:
    assert box.db is not None
    async with box.db.transaction() as session:
        midpoint = await session.scalar(select(Programme.midpoint_on))
    assert midpoint is not None
    days = (midpoint - clock.now().date()).days + 1  # up to the mid-point review
    log.say(f"\n== {days // 7} weeks of momentum, nudges and surveys ==")
    pairs = await _confirmed(box)
    stalls, silent = pairs[0], pairs[1]
    keeps_going = pairs[2:]
    seen = {u: len(box.dms(u)) for u in {lead, *(u for _, m, e in pairs for u in (m, e))}}
    last_met = clock.now().date()
    nudged_back = alerted = False
    shy = {e for _, _, e in keeps_going[::4]}  # some never answer surveys: one reminder each
    start = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    for day in range(1, days + 1):
        for hour in SWEEP_HOURS:
            clock.set(start + timedelta(days=day, hours=hour))
            box.double.reset_rate_limits()  # a half-day passes between sweeps
            for job in JOBS:
                await box.run_job(job)
            for user in list(seen):
                for message in box.dms(user)[seen[user] :]:
                    seen[user] += 1
                    await _react(
                        box,
                        log,
                        step,
                        user,
                        message,
                        stalls,
                        silent,
                        lead,
                        shy,
                        nudged_back,
                        alerted,
                    )
                    if _is_nudge(message) and user == stalls[2]:
                        nudged_back = True
                    if message.get("text", "").startswith("At risk"):
                        alerted = True
        if day % 14 == 0:  # the steady pairs meet every fortnight
            today = clock.now().date().isoformat()
            for index, (_, mentor, mentee) in enumerate(keeps_going):
                await _check_in(box, mentor if index % 2 else mentee, day=today, week=day, nxt=None)
            last_met = clock.now().date()
            log.skip()
    assert box.db is not None
    async with box.db.transaction() as session:
        sent = dict(
            (
                await session.execute(
                    select(Outbox.kind, func.count())
                    .where(Outbox.status == OutboxStatus.SENT)
                    .group_by(Outbox.kind)
                )
            ).all()
        )
        answers = await session.scalar(select(func.count()).select_from(SurveyResponse))
    log.say(
        f"\nAfter {days} days (steady pairs last met {last_met}): "
        f"{sent.get(Kind.NUDGE_PAIR, 0)} pair nudges, {sent.get(Kind.NUDGE_MENTEE, 0)} mentee "
        f"nudges, {sent.get(Kind.LEAD_ALERT, 0)} lead alerts; {sent.get(Kind.SURVEY, 0)} survey "
        f"invitations, {sent.get(Kind.SURVEY_REMINDER, 0)} reminders, {answers} answers (kept "
        "without names)"
    )


async def _react(
    box: Sandbox,
    log: Transcript,
    step: Step,
    user: str,
    message: dict[str, Any],
    stalls: tuple[Any, str, str],
    silent: tuple[Any, str, str],
    lead: str,
    shy: set[str],
    nudged_back: bool,
    alerted: bool,
) -> None:
    """What each person does with what the scheduler sent them."""
    text = message.get("text", "")
    day = box.deps.clock.now().date().isoformat() if box.deps else ""
    if _is_nudge(message) and user in stalls[1:] and not nudged_back:
        log.say(f"\n… {day}: {log.name(stalls[1])} and {log.name(stalls[2])} have gone quiet")
        log.say(f"    DM to {log.name(user)}: {text}")
        await step(
            stalls[2],
            "books a session and logs it with /mentoring checkin",
            _check_in(box, stalls[2], day=day, week=1, nxt=None),
        )
    elif _is_nudge(message) and user in silent[1:]:
        log.say(f"\n… {day}: DM to {log.name(user)}: {text}")
    elif text.startswith("At risk") and user == lead and not alerted:
        log.say(f"\n… {day}: DM to {log.name(lead)}: {text}")
        await step(
            lead, "pauses the pair from the alert", _press(box, lead, message, Action.PAUSE_PAIR)
        )
    elif text.startswith("How is it going?") and user not in shy:
        if user == silent[1] or ("review" in text and user == stalls[1]):
            log.say(f"\n… {day}: DM to {log.name(user)}: {text}")
            await step(user, "answers it", _answer(box, user, message))
        else:
            await _answer(box, user, message)
            log.skip()
    elif text.startswith("A gentle reminder") and user in shy:
        log.skip()
