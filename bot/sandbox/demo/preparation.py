"""The demo's preparation scene: the first lesson of each newcomer's track reaches their DM
(never in their quiet hours), and one of them reads it and marks it done with one tap."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.clock import FakeClock
from bot.ids import Action
from bot.sandbox import Sandbox
from bot.sandbox.demo.transcript import Transcript

Step = Callable[[str, str, Awaitable[Any]], Awaitable[Any]]
LESSON = "Preparation, lesson"


def _lesson(box: Sandbox, user_id: str) -> dict[str, Any] | None:
    return next((m for m in box.dms(user_id) if m["text"].startswith(LESSON)), None)


async def play_preparation(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, reader: str
) -> None:
    log.say(
        "\n(the hourly sweep queues each newcomer's first preparation lesson; it waits in the "
        "outbox for a free moment in their working hours)"
    )
    await box.run_job("resources")
    log.skip()
    # Half-hourly rounds of the sender through one day: everyone's morning comes round.
    for _ in range(48):
        clock.advance(minutes=30)
        await box.run_job("deliver")
    lesson = _lesson(box, reader)
    assert lesson is not None, "the first lesson reaches everyone within a day"
    log.sent([lesson])
    log.skip()
    await step(reader, "reads it and taps Mark done", box.press(reader, lesson, Action.LESSON_DONE))
    log.flush()
