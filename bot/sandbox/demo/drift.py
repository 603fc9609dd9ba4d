"""A short scene inside the demo's sessions: after each session both of the first pair are
asked, privately, who did most of the teaching. Its mentee says "mostly me" after the second
session, its mentor "my mentee" after the third: two in a row taught by the executive, so the
mentor gets a coaching tip and the mentee a reminder of the reverse roles, each in their DM.
A message held for someone's quiet hours is told when it arrives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action
from bot.models import Outbox, OutboxStatus
from bot.sandbox import Sandbox
from bot.sandbox.demo.transcript import Transcript
from bot.services.balance import DRIFT_KINDS

Step = Callable[[str, str, Awaitable[Any]], Awaitable[Any]]
QUESTION = "Who did most of the teaching"
WORDS = ("A coaching tip", "A reminder of the roles")
# Week of the act: who answers, and what they press.
ANSWERS = {1: ("mentee", "Mostly me"), 2: ("mentor", "My mentee")}


def _pressing(box: Sandbox, user: str, label: str) -> Awaitable[Any]:
    """`label` under the newest balance question in the person's DM."""
    question = [m for m in box.dms(user) if m["text"].startswith(QUESTION)][-1]
    for block in question["blocks"]:
        for element in block.get("elements", []):
            ours = element.get("action_id", "").startswith(Action.BALANCE_ANSWER.value)
            if ours and element["text"]["text"] == label:
                return box.click(
                    user,
                    element["action_id"],
                    element["value"],
                    message={"channel": question["channel"], "ts": question["ts"]},
                )
    raise LookupError(f"no {label!r} in {question.get('text')!r}")


async def answer_balance(
    box: Sandbox,
    log: Transcript,
    step: Step,
    clock: FakeClock,
    *,
    week: int,
    mentor: str,
    mentee: str,
) -> None:
    """The first pair's answers after the session of `week`, if that week has one."""
    if week not in ANSWERS:
        return
    side, label = ANSWERS[week]
    who = mentee if side == "mentee" else mentor
    clock.set(clock.now() + timedelta(minutes=5))  # a few minutes after logging it
    if week == 1:
        what = f"answers the balance question in their DM: “{label}”"
    else:
        what = (
            f"answers “{label}”: the second session in a row taught by the mentee, so each of "
            "them gets a private word"
        )
    await step(who, what, _pressing(box, who, label))
    await _held_for_quiet_hours(box, log, clock, (mentor, mentee))


async def _held_for_quiet_hours(
    box: Sandbox, log: Transcript, clock: FakeClock, pair: tuple[str, str]
) -> None:
    """A tip or reminder waiting for the end of someone's night goes when it ends."""
    assert box.db is not None
    async with box.db.transaction() as session:
        waiting = await session.scalar(
            select(func.max(Outbox.due_at)).where(
                Outbox.kind.in_(DRIFT_KINDS), Outbox.status == OutboxStatus.PENDING
            )
        )
    if waiting is None:
        return
    clock.set(max(clock.now(), waiting))
    await box.run_job("deliver")
    log.say(f"\n… {clock.now():%Y-%m-%d %H:%M} UTC: the other word waited for its reader's morning")
    log.sent([m for user in pair for m in box.dms(user)[-1:] if m["text"].startswith(WORDS)])
    log.skip()
