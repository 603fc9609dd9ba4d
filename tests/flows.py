"""Steps that several flow tests share, played through signed requests like a person would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import BASELINE_PREFIX, Action, Command, Field, View
from bot.models import Medium, Personality, Role
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.services.people import Profile
from bot.services.programmes import find_programmes
from bot.services.signup import SignupInput
from bot.services.signup import sign_up as sign_up_directly
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2

SETUP_VALUES: dict[str, Any] = {
    Field.NAME: "Digital cohort",
    Field.DESCRIPTION: "Executives learn from our digital natives.",
    Field.OBJECTIVES: "Confidence with social media | self-rating 1-5\n"
    "Understanding of AI tools | self-rating 1-5",
    Field.TOPICS: "AI, Social media, Hybrid working",
    Field.DEADLINE: "2026-01-20",
    Field.STARTS: "2026-02-01",
    Field.MIDPOINT: "2026-04-01",
    Field.ENDS: "2026-07-01",
}


def signup_values(programme_view: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """Complete, valid answers for the sign-up modal as it was shown."""
    values: dict[str, Any] = {
        Field.ROLE: "mentor",
        Field.DEPARTMENT: "Marketing",
        Field.GRADE: "2",
        Field.TOPICS: ["AI"],
        Field.PERSONALITY: "extrovert",
        Field.PREFERRED_MEDIUM: "video",
        Field.GOALS: "Show how we use social media day to day.",
        Field.CONSENT: ["accepted"],
    }
    for block in programme_view["blocks"]:
        if block.get("block_id", "").startswith(BASELINE_PREFIX):
            values[block["block_id"]] = "3"
    values.update(overrides)
    return values


async def create_programme(box: Sandbox, lead: str, **overrides: Any) -> dict[str, Any]:
    await box.command(lead, Command.ADMIN, "new")
    modal = box.modal(lead)
    assert modal is not None and modal["callback_id"] == View.PROGRAMME_SETUP
    response = await box.submit(lead, modal["id"], {**SETUP_VALUES, **overrides})
    assert response.status == 200
    return modal


async def open_enrolment(box: Sandbox, lead: str, channel: str, name: str = "") -> Any:
    await box.command(lead, Command.ADMIN, f"open {name}".strip())
    modal = box.modal(lead)
    assert modal is not None and modal["callback_id"] == View.OPEN_ENROLMENT
    return await box.submit(lead, modal["id"], {Field.CHANNEL: channel})


async def sign_up(box: Sandbox, user: str, **overrides: Any) -> Any:
    response = await submit_signup(box, user, **overrides)
    await box.run_job("deliver")  # the starter set, as the scheduler sends it seconds later
    return response


async def submit_signup(box: Sandbox, user: str, **overrides: Any) -> Any:
    """`/mentoring join` and the form sent; what the outbox queued for them is still queued."""
    await box.command(user, Command.PARTICIPANT, "join")
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.SIGNUP, box.replies(user)
    return await box.submit(user, modal["id"], signup_values(modal, **overrides))


async def signup_forms(box: Sandbox, *users: str) -> dict[str, dict[str, Any]]:
    """Each person's open sign-up form (`/mentoring join`), not yet submitted."""
    forms = {}
    for user in users:
        await box.command(user, Command.PARTICIPANT, "join")
        form = box.modal(user)
        assert form is not None and form["callback_id"] == View.SIGNUP, box.replies(user)
        forms[user] = form
    return forms


async def replay_as(box: Sandbox, sent: Any, user_id: str, **view_values: str) -> Any:
    """Re-send a real interaction payload, validly signed, as if `user_id` had sent it.

    Slack would never deliver this (the button or form was not shown to them), which is exactly
    what a forged or replayed request looks like to the app.
    """
    payload = json.loads(json.dumps(sent.payload))
    payload["user"] = {**payload["user"], "id": user_id, "username": user_id, "name": user_id}
    # A request of its own, not a repeat of the one copied: Slack gives each a fresh trigger.
    payload["trigger_id"] = box.double.new_trigger_id(user_id)
    for block_id, value in view_values.items():
        payload["view"]["state"]["values"][block_id][block_id]["value"] = value
    body = urlencode({"payload": json.dumps(payload)})
    response = await box.signer.send(body, "application/x-www-form-urlencoded")
    await box.settle()
    return response


async def close_enrolment(box: Sandbox, lead: str, name: str = "") -> None:
    await box.command(lead, Command.ADMIN, f"close {name}".strip())


def channel_of(box: Sandbox, *user_ids: str) -> str:
    """The group DM the app opened with exactly these people."""
    wanted = {*user_ids, box.workspace.bot_user_id}
    for channel in box.workspace.channels.values():
        if channel.is_mpim and channel.members == wanted:
            return channel.id
    raise AssertionError(f"no group DM with {user_ids}")


def last_message(box: Sandbox, channel: str) -> dict[str, Any]:
    messages = box.double.messages(channel)
    assert messages, f"nothing in {channel}"
    return messages[-1]


