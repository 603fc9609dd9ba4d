"""Pulse surveys and reviews: one invitation in each person's morning, one-tap answers kept
without names, one reminder then silence, and none right after a check-in. Mia (Berlin) and
Eve (New York) agree on 9 Jan; the programme starts 1 Feb with a pulse every four weeks."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import inspect, select

from bot.clock import FakeClock
from bot.ids import RERATE_PREFIX, Action, Command, Field, View
from bot.models import ObjectiveRating, RatingPhase, SurveyInvite, SurveyResponse
from bot.sandbox import Sandbox
from tests.conftest import EXEC, MENTOR, OUTSIDER
from tests.flows import agree, confirm_pairs
from tests.scenarios import play
from tests.test_momentum_flows import at, log_session, tick

PULSE = {Field.VALUE: "4", Field.BALANCE: "3", Field.OPENNESS: "5", Field.BREADTH: "2"}


async def reach_agreed(sandbox: Sandbox, clock: FakeClock) -> None:
    await agree(sandbox, await play(sandbox, clock, confirm_pairs))


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_agreed)
    return sandbox


def surveys_to(box: Sandbox, user: str) -> list[str]:
    asks = ("How is it going?", "A gentle reminder")
    return [m["text"] for m in box.dms(user) if m["text"].startswith(asks)]


async def open_survey(box: Sandbox, user: str) -> dict:
    invitation = next(m for m in reversed(box.dms(user)) if "Answer" in str(m["blocks"]))
    await box.press(user, invitation, Action.SURVEY_OPEN)
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.SURVEY
    return modal


async def test_a_pulse_is_answered_anonymously_reminded_once_then_silent(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("02-28", 12), "surveys", "deliver")
    assert surveys_to(box, MENTOR) == []  # the first pulse opens four weeks in, on 1 Mar
    await tick(box, clock, at("03-01", 12), "surveys", "deliver")
    [invitation] = surveys_to(box, MENTOR)
    assert invitation.startswith("How is it going? Pulse survey for Digital cohort (4 quick taps)")
    assert surveys_to(box, EXEC) == []  # 07:00 in New York
    await tick(box, clock, at("03-01", 13), "surveys", "deliver")
    assert len(surveys_to(box, EXEC)) == 1

    modal = await open_survey(box, MENTOR)
    asked = [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"]
    assert asked[:2] == [
        "How valuable are your sessions?",
        "How balanced is the relationship: do you both teach and both learn?",
    ]
    await box.submit(MENTOR, modal["id"], {**PULSE, Field.COMMENT: "Eye-opening"})
    assert box.last_dm(MENTOR) == "Thank you: your pulse survey answers are in, anonymously."
    await box.press(MENTOR, box.dms(MENTOR)[-2], Action.SURVEY_OPEN)
    assert box.last_ephemeral(MENTOR)["text"] == "You have answered this survey already. Thank you!"

    await tick(box, clock, at("03-03", 12, 59), "surveys", "deliver")
    assert len(surveys_to(box, EXEC)) == 1
    await tick(box, clock, at("03-03", 13), "surveys", "deliver")
    assert surveys_to(box, EXEC)[-1].startswith("A gentle reminder, and the only one:")
    assert len(surveys_to(box, MENTOR)) == 1  # she answered: no reminder
    for day in ("03-05", "03-07"):
        await tick(box, clock, at(day, 14), "surveys", "deliver")
    assert len(surveys_to(box, EXEC)) == 2

    await tick(box, clock, at("03-09", 14), "surveys", "deliver")
    await box.press(EXEC, box.dms(EXEC)[-1], Action.SURVEY_OPEN)
    assert box.last_ephemeral(EXEC)["text"].startswith("This survey has closed.")

    async with box.db.transaction() as session:  # type: ignore[union-attr]
        [answer] = list(await session.scalars(select(SurveyResponse)))
        answered = Counter(await session.scalars(select(SurveyInvite.answered)))
    assert (answer.value, answer.balance, answer.openness, answer.breadth) == (4, 3, 5, 2)
    assert answer.comment == "Eye-opening" and answer.role == "mentor"
    assert not any(
        "participant" in c.key or "user" in c.key for c in inspect(SurveyResponse).columns
    )  # nothing points back to her
    assert answered == Counter({True: 1, False: 1})


async def test_no_pulse_straight_after_a_check_in(agreed: Sandbox, clock: FakeClock) -> None:
    box = agreed
    clock.set(at("02-28", 12))
    await log_session(box, EXEC, "2026-02-27")
    await tick(box, clock, at("03-01", 14), "surveys", "deliver")
    assert len(surveys_to(box, MENTOR)) == 1 and surveys_to(box, EXEC) == []
    await tick(box, clock, at("03-03", 14), "surveys", "deliver")
    assert len(surveys_to(box, EXEC)) == 1  # three days on, she is asked too
    assert surveys_to(box, MENTOR)[-1].startswith("A gentle reminder")  # Mia did not answer


async def test_the_mid_point_review_re_rates_objectives_against_the_baseline(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("03-29", 14), "surveys", "deliver")
    assert surveys_to(box, MENTOR) == []  # no pulse in the review's week
    await tick(box, clock, at("04-01", 14), "surveys", "deliver")
    assert surveys_to(box, MENTOR)[-1].startswith("How is it going? Mid-point review")
    modal = await open_survey(box, MENTOR)
    rerate = [b for b in modal["blocks"] if b["block_id"].startswith(RERATE_PREFIX)]
    assert [b["hint"]["text"] for b in rerate] == ["At sign-up you said 3 out of 5."] * 2
    assert Field.CONTINUE not in {b["block_id"] for b in modal["blocks"]}

    values = {b["block_id"]: "4" for b in rerate}
    await box.submit(
        MENTOR, modal["id"], {**values, Field.RECOMMEND: "9", Field.ACTIONS_DONE: "some"}
    )
    async with box.db.transaction() as session:  # type: ignore[union-attr]
        ratings = list(
            await session.scalars(
                select(ObjectiveRating.rating).where(ObjectiveRating.phase == RatingPhase.MIDPOINT)
            )
        )
        [answer] = list(await session.scalars(select(SurveyResponse)))
    assert ratings == [4, 4]
    assert (answer.would_recommend, answer.actions_implemented) == (9, "some")


async def test_the_end_review_asks_about_carrying_on_and_strangers_cannot_answer(
    agreed: Sandbox, clock: FakeClock
) -> None:
    box = agreed
    await tick(box, clock, at("07-01", 14), "surveys", "deliver")
    assert surveys_to(box, EXEC)[-1].startswith("How is it going? End-of-programme review")
    invitation = box.dms(EXEC)[-1]
    await box.press(OUTSIDER, invitation, Action.SURVEY_OPEN)
    assert box.modal(OUTSIDER) is None
    assert "sent to someone else" in box.last_ephemeral(OUTSIDER)["text"]
    modal = await open_survey(box, EXEC)
    assert Field.CONTINUE in {b["block_id"] for b in modal["blocks"]}
    await box.command(EXEC, Command.PARTICIPANT, "leave")
    await box.press(EXEC, box.last_ephemeral(EXEC), Action.LEAVE_CONFIRM)
    response = await box.submit(
        EXEC,
        modal["id"],
        {
            **{
                b["block_id"]: "5"
                for b in modal["blocks"]
                if b["block_id"].startswith(RERATE_PREFIX)
            },
            Field.RECOMMEND: "10",
            Field.ACTIONS_DONE: "all",
            Field.CONTINUE: "yes",
        },
    )
    assert response.status == 200
    assert box.last_dm(EXEC).startswith("You have left “Digital cohort”")
