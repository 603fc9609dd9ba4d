"""The sandbox demo: a lead sets up a programme and a workspace of people sign up, as in Slack."""

from __future__ import annotations

import json
import random
import statistics
import tempfile
from collections import Counter
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.db import Database
from bot.ids import BASELINE_PREFIX, Action, Command, Field
from bot.migrate import upgrade_head
from bot.models import Participant, ParticipantStatus, Programme
from bot.sandbox import Sandbox
from bot.sandbox.demo.choosing import play_choosing
from bot.sandbox.demo.ending import play_ending
from bot.sandbox.demo.matching import play_matching
from bot.sandbox.demo.momentum import play_momentum
from bot.sandbox.demo.pair_work import play_pair_work
from bot.sandbox.demo.people import (
    ANNOUNCE_CHANNEL,
    LEAD_ID,
    PRIVATE_CHANNEL,
    SPONSOR_ID,
    Person,
    build_workspace,
)
from bot.sandbox.demo.preparation import play_preparation
from bot.sandbox.demo.social import play_kick_off
from bot.sandbox.demo.sponsor import play_sponsor
from bot.sandbox.demo.transcript import Transcript, short

# The bot scopes manifests/socket-mode.json grants, shipped as package data: an installed bot
# (the Docker image) has no manifests/. A test keeps the copy equal to the manifest.
SCOPES = files("bot.sandbox.demo") / "bot_scopes.json"
DEMO_TOKEN = "xoxb-sandbox-demo"
PROGRAMME: dict[str, Any] = {
    Field.NAME: "Digital Leaders 2026",
    Field.DESCRIPTION: "Our executives learn how our youngest colleagues work, share and use AI.",
    Field.OBJECTIVES: "Executives' confidence with social media | self-rating 1-5\n"
    "Understanding of generative AI at work | self-rating 1-5\n"
    "Insight into how early-career colleagues experience us | self-rating 1-5",
    Field.TOPICS: "AI, Social media, Hybrid working, Digital tools, Generational perspectives",
    # Mentees may choose their mentor until the lead matches everyone else.
    Field.MATCHING_MODE: "both",
    Field.SPONSOR: [SPONSOR_ID],
}


def _dated(programme: dict[str, Any], today: date) -> dict[str, Any]:
    """Dates relative to today, so the demo plays the same whenever it runs."""
    starts = today + timedelta(days=42)
    return {
        **programme,
        Field.DEADLINE: (today + timedelta(days=14)).isoformat(),
        Field.STARTS: starts.isoformat(),
        Field.MIDPOINT: (starts + timedelta(days=84)).isoformat(),
        Field.ENDS: (starts + timedelta(days=168)).isoformat(),
    }


def _scopes() -> set[str]:
    return set(json.loads(SCOPES.read_text(encoding="utf-8")))


