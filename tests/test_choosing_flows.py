"""Mentees choosing their mentor, in Slack: suggestions under the programme's hard rules, a
request the mentor answers privately, a mentor's last place taken once when two mentees ask at
the same moment, requests that lapse, and the hand-over to the lead's matching, whose approval
introduces chosen pairs like every other."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.models import (
    AuditEntry,
    MentorRequest,
    Pair,
    PairStatus,
    Participant,
    RequestStatus,
)
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.services.data_rights import export_for
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2, OUTSIDER, TEAM
from tests.flows import (
    EXEC2,
    EXEC3,
    channel_of,
    create_programme,
    enrol_cohort,
    last_message,
    open_enrolment,
    preview,
    replay_as,
    sign_up,
)
from tests.scenarios import play

CHOOSE = {Field.MATCHING_MODE: "choose", Field.ANSWER_DAYS: "3"}


async def deliver(box: Sandbox, clock: FakeClock) -> None:
    """A minute passes and the outbox sends what is due (Slack's pace allows it by then)."""
    clock.advance(minutes=1)
    await box.run_job("deliver")


async def choosing_cohort(box: Sandbox, clock: FakeClock) -> None:
    """The matching flows' cohort (Mia suits Eve, Max suits Ed, Flo's wish is nobody's offer)
    in a programme where mentees choose: enrolment closed, every invitation delivered."""
    await enrol_cohort(box, **CHOOSE)
    await deliver(box, clock)


async def both_cohort(box: Sandbox, clock: FakeClock) -> None:
    """The same cohort where mentees may choose until the lead matches everyone else."""
    await enrol_cohort(box, **{**CHOOSE, Field.MATCHING_MODE: "both"})
    await deliver(box, clock)


def invitation(box: Sandbox, user: str) -> dict[str, Any]:
    """The newest message in the person's DM with a button to see their suggestions."""
    for message in reversed(box.dms(user)):
        if Action.SEE_SUGGESTIONS.value in json.dumps(message.get("blocks")):
            return message
    raise AssertionError(f"no invitation to choose in {[m['text'] for m in box.dms(user)]}")


async def suggestions(box: Sandbox, user: str) -> dict[str, Any]:
    """Press "See my suggestions"; the message the suggestions replaced it with."""
    return (await seeing(box, user))[1]


async def seeing(box: Sandbox, user: str) -> tuple[Any, dict[str, Any]]:
    """Press "See my suggestions": the click, and the message the suggestions replaced."""
    message = invitation(box, user)
    click = await box.press(user, message, Action.SEE_SUGGESTIONS)
    shown = box.double.find_message(message["channel"], message["ts"])
    assert shown is not None
    return click, shown


async def ask_forged(box: Sandbox, click: Any, mentor: str, mentee: str) -> str:
    """A forged request, from the mentee's own click, for `mentor` on `mentee`'s list."""
    value = f"{await participant_id(box, mentor)}:{await participant_id(box, mentee)}"
    await forge(box, click, f"{Action.REQUEST_MENTOR}:99", value)
    return last_said(box)


def suggested(message: dict[str, Any]) -> list[str]:
    """The mentors suggested, best first."""
    return [
        b["text"]["text"].split("\n")[0].strip("*")
        for b in message["blocks"]
        if (b.get("accessory") or {}).get("action_id", "").startswith(Action.REQUEST_MENTOR)
    ]


def asking(box: Sandbox, user: str, message: dict[str, Any], name: str) -> Awaitable[Any]:
    """Press Ask on the suggestion of `name` (not awaited, so two people can press at once)."""
    for block in message["blocks"]:
        button = block.get("accessory") or {}
        if button.get("action_id", "").startswith(Action.REQUEST_MENTOR) and block["text"][
            "text"
        ].startswith(f"*{name}*"):
            where = {"channel": message["channel"], "ts": message["ts"]}
            return box.click(user, button["action_id"], button["value"], message=where)
    raise AssertionError(f"{name} is not suggested in {suggested(message)}")


async def requests(box: Sandbox) -> list[tuple[str, str, RequestStatus]]:
    """(mentee, mentor, status) of every request, oldest first."""
    async with box.db.transaction() as session:
        people = {p.id: p.user_id for p in await session.scalars(select(Participant))}
        rows = await session.scalars(select(MentorRequest).order_by(MentorRequest.id))
        return [(people[r.mentee_id], people[r.mentor_id], r.status) for r in rows]


async def participant_id(box: Sandbox, user: str) -> int:
    async with box.db.transaction() as session:
        found = await session.scalar(select(Participant.id).where(Participant.user_id == user))
    assert found is not None
    return found


async def forge(box: Sandbox, sent: Any, action_id: str, value: str) -> Any:
    """Send a real click again as another button with another value, validly signed: what a
    forged request looks like to the app."""
    payload = json.loads(json.dumps(sent.payload))
    payload["actions"][0].update(action_id=action_id, value=value)
    payload["trigger_id"] = box.double.new_trigger_id(payload["user"]["id"])
    response = await box.signer.send(
        urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    )
    await box.settle()
    return response


def last_said(box: Sandbox) -> str:
    """What the app last answered through a response URL (a forged click carries the URL of
    the click it copied)."""
    return str(box.double.response_posts[-1][1].get("text"))


def with_button(box: Sandbox, user: str, action: Action) -> dict[str, Any]:
    for message in reversed(box.dms(user)):
        if action.value in json.dumps(message.get("blocks")):
            return message
    raise AssertionError(f"no {action} in {[m['text'] for m in box.dms(user)]}")


async def test_closing_enrolment_invites_mentees_to_choose_from_compatible_mentors(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, choosing_cohort)
    assert "3 mentees are now choosing their mentors" in sandbox.replies(LEAD)[-1]["text"]
    for mentee in (EXEC, EXEC2, EXEC3):
        assert "Choose your mentor for Digital cohort" in invitation(sandbox, mentee)["text"]
    assert all("Choose your mentor" not in m["text"] for m in sandbox.dms(MENTOR))

    shown = await suggestions(sandbox, EXEC)
    assert suggested(shown) == ["Mia Mentor", "Max Mentor"]  # best fit first
    text = json.dumps(shown["blocks"])
    assert "Offers: AI" in text and "Show how we use social media day to day." in text
    assert "offers 1 of the 1 topics the mentee wants (AI)" in text
    # Never a grade, a line manager or a score.
    assert "Associate" not in text and "grade" not in text.lower() and "score" not in text
    assert await requests(sandbox) == []


async def test_the_sign_up_form_tells_mentors_what_choosing_mentees_will_see(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await play(sandbox, clock, choosing_cohort)
    await create_programme(sandbox, LEAD, **{**CHOOSE, Field.NAME: "Second cohort"})
    await open_enrolment(sandbox, LEAD, GENERAL, "Second cohort")
    await sandbox.command(OUTSIDER, Command.PARTICIPANT, "join")
    modal = sandbox.modal(OUTSIDER)
    assert modal is not None
    hints = {b["block_id"]: (b.get("hint") or {}).get("text", "") for b in modal["blocks"]}
    for field in (Field.SKILLS, Field.GOALS):
        assert "mentees choosing their mentor see the topics you offer" in hints[field]
        assert "never your level or line manager" in hints[field]


async def test_suggestions_keep_every_hard_rule_and_a_forged_request_is_refused(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    """The engine's rule cases (tests/services/matching/test_engine.py), one mentor breaking
    each: more senior than the mentee, in her reporting line, in her department, too many time
    zones away; only the mentor who breaks none is suggested, and asking another is refused."""
    box = sandbox
    rules = ["mentor_more_junior", "outside_reporting_line", "cross_department"]
    for user, name in (("U0SENIOR", "Sam Senior"), ("U0REPORT", "Rae Report"), ("U0DEPT", "Dee")):
        box.workspace.add_user(User(id=user, name=user, real_name=name, tz="Europe/Berlin"))
    box.workspace.add_user(User(id=EXEC2, name="ed", real_name="Ed Exec", tz="Europe/London"))
    await create_programme(box, LEAD, **CHOOSE, **{Field.RULES: rules, Field.MAX_TZ_GAP: "6"})
    await open_enrolment(box, LEAD, GENERAL)
    mentor = {Field.TOPICS: ["AI"], Field.DEPARTMENT: "IT", Field.GRADE: "2"}
    await sign_up(box, MENTOR, **mentor)  # Berlin: 6 hours from New York
    await sign_up(box, MENTOR2, **mentor)  # Singapore: 13 hours away
    await sign_up(box, "U0SENIOR", **{**mentor, Field.GRADE: "7"})
    await sign_up(box, "U0REPORT", **{**mentor, Field.GRADE: "1", Field.LINE_MANAGER: EXEC})
    await sign_up(box, "U0DEPT", **{**mentor, Field.DEPARTMENT: "Finance"})
    mentee = {Field.ROLE: "mentee", Field.GRADE: "6", Field.TOPICS: ["AI"]}
    await sign_up(box, EXEC, **mentee, **{Field.DEPARTMENT: "Finance"})
    await sign_up(box, EXEC2, **mentee, **{Field.DEPARTMENT: "Legal"})
    await box.command(LEAD, Command.ADMIN, "close")
    await deliver(box, clock)

    click, shown = await seeing(box, EXEC)
    assert suggested(shown) == ["Mia Mentor"]
    for user in (MENTOR2, "U0SENIOR", "U0REPORT", "U0DEPT"):
        assert "not among your suggestions" in await ask_forged(box, click, user, EXEC)
    assert await requests(box) == []
    # Ed, in another department, may have Dee.
    assert "Dee" in suggested(await suggestions(box, EXEC2))


async def test_the_mentor_accepts_and_the_leads_matching_introduces_the_chosen_pair(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await play(box, clock, choosing_cohort)
    await asking(box, EXEC, await suggestions(box, EXEC), "Mia Mentor")
    assert "You asked *Mia Mentor* to be your mentor" in box.dms(EXEC)[-1]["text"]
    await deliver(box, clock)
    request = with_button(box, MENTOR, Action.ACCEPT_REQUEST)
    assert "*Eve Exec* would like you as their reverse mentor" in request["text"]
    assert "They want to explore: AI" in json.dumps(request["blocks"])
    await box.press(MENTOR, request, Action.ACCEPT_REQUEST)
    assert "You accepted *Eve Exec*" in box.dms(MENTOR)[-1]["text"]
    await deliver(box, clock)
    assert "*Mia Mentor* accepted your request" in box.last_dm(EXEC)
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.ACCEPTED)]
    async with box.db.transaction() as session:
        mine = await export_for(session, team_id=TEAM, user_id=EXEC, now=clock.now())
    assert mine is not None
    [asked] = mine["programmes"][0]["mentor_requests"]
    assert (asked["i_asked"], asked["status"]) == ("Mia Mentor", "accepted")

    # Where mentees choose, the lead's matching waits for the lead to close choosing.
    await box.command(LEAD, Command.ADMIN, "match")
    standing = box.last_ephemeral(LEAD)
    assert "1 agreed with a mentor, 0 waiting" in standing["text"]
    assert "Still without a partner (2): Ed Exec, Flo Exec." in json.dumps(standing["blocks"])
    async with box.db.transaction() as session:
        assert list(await session.scalars(select(Pair))) == []
        seen = list(await session.scalars(select(AuditEntry.view)))
    assert seen == ["mentees still choosing a mentor"]
    # A mentee's forged "close choosing" is refused, and choosing stays open.
    click, _ = await seeing(box, EXEC2)
    programme_id = standing["blocks"][-1]["elements"][0]["value"]
    await forge(box, click, f"{Action.CLOSE_CHOOSING}:{programme_id}", programme_id)
    assert "for programme leads" in last_said(box)
    assert suggested(await suggestions(box, EXEC3)) == ["Max Mentor"]
    await box.press(LEAD, standing, Action.CLOSE_CHOOSING)
    assert "1 agreed pair pinned in the matching" in box.replies(LEAD)[-1]["text"]
    shown = preview(box)
    assert any(
        "*Mia Mentor* (mentor) with *Eve Exec* (mentee)" in b["text"]["text"]
        and "pinned" in b["text"]["text"]
        for b in shown["blocks"]
        if b["type"] == "section"
    )
    await box.press(LEAD, shown, Action.APPROVE_MATCH)
    intro = last_message(box, channel_of(box, MENTOR, EXEC))
    assert "Meet your reverse mentoring partner" in intro["text"]
    async with box.db.transaction() as session:
        pairs = list(await session.scalars(select(Pair).where(Pair.pinned.is_(True))))
    assert [p.status for p in pairs] == [PairStatus.INTRODUCED]
    # The window is closed: a late press of an old button changes nothing.
    await asking(box, EXEC2, with_button(box, EXEC2, Action.REQUEST_MENTOR), "Max Mentor")
    assert "Choosing has closed" in last_said(box)
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.ACCEPTED)]