async def seed_people(db: Database, count: int, *, team_id: str = "T0TEST") -> None:
    """Half mentors, half mentees, straight into the team's first programme: a cohort too
    large to sign up one modal at a time."""
    programme = (await find_programmes_for(db, team_id))[0]
    topics = ["AI", "Social media", "Hybrid working"]
    async with db.transaction() as session:
        for n in range(count):
            mentor = n % 2 == 0
            answers = SignupInput(
                role=Role.MENTOR if mentor else Role.MENTEE,
                department=["Sales", "IT", "Finance"][n % 3],
                grade_level=2 if mentor else 6,
                line_manager_id=None,
                topics=[topics[n % 3]],
                skills="",
                baseline={},
                personality=Personality.EITHER,
                preferred_medium=Medium.VIDEO,
                goals="",
            )
            user = f"U{n:08d}"
            await sign_up_directly(
                session,
                team_id=team_id,
                programme_id=programme.id,
                profile=Profile(user, f"Person {n}", "Europe/London"),
                data=answers,
                now=programme.created_at,
            )


async def find_programmes_for(db: Database, team_id: str) -> list[Any]:
    async with db.transaction() as session:
        return await find_programmes(session, team_id=team_id)


EXEC2 = "U0EXEC2"
EXEC3 = "U0EXEC3"


async def enrol_cohort(box: Sandbox, *, close: bool = True, **setup: Any) -> None:
    """Two mentors and three mentees: Mia suits Eve (AI), Max suits Ed (social media), and
    Flo's wish (hybrid working) is nobody's offer, so one mentee is left over. `setup`
    overrides answers of the set-up form."""
    box.workspace.add_user(User(id=EXEC2, name="ed", real_name="Ed Exec", tz="Europe/London"))
    box.workspace.add_user(User(id=EXEC3, name="flo", real_name="Flo Exec", tz="UTC"))
    await create_programme(box, LEAD, **setup)
    await open_enrolment(box, LEAD, GENERAL)
    mentee = {Field.ROLE: "mentee", Field.PERSONALITY: "introvert"}
    await sign_up(box, MENTOR, **{Field.TOPICS: ["AI"], Field.DEPARTMENT: "Marketing"})
    await sign_up(box, MENTOR2, **{Field.TOPICS: ["Social media"], Field.DEPARTMENT: "IT"})
    await sign_up(box, EXEC, **mentee, **{Field.GRADE: "6", Field.TOPICS: ["AI"]})
    await sign_up(box, EXEC2, **mentee, **{Field.GRADE: "5", Field.TOPICS: ["Social media"]})
    await sign_up(box, EXEC3, **mentee, **{Field.GRADE: "7", Field.TOPICS: ["Hybrid working"]})
    if close:
        await close_enrolment(box, LEAD)


async def enrolled_cohort(box: Sandbox, clock: FakeClock) -> None:
    """The cohort signed up and enrolment closed: a scenario to `play`."""
    await enrol_cohort(box)


async def enrolling_cohort(box: Sandbox, clock: FakeClock) -> None:
    """The cohort signed up, enrolment still open: a scenario to `play`."""
    await enrol_cohort(box, close=False)


def preview(box: Sandbox) -> dict[str, Any]:
    message = last_message(box, LEAD)
    assert message["text"].startswith("Matching preview"), message["text"]
    return message


MEETING = datetime(2026, 1, 8, 15, tzinfo=UTC)


async def confirm_pairs(sandbox: Sandbox, clock: FakeClock) -> str:
    """Mia and Eve, confirmed on 8 Jan after both said go; their group DM's id. Max and Ed are
    confirmed too, as the pair next door."""
    await enrol_cohort(sandbox)
    await sandbox.command(LEAD, Command.ADMIN, "match")
    await sandbox.press(LEAD, preview(sandbox), Action.APPROVE_MATCH)
    for mentor, mentee in ((MENTOR, EXEC), (MENTOR2, EXEC2)):
        channel = channel_of(sandbox, mentor, mentee)
        await sandbox.press(mentee, last_message(sandbox, channel), Action.REQUEST_CHEMISTRY)
        modal = sandbox.modal(mentee)
        assert modal is not None
        await sandbox.submit(mentee, modal["id"], {Field.TIME_1: int(MEETING.timestamp())})
        proposal = last_message(sandbox, channel)
        await sandbox.click(
            mentor,
            f"{Action.ACCEPT_TIME}:0",
            proposal["blocks"][-2]["accessory"]["value"],
            message={"channel": channel, "ts": proposal["ts"]},
        )
    clock.set(datetime(2026, 1, 8, 15, 31, tzinfo=UTC))
    sandbox.double.deliver_scheduled()
    for user in (MENTOR, EXEC, MENTOR2, EXEC2):
        await sandbox.press(user, sandbox.dms(user)[-1], Action.GO)
    clock.set(datetime(2026, 1, 9, 9, 0, tzinfo=UTC))
    return channel_of(sandbox, MENTOR, EXEC)


async def open_agreement(box: Sandbox, channel: str, user: str) -> dict[str, Any]:
    message = next(
        m for m in reversed(box.double.messages(channel)) if "you both said go" in m["text"]
    )
    await box.press(user, message, Action.AGREEMENT_OPEN)
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.AGREEMENT
    return modal


async def agree(box: Sandbox, channel: str) -> None:
    modal = await open_agreement(box, channel, EXEC)
    await box.submit(EXEC, modal["id"], {})
    await box.press(MENTOR, last_message(box, channel), Action.AGREEMENT_CONFIRM)


def calendar_files(
    box: Sandbox, channel: str, named: str = ""
) -> list[tuple[dict[str, Any], bytes]]:
    """The .ics files (whose names start `named`) shared in a conversation, oldest first: each
    message and the file."""
    shared = []
    for message in box.double.messages(channel):
        for shown in message.get("files") or []:
            if shown["name"].startswith(named) and shown["name"].endswith(".ics"):
                shared.append((message, box.double.state.files[shown["id"]]["content"]))
    return shared
