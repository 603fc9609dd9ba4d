"""The sandbox demo: a lead sets up a programme and a workspace of people sign up, as in Slack."""

from __future__ import annotations

import json
import random
import statistics
import tempfile
from collections import Counter
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
from bot.sandbox.demo.ending import play_ending
from bot.sandbox.demo.matching import play_matching
from bot.sandbox.demo.momentum import play_momentum
from bot.sandbox.demo.pair_work import play_pair_work
from bot.sandbox.demo.people import ANNOUNCE_CHANNEL, LEAD_ID, Person, build_workspace
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


async def play(*, people: int = 36, seed: int = 7, output: Path = Path("demo-output")) -> int:
    """Play the programme; the report's blocks, chart and CSV are written to `output`."""
    rng = random.Random(seed)
    programme = _dated(PROGRAMME, date.today())
    workdir = Path(tempfile.mkdtemp(prefix="mentoring-demo-"))
    url = f"sqlite+aiosqlite:///{workdir / 'demo.db'}"
    migrator = Database(url)
    await upgrade_head(migrator)
    await migrator.dispose()

    workspace, cast = build_workspace(people=people, bot_token=DEMO_TOKEN, scopes=_scopes())
    names = {u.id: (u.display_name or u.real_name) for u in workspace.users.values()}
    # A clock the demo can move: chemistry meetings happen "two days later" in seconds.
    clock = FakeClock(datetime.now(UTC))
    box = await Sandbox(
        workspace, database_url=url, lead_user_ids=frozenset({LEAD_ID}), clock=clock
    ).start()
    log = Transcript(box.double, names)
    acks: list[float] = []

    async def step(who: str, what: str, action: Any) -> Any:
        log.say(f"\n{names.get(who, who)} {what}")
        response = await action
        acks.append(response.elapsed * 1000)
        body = response.json() if response.text else None
        if body and body.get("response_action") == "errors":
            labels = {
                b.get("block_id"): b["label"]["text"]
                for b in (box.modal(who) or {}).get("blocks", [])
                if b.get("type") == "input"
            }
            for field, message in body["errors"].items():
                log.say(f"    the form says, under “{labels.get(field, field)}”: {message}")
        elif body and body.get("text"):
            log.say(f"    (only you) {short(body['text'])}")
        log.flush()
        return response

    try:
        log.say(f"== Sandbox workspace “{workspace.team_name}”: {len(cast)} people and a lead ==")
        lead, admin_wannabe = LEAD_ID, cast[1].user_id
        await step(
            admin_wannabe,
            "tries /mentoring-admin new",
            box.command(admin_wannabe, Command.ADMIN, "new"),
        )
        await step(lead, "types /mentoring-admin new", box.command(lead, Command.ADMIN, "new"))
        modal = box.modal(lead)
        assert modal is not None
        bad = {**programme, Field.ENDS: programme[Field.DEADLINE], Field.SESSIONS: "0"}
        await step(
            lead,
            "submits the form with the end before the start and zero sessions",
            box.submit(lead, modal["id"], bad),
        )
        await step(lead, "corrects the form and submits", box.submit(lead, modal["id"], programme))

        await step(
            lead,
            "opens enrolment, announcing in a private channel the bot is not in",
            _open(box, lead, "C0PRIVATE"),
        )
        await step(lead, "opens enrolment in #general", _open(box, lead, ANNOUNCE_CHANNEL))
        announcement = box.double.messages(ANNOUNCE_CHANNEL)[-1]
        join = announcement["blocks"][2]["elements"][0]

        detailed = 3
        for index, person in enumerate(cast):
            if index == detailed:
                log.say(
                    f"\n… {len(cast) - detailed} more people click Join and sign up the same way"
                )
            quiet = index >= detailed
            if quiet:
                await box.click(
                    person.user_id,
                    join["action_id"],
                    join["value"],
                    message={"channel": ANNOUNCE_CHANNEL, "ts": announcement["ts"]},
                )
                modal = box.modal(person.user_id)
                assert modal is not None
                answers = _answers(person, modal, rng)
                if index == detailed + 1:
                    log.say(f"\n{person.name} picks themselves as their own line manager")
                    mistake = {**answers, Field.LINE_MANAGER: person.user_id}
                    response = await box.submit(person.user_id, modal["id"], mistake)
                    log.say(f"    the form says: {response.json()['errors'][Field.LINE_MANAGER]}")
                    log.say("    they pick their real manager (or none) and submit again")
                response = await box.submit(person.user_id, modal["id"], answers)
                acks.append(response.elapsed * 1000)
                log.skip()
                continue
            await step(
                person.user_id,
                "clicks Join under the announcement",
                box.click(
                    person.user_id,
                    join["action_id"],
                    join["value"],
                    message={"channel": ANNOUNCE_CHANNEL, "ts": announcement["ts"]},
                ),
            )
            modal = box.modal(person.user_id)
            assert modal is not None
            await step(
                person.user_id,
                f"signs up as a {person.intended_role} ({person.department})",
                box.submit(person.user_id, modal["id"], _answers(person, modal, rng)),
            )

        editor, leaver = cast[0], cast[2]
        await step(
            editor.user_id,
            "types /mentoring edit",
            box.command(editor.user_id, Command.PARTICIPANT, "edit"),
        )
        modal = box.modal(editor.user_id)
        assert modal is not None
        await step(
            editor.user_id,
            "moves to the Digital department and saves",
            box.submit(
                editor.user_id,
                modal["id"],
                {Field.DEPARTMENT: "Digital", Field.CONSENT: ["accepted"]},
            ),
        )
        await step(
            leaver.user_id,
            "types /mentoring leave",
            box.command(leaver.user_id, Command.PARTICIPANT, "leave"),
        )
        confirmation = box.last_ephemeral(leaver.user_id)
        await step(
            leaver.user_id,
            "confirms",
            box.press(leaver.user_id, confirmation, Action.LEAVE_CONFIRM),
        )
        await step(
            cast[4].user_id,
            "types /mentoring status",
            box.command(cast[4].user_id, Command.PARTICIPANT, "status"),
        )
        await step(
            lead,
            "opens the App Home",
            box.event(
                {"type": "app_home_opened", "user": lead, "channel": "D0LEAD", "tab": "home"}
            ),
        )
        home = box.double.home_view(lead) or {}
        for block in home.get("blocks", [])[-2:]:
            text = (block.get("text") or {}).get("text") or (block.get("elements") or [{}])[0].get(
                "text", ""
            )
            log.say(f"    Home: {short(text)}")
        await step(lead, "types /mentoring-admin close", box.command(lead, Command.ADMIN, "close"))
        await play_matching(box, log, step, clock, lead)
        await play_pair_work(box, log, step, clock)
        await play_momentum(box, log, step, clock, lead)
        await play_ending(box, log, step, clock, lead, output)

        await _summary(box, log, acks)
    finally:
        await box.stop()
    return 0


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
    refused = [c for c in box.double.calls if not c.response.get("ok")]
    log.say("\n== Summary ==")
    log.say(f"Programme “{programme.name}” is now {programme.status.value}.")
    for role, status, count in sorted(rows):
        log.say(f"  {role.value}s {status.value.replace('_', ' ')}: {count}")
    log.say("  departments: " + ", ".join(f"{d} {n}" for d, n in departments.most_common()))
    log.say("  Web API calls: " + ", ".join(f"{m} {n}" for m, n in calls.most_common()))
    log.say(
        f"  calls Slack refused: {len(refused)} ("
        + ", ".join(sorted({f"{c.method}: {c.response.get('error')}" for c in refused}))
        + ")"
    )
    log.say(
        f"  acknowledgements: {len(acks)}, median {statistics.median(acks):.1f} ms, "
        f"slowest {max(acks):.1f} ms"
    )