def _answers(person: Person, modal: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    topics = ["AI", "Social media", "Hybrid working", "Digital tools", "Generational perspectives"]
    values: dict[str, Any] = {
        Field.ROLE: person.intended_role,
        Field.DEPARTMENT: person.department,
        Field.GRADE: str(person.grade_level),
        Field.TOPICS: rng.sample(topics, 2),
        Field.SKILLS: "TikTok, prompt writing" if person.intended_role == "mentor" else "",
        Field.PERSONALITY: rng.choice(["introvert", "extrovert", "either"]),
        Field.PREFERRED_MEDIUM: rng.choice(["video", "in_person", "any"]),
        Field.GOALS: (
            "Show how my generation works and learns."
            if person.intended_role == "mentor"
            else "See my organisation through younger eyes."
        ),
        Field.CONSENT: ["accepted"],
    }
    if person.manager_id:
        values[Field.LINE_MANAGER] = person.manager_id
    for block in modal["blocks"]:
        if block.get("block_id", "").startswith(BASELINE_PREFIX):
            values[block["block_id"]] = str(rng.randint(1, 4))
    return values


# The first few people sign up step by step in the transcript; the rest sign up quietly.
SHOWN_SIGN_UPS = 3


class _Stage:
    """The sandbox, the transcript, and how long each acknowledgement took in real time: the
    demo's clock jumps weeks at a time, so Slack's side measures its 3 s deadline on that
    clock, where an answer takes no time at all."""

    def __init__(self, box: Sandbox, log: Transcript) -> None:
        self.box = box
        self.log = log
        self.acks: list[float] = []

    async def step(self, who: str, what: str, action: Awaitable[Any]) -> Any:
        """One thing a person does, and what they saw because of it."""
        self.log.say(f"\n{self.log.name(who)} {what}")
        response = await action
        self.acks.append(response.real_seconds * 1000)
        body = response.json() if response.text else None
        if body and body.get("response_action") == "errors":
            self._form_errors(who, body["errors"])
        elif body and body.get("text"):
            self.log.say(f"    (only you) {short(body['text'])}")
        self.log.flush()
        return response

    def _form_errors(self, who: str, errors: dict[str, str]) -> None:
        labels = {
            b.get("block_id"): b["label"]["text"]
            for b in (self.box.modal(who) or {}).get("blocks", [])
            if b.get("type") == "input"
        }
        for field, message in errors.items():
            self.log.say(f"    the form says, under “{labels.get(field, field)}”: {message}")


async def play(*, people: int = 36, seed: int = 7, output: Path = Path("demo-output")) -> int:
    """Play the programme; the report's blocks, chart and CSV are written to `output`."""
    rng = random.Random(seed)
    programme = _dated(PROGRAMME, date.today())
    url = await _migrated_database()
    workspace, cast = build_workspace(people=people, bot_token=DEMO_TOKEN, scopes=_scopes())
    names = {u.id: (u.display_name or u.real_name) for u in workspace.users.values()}
    # A clock the demo can move: chemistry meetings happen "two days later" in seconds.
    clock = FakeClock(datetime.now(UTC))
    box = await Sandbox(
        workspace, database_url=url, lead_user_ids=frozenset({LEAD_ID}), clock=clock
    ).start()
    stage = _Stage(box, Transcript(box.double, names))
    log, step, lead = stage.log, stage.step, LEAD_ID
    try:
        log.say(f"== Sandbox workspace “{workspace.team_name}”: {len(cast)} people and a lead ==")
        await _set_up(stage, programme, cast)
        await _sign_up_everyone(stage, cast, rng)
        await _change_of_plans(stage, cast)
        await play_preparation(box, log, step, clock, cast[0].user_id)
        await _lead_looks_and_closes(stage)
        await play_choosing(box, log, step, clock)
        await play_matching(box, log, step, clock, lead)
        await play_kick_off(box, log, step, clock, lead)
        await play_pair_work(box, log, step, clock)
        await play_momentum(box, log, step, clock, lead)
        await play_sponsor(box, log, step, clock, SPONSOR_ID)
        await play_ending(box, log, step, clock, lead, output)

        await _summary(box, log, stage.acks)
    finally:
        await box.stop()
    return 0


async def _migrated_database() -> str:
    """A fresh SQLite database in a temporary folder, at the newest schema; its URL."""
    workdir = Path(tempfile.mkdtemp(prefix="mentoring-demo-"))
    url = f"sqlite+aiosqlite:///{workdir / 'demo.db'}"
    migrator = Database(url)
    await upgrade_head(migrator)
    await migrator.dispose()
    return url


def _top_modal(box: Sandbox, user_id: str) -> dict[str, Any]:
    modal = box.modal(user_id)
    assert modal is not None
    return modal


async def _set_up(stage: _Stage, programme: dict[str, Any], cast: list[Person]) -> None:
    """A non-lead is refused; the lead sets the programme up, with one mistake, and opens
    enrolment, first in a channel the bot cannot post in."""
    box, step, lead, admin_wannabe = stage.box, stage.step, LEAD_ID, cast[1].user_id
    await step(
        admin_wannabe,
        "tries /mentoring-admin new",
        box.command(admin_wannabe, Command.ADMIN, "new"),
    )
    await step(lead, "types /mentoring-admin new", box.command(lead, Command.ADMIN, "new"))
    modal = _top_modal(box, lead)
    bad = {**programme, Field.ENDS: programme[Field.DEADLINE], Field.SESSIONS: "0"}
    await step(
        lead,
        "submits the form with the end before the start and zero sessions",
        box.submit(lead, modal["id"], bad),
    )
    await step(lead, "corrects the form and submits", box.submit(lead, modal["id"], programme))
    await step(
        lead,
        "opens enrolment but picks a private channel the bot is not in "
        "(a deliberate mistake: Slack refuses the post)",
        _open(box, lead, PRIVATE_CHANNEL),
    )
    await step(lead, "opens enrolment in #general", _open(box, lead, ANNOUNCE_CHANNEL))


async def _sign_up_everyone(stage: _Stage, cast: list[Person], rng: random.Random) -> None:
    announcement = stage.box.double.messages(ANNOUNCE_CHANNEL)[-1]
    for index, person in enumerate(cast):
        if index < SHOWN_SIGN_UPS:
            await _sign_up_shown(stage, person, announcement, rng)
            continue
        if index == SHOWN_SIGN_UPS:
            stage.log.say(
                f"\n… {len(cast) - SHOWN_SIGN_UPS} more people click Join and sign up the same way"
            )
        picks_themselves = index == SHOWN_SIGN_UPS + 1
        await _sign_up_quietly(stage, person, announcement, rng, picks_themselves)


def _click_join(box: Sandbox, person: Person, announcement: dict[str, Any]) -> Awaitable[Any]:
    join = announcement["blocks"][2]["elements"][0]
    return box.click(
        person.user_id,
        join["action_id"],
        join["value"],
        message={"channel": ANNOUNCE_CHANNEL, "ts": announcement["ts"]},
    )


async def _sign_up_shown(
    stage: _Stage, person: Person, announcement: dict[str, Any], rng: random.Random
) -> None:
    box, who = stage.box, person.user_id
    await stage.step(
        who, "clicks Join under the announcement", _click_join(box, person, announcement)
    )
    modal = _top_modal(box, who)
    await stage.step(
        who,
        f"signs up as a {person.intended_role} ({person.department})",
        box.submit(who, modal["id"], _answers(person, modal, rng)),
    )
    await _starter_sets_sent(stage)


async def _starter_sets_sent(stage: _Stage) -> None:
    """The outbox sends a newcomer's starter set seconds after they sign up."""
    await stage.box.run_job("deliver")
    stage.log.flush()


async def _sign_up_quietly(
    stage: _Stage,
    person: Person,
    announcement: dict[str, Any],
    rng: random.Random,
    picks_themselves: bool,
) -> None:
    """Signs up without a line in the transcript, but for one mistake if `picks_themselves`."""
    box, who = stage.box, person.user_id
    await _click_join(box, person, announcement)
    modal = _top_modal(box, who)
    answers = _answers(person, modal, rng)
    if picks_themselves:
        stage.log.say(f"\n{stage.log.name(who)} picks themselves as their own line manager")
        mistake = {**answers, Field.LINE_MANAGER: who}
        response = await box.submit(who, modal["id"], mistake)
        stage.log.say(f"    the form says: {response.json()['errors'][Field.LINE_MANAGER]}")
        stage.log.say("    they pick their real manager (or none) and submit again")
    response = await box.submit(who, modal["id"], answers)
    stage.acks.append(response.real_seconds * 1000)
    await stage.box.run_job("deliver")
    stage.log.skip()


async def _change_of_plans(stage: _Stage, cast: list[Person]) -> None:
    """One person edits their sign-up, one leaves, one asks for their status."""
    box, step = stage.box, stage.step
    editor, leaver, asker = cast[0].user_id, cast[2].user_id, cast[4].user_id
    await step(editor, "types /mentoring edit", box.command(editor, Command.PARTICIPANT, "edit"))
    modal = _top_modal(box, editor)
    await step(
        editor,
        "moves to the Digital department and saves",
        box.submit(editor, modal["id"], {Field.DEPARTMENT: "Digital", Field.CONSENT: ["accepted"]}),
    )
    await step(leaver, "types /mentoring leave", box.command(leaver, Command.PARTICIPANT, "leave"))
    confirmation = box.last_ephemeral(leaver)
    await step(leaver, "confirms", box.press(leaver, confirmation, Action.LEAVE_CONFIRM))
    await step(asker, "types /mentoring status", box.command(asker, Command.PARTICIPANT, "status"))


async def _lead_looks_and_closes(stage: _Stage) -> None:
    """The lead's App Home shows the sign-ups; the lead closes enrolment."""
    box, lead = stage.box, LEAD_ID
    opened = {"type": "app_home_opened", "user": lead, "channel": "D0LEAD", "tab": "home"}
    await stage.step(lead, "opens the App Home", box.event(opened))
    home = box.double.home_view(lead) or {}
    for block in home.get("blocks", [])[-2:]:
        text = (block.get("text") or {}).get("text") or (block.get("elements") or [{}])[0].get(
            "text", ""
        )
        stage.log.say(f"    Home: {short(text)}")
    await stage.step(
        lead, "types /mentoring-admin close", box.command(lead, Command.ADMIN, "close")
    )


async def _open(box: Sandbox, lead: str, channel: str) -> Any:
    await box.command(lead, Command.ADMIN, "open")
    modal = box.modal(lead)
    assert modal is not None
    return await box.submit(lead, modal["id"], {Field.CHANNEL: channel})


async def _summary(box: Sandbox, log: Transcript, acks: list[float]) -> None:
    assert box.db is not None
    async with box.db.transaction() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None  # the demo made it
        rows = (
            await session.execute(
                select(Participant.role, Participant.status, func.count()).group_by(
                    Participant.role, Participant.status
                )
            )
        ).all()
        departments = Counter(
            (
                await session.scalars(
                    select(Participant.department).where(
                        Participant.status == ParticipantStatus.SIGNED_UP
                    )
                )
            ).all()
        )
    calls = Counter(call.method for call in box.double.calls)
    refused = [
        f"{c.method}: {c.response.get('error')}"
        + (
            " in the private channel, on purpose"
            if c.args.get("channel") == PRIVATE_CHANNEL
            else ""
        )
        for c in box.double.calls
        if not c.response.get("ok")
    ]
    log.say("\n== Summary ==")
    log.say(f"Programme “{programme.name}” is now {programme.status.value}.")
    for role, status, count in sorted(rows):
        log.say(f"  {role.value}s {status.value.replace('_', ' ')}: {count}")
    log.say("  departments: " + ", ".join(f"{d} {n}" for d, n in departments.most_common()))
    log.say("  Web API calls: " + ", ".join(f"{m} {n}" for m, n in calls.most_common()))
    log.say(f"  calls Slack refused: {len(refused)} (" + ", ".join(sorted(set(refused))) + ")")
    log.say(
        f"  acknowledgements: {len(acks)}, median {statistics.median(acks):.1f} ms, "
        f"slowest {max(acks):.1f} ms (real time on this machine; Slack allows 3 s)"
    )