async def test_a_decline_is_never_shown_as_such(sandbox: Sandbox, clock: FakeClock) -> None:
    box = sandbox
    await play(box, clock, choosing_cohort)
    await asking(box, EXEC, await suggestions(box, EXEC), "Mia Mentor")
    await deliver(box, clock)
    await box.press(
        MENTOR, with_button(box, MENTOR, Action.DECLINE_REQUEST), Action.DECLINE_REQUEST
    )
    assert "Nobody will tell them who declined" in box.dms(MENTOR)[-1]["text"]
    await deliver(box, clock)
    again = invitation(box, EXEC)
    assert "didn't lead to a pair this time" in again["text"]
    told = json.dumps([m["blocks"] for m in box.dms(EXEC)]) + json.dumps(box.replies(EXEC))
    assert "declin" not in told.lower()
    click, shown = await seeing(box, EXEC)
    assert suggested(shown) == ["Max Mentor"]  # the refreshed list, without Mia
    assert "not among your suggestions" in await ask_forged(box, click, MENTOR, EXEC)
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.DECLINED)]

    # The lead's matching never proposes what the mentor declined.
    await box.command(LEAD, Command.ADMIN, "match")
    await box.press(LEAD, box.last_ephemeral(LEAD), Action.CLOSE_CHOOSING)
    assert "*Mia Mentor* (mentor) with *Eve Exec*" not in json.dumps(preview(box)["blocks"])


