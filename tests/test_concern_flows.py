"""A concern goes to the programme's leads and its neutral supporter and nobody else; replies
go back and forth between them and the participant; only they can reply, and a lead closes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.models import Programme, ProgrammeLead
from bot.sandbox import Sandbox
from tests.conftest import ADMIN, EXEC, GENERAL, LEAD, MENTOR, OUTSIDER, OWNER
from tests.flows import create_programme, open_enrolment, replay_as, sign_up

WORRY = "My mentee keeps cancelling at the last minute and I feel awkward saying so"
ANSWER = "Thank you for telling us; shall we talk on Thursday?"
BACK = "Thursday works, thank you"


async def setup(box: Sandbox) -> None:
    await create_programme(box, LEAD)
    await create_programme(box, OWNER, **{Field.NAME: "D&I cohort"})
    await open_enrolment(box, LEAD, GENERAL, "Digital cohort")
    await sign_up(box, MENTOR)
    await sign_up(box, EXEC, **{Field.ROLE: "mentee", Field.GRADE: "6"})
    async with box.db.transaction() as session:
        digital = await session.scalar(select(Programme).where(Programme.name == "Digital cohort"))
        assert digital is not None
        session.add(
            ProgrammeLead(
                programme_id=digital.id,
                user_id=ADMIN,
                is_supporter=True,
                added_at=digital.created_at,
            )
        )


def seen_by(box: Sandbox, user: str, text: str) -> list[dict[str, Any]]:
    return [m for m in box.dms(user) if text in str(m.get("blocks")) + m["text"]]


async def raise_it(box: Sandbox, text: str) -> Any:
    await box.command(MENTOR, Command.PARTICIPANT, "concern")
    modal = box.modal(MENTOR)
    assert modal is not None and modal["callback_id"] == View.CONCERN
    return await box.submit(MENTOR, modal["id"], {Field.CONCERN_TEXT: text})


async def reply_to(box: Sandbox, user: str, message: dict[str, Any], text: str) -> Any:
    pressed = await box.press(user, message, Action.CONCERN_REPLY)
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.CONCERN_REPLY
    await box.submit(user, modal["id"], {Field.CONCERN_TEXT: text})
    return pressed


async def test_a_concern_stays_between_the_participant_and_the_programmes_helpers(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await setup(box)
    refused = await raise_it(box, "hm")
    assert refused.json()["errors"][Field.CONCERN_TEXT].startswith("Say a little more")

    await raise_it(box, WORRY)
    assert "and to nobody else" in box.last_dm(MENTOR)
    (to_lead,) = seen_by(box, LEAD, WORRY)
    assert len(seen_by(box, ADMIN, WORRY)) == 1  # the neutral supporter
    assert seen_by(box, OWNER, WORRY) == []  # another programme's lead
    assert seen_by(box, EXEC, WORRY) == []  # the partner

    pressed = await reply_to(box, LEAD, to_lead, ANSWER)
    (answer,) = seen_by(box, MENTOR, ANSWER)
    assert len(seen_by(box, ADMIN, ANSWER)) == 1  # the other helper stays in the loop
    assert seen_by(box, EXEC, ANSWER) == [] and seen_by(box, OWNER, ANSWER) == []

    await reply_to(box, MENTOR, answer, BACK)
    assert len(seen_by(box, LEAD, BACK)) == 1 and len(seen_by(box, ADMIN, BACK)) == 1
    assert seen_by(box, EXEC, BACK) == []

    # Someone else's forged press of the lead's Reply button opens nothing.
    await replay_as(box, pressed, OUTSIDER)
    assert box.modal(OUTSIDER) is None

    await box.press(LEAD, to_lead, Action.CONCERN_CLOSE)
    assert "closed the concern" in box.last_dm(MENTOR)
    await box.press(MENTOR, answer, Action.CONCERN_REPLY)
    assert box.modal(MENTOR) is not None  # the form opens, but the answer is refused
    modal = box.modal(MENTOR)
    assert modal is not None
    await box.submit(MENTOR, modal["id"], {Field.CONCERN_TEXT: "One more thing though"})
    assert box.last_dm(MENTOR).startswith("This concern is closed.")
    assert seen_by(box, LEAD, "One more thing") == []


async def test_someone_outside_every_programme_is_pointed_elsewhere(sandbox: Sandbox) -> None:
    box = sandbox
    await setup(box)
    await box.command(OUTSIDER, Command.PARTICIPANT, "concern")
    assert box.modal(OUTSIDER) is None
    assert "once you have joined a programme" in box.replies(OUTSIDER)[-1]["text"]
