"""The demo's choosing act: where both decide, closing enrolment invites each mentee to choose
their mentor. One does: they see their suggestions, ask the best fit, and the mentor accepts
privately. The lead's matching then keeps that pair (pinned) and matches everyone else."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Action
from bot.models import MentorRequest, Participant
from bot.sandbox import Sandbox
from bot.sandbox.demo.pair_work import Step, _press
from bot.sandbox.demo.transcript import Transcript


def _invitations(box: Sandbox) -> list[dict[str, Any]]:
    """Each mentee's invitation to choose, in the order they were sent."""
    sent = [
        message
        for user in sorted(box.double.workspace.users)
        for message in box.double.messages(user)
        if Action.SEE_SUGGESTIONS.value in json.dumps(message.get("blocks"))
    ]
    return sorted(sent, key=lambda m: float(m["ts"]))


async def _deliver(box: Sandbox, clock: FakeClock) -> None:
    """A minute later the outbox has sent what is due."""
    clock.advance(minutes=1)
    await box.run_job("deliver")


async def _asked_mentor(box: Sandbox) -> str:
    assert box.db is not None
    async with box.db.transaction() as session:
        mentor_id = await session.scalar(select(MentorRequest.mentor_id))
        user_id = await session.scalar(
            select(Participant.user_id).where(Participant.id == mentor_id)
        )
    assert user_id is not None
    return user_id


async def play_choosing(box: Sandbox, log: Transcript, step: Step, clock: FakeClock) -> None:
    log.say("\n== Mentees may choose their mentor ==")
    log.flush()
    await _deliver(box, clock)
    log.skip()
    invitations = _invitations(box)
    log.say("\n… the outbox sends each mentee an invitation to choose")
    log.sent(invitations[:1])
    if len(invitations) > 1:
        log.say(f"    (the same to the other {len(invitations) - 1} mentees)")
    first = invitations[0]
    chooser = box.double.workspace.channels[first["channel"]].user
    assert chooser is not None
    await step(
        chooser, "clicks See my suggestions", _press(box, chooser, first, Action.SEE_SUGGESTIONS)
    )
    shown = box.double.find_message(first["channel"], first["ts"])
    assert shown is not None
    await step(
        chooser,
        "asks the first suggestion, the best fit",
        _press(box, chooser, shown, Action.REQUEST_MENTOR),
    )
    mentor = await _asked_mentor(box)
    log.say(f"\n… the request reaches {log.name(mentor)}, privately")
    await _deliver(box, clock)
    log.flush()
    request = box.double.messages(mentor)[-1]
    await step(mentor, "accepts", _press(box, mentor, request, Action.ACCEPT_REQUEST))
    log.say(f"\n… {log.name(chooser)} hears the answer")
    await _deliver(box, clock)
    log.flush()
    log.say("\n… nobody else chooses this time: the lead's matching will pair them")