async def test_only_the_mentee_and_the_mentor_concerned_can_act(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await play(box, clock, choosing_cohort)
    shown = await suggestions(box, EXEC)
    sent = await asking(box, EXEC, shown, "Mia Mentor")
    await replay_as(box, sent, EXEC2)  # Ed presses Eve's button
    assert "someone else's" in last_said(box)
    await replay_as(box, sent, OUTSIDER)  # someone outside the programme
    assert "for the programme's mentees" in last_said(box)
    await replay_as(box, sent, EXEC)  # Eve again: one request at a time
    assert "asked a mentor already" in last_said(box)
    await box.resend(sent)  # Slack's retry of the very same click
    await deliver(box, clock)
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.OPEN)]

    request = with_button(box, MENTOR, Action.ACCEPT_REQUEST)
    accept = await box.press(MENTOR, request, Action.ACCEPT_REQUEST)
    await replay_as(box, accept, MENTOR2)  # Max presses Mia's Accept
    assert "sent to someone else" in last_said(box)
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.ACCEPTED)]
    decline = await replay_as(box, accept, MENTOR)  # Mia again, after answering
    assert decline.status == 200
    assert "accepted this request already" in last_said(box)
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.ACCEPTED)]


async def test_two_mentees_asking_for_the_last_place_one_gets_it(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    """Eve and Flo ask Mia, who has one place, at the same moment: the database serves one
    first (the programme's row lock, or SQLite's write lock); the other is told kindly and
    sees her next suggestions."""
    box = sandbox
    await play(box, clock, choosing_cohort)
    eve, flo = await suggestions(box, EXEC), await suggestions(box, EXEC3)
    assert "Mia Mentor" in suggested(eve) and "Mia Mentor" in suggested(flo)
    await asyncio.gather(
        asking(box, EXEC, eve, "Mia Mentor"), asking(box, EXEC3, flo, "Mia Mentor")
    )
    made = await requests(box)
    assert [(mentor, status) for _, mentor, status in made] == [(MENTOR, RequestStatus.OPEN)]
    [(winner, _, _)] = made
    loser = EXEC3 if winner == EXEC else EXEC
    assert "You asked *Mia Mentor*" in box.dms(winner)[-1]["text"]
    told = box.dms(loser)[-1]
    assert "that was their last free place" in json.dumps(told["blocks"])
    assert suggested(told) == ["Max Mentor"]
    await deliver(box, clock)
    assert len([m for m in box.dms(MENTOR) if "would like you" in m["text"]]) == 1


async def test_unanswered_requests_lapse_and_the_lead_hears_who_is_without_a_partner(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await play(box, clock, choosing_cohort)
    clock.advance(hours=5)  # 15:00 in London, 10:00 in Eve's New York: not her quiet hours
    await asking(box, EXEC, await suggestions(box, EXEC), "Mia Mentor")
    await deliver(box, clock)
    request = with_button(box, MENTOR, Action.ACCEPT_REQUEST)
    clock.advance(days=3, minutes=-2)  # the request was made a minute before delivery
    await box.run_job("reminders")
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.OPEN)]

    clock.advance(minutes=2)
    await box.run_job("reminders")
    await deliver(box, clock)
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.EXPIRED)]
    assert "didn't lead to a pair this time" in invitation(box, EXEC)["text"]
    digest = box.dms(LEAD)[-1]
    assert "0 agreed with a mentor, 0 waiting" in digest["text"]
    assert "Still without a partner (3): Ed Exec, Eve Exec, Flo Exec." in json.dumps(
        digest["blocks"]
    )
    # Once: a second sweep (another replica, the next run) queues nothing more.
    sent = len(box.dms(LEAD)) + len(box.dms(EXEC))
    await box.run_job("reminders")
    await deliver(box, clock)
    assert len(box.dms(LEAD)) + len(box.dms(EXEC)) == sent
    await box.press(MENTOR, request, Action.ACCEPT_REQUEST)
    assert "lapsed" in box.replies(MENTOR)[-1]["text"]
    assert suggested(await suggestions(box, EXEC)) == ["Max Mentor"]
    # From the digest, the lead closes choosing and matches everyone.
    await box.press(LEAD, digest, Action.CLOSE_CHOOSING)
    assert preview(box)["text"].startswith("Matching preview for Digital cohort")


async def test_where_both_decide_the_leads_matching_closes_choosing(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await play(box, clock, both_cohort)
    assert "Or leave it to your programme lead" in invitation(box, EXEC)["text"]
    await asking(box, EXEC, await suggestions(box, EXEC), "Mia Mentor")
    await deliver(box, clock)
    request = with_button(box, MENTOR, Action.ACCEPT_REQUEST)
    await box.command(LEAD, Command.ADMIN, "match")
    assert "1 request still waiting withdrawn" in box.replies(LEAD)[-2]["text"]
    assert preview(box)["text"].startswith("Matching preview")
    await deliver(box, clock)
    assert "before *Mia Mentor* answered" in box.last_dm(EXEC)
    await box.press(MENTOR, request, Action.ACCEPT_REQUEST)
    assert "withdrawn" in box.replies(MENTOR)[-1]["text"]
    assert await requests(box) == [(EXEC, MENTOR, RequestStatus.WITHDRAWN)]
