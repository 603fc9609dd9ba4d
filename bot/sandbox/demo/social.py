"""The demo's kick-off: the lead announces it to everyone, people answer Going or Not going in
their DMs (those going get a calendar file), the lead sees counts only, and those going are
reminded the day before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.models import Participant, SocialInvite
from bot.sandbox import Sandbox
from bot.sandbox.demo.transcript import Transcript

Step = Callable[[str, str, Awaitable[Any]], Awaitable[Any]]
INVITED = "You're invited"


async def _invited(box: Sandbox) -> list[str]:
    assert box.db is not None
    async with box.db.transaction() as session:
        found = await session.scalars(
            select(Participant.user_id)
            .join(SocialInvite, SocialInvite.participant_id == Participant.id)
            .order_by(Participant.id)
        )
        return list(found)


def _invitation(box: Sandbox, user: str) -> dict[str, Any] | None:
    return next((m for m in box.dms(user) if m["text"].startswith(INVITED)), None)


def _latest(box: Sandbox, user: str, starts: str) -> dict[str, Any]:
    return next(m for m in reversed(box.dms(user)) if m["text"].startswith(starts))


async def play_kick_off(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, lead: str
) -> None:
    log.say("\n== The kick-off ==")
    when = (clock.now() + timedelta(days=3)).replace(hour=16, minute=0, second=0, microsecond=0)
    await step(lead, "types /mentoring-admin social", box.command(lead, Command.ADMIN, "social"))
    modal = box.modal(lead)
    assert modal is not None
    values: dict[str, Any] = {
        Field.SOCIAL_KIND: "kick_off",
        Field.SOCIAL_WHEN: int(when.timestamp()),
        Field.SOCIAL_PLACE: "The Atrium, 5th floor",
        Field.SOCIAL_LINK: "https://meet.example.com/kick-off",
        Field.SOCIAL_AUDIENCE: "everyone",
    }
    log.say(f"\n{log.name(lead)} announces the kick-off to everyone, in the Atrium or by video")
    await box.submit(lead, modal["id"], values)
    # Invitations wait out each person's night, then go at Slack's pace.
    for _ in range(2):
        clock.advance(hours=12)
        await box.run_job("deliver")
    log.skip()
    invited = await _invited(box)
    first = _invitation(box, invited[0])
    assert first is not None
    log.sent([first])
    log.say(f"    … the same invitation reaches {len(invited) - 1} more people in their DMs")
    log.sent([_latest(box, lead, "Announced:")])

    going, not_going = invited[0], invited[1]
    answer = _invitation(box, going)
    assert answer is not None
    await step(going, "clicks Going", box.press(going, answer, Action.SOCIAL_GOING))
    answer = _invitation(box, not_going)
    assert answer is not None
    await step(not_going, "clicks Not going", box.press(not_going, answer, Action.SOCIAL_NOT_GOING))
    # Most of the rest go; every fourth cannot come, and every seventh does not answer.
    for index, user in enumerate(invited[2:], start=2):
        invitation = _invitation(box, user)
        if invitation is None or index % 7 == 0:
            continue
        pressed = Action.SOCIAL_NOT_GOING if index % 4 == 0 else Action.SOCIAL_GOING
        await box.press(user, invitation, pressed)
    log.skip()
    log.say(f"\n… {len(invited) - 2} more people answer the same way")
    await step(
        lead,
        "clicks Refresh counts on the event's message (counts only, never names)",
        box.press(lead, _latest(box, lead, "Announced:"), Action.SOCIAL_COUNTS),
    )

    clock.set(when - timedelta(days=1))
    await box.run_job("reminders")
    await box.run_job("deliver")
    clock.advance(hours=12)  # those whose night it was get theirs in the morning
    await box.run_job("deliver")
    log.skip()
    reminded = [
        u for u in invited if any(m["text"].startswith("See you there") for m in box.dms(u))
    ]
    log.say(f"\n… the day before, the scheduler reminds the {len(reminded)} people going")
    if reminded:
        log.sent([_latest(box, reminded[0], "See you there")])
    clock.set(when + timedelta(hours=2))
