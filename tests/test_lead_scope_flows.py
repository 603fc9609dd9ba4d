"""Leads run their own programmes only. The lead of another programme, or a co-lead, is refused
on every command, button and form of a programme they do not lead, told whose it is, and
nothing changes; a workspace admin may add themselves as a lead, which the audit log keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.clock import FakeClock
from bot.db import Base
from bot.ids import Action, Command, Field, View, keyed
from bot.models import (
    AuditEntry,
    HandledRequest,
    MatchRun,
    Pair,
    Participant,
    Programme,
    ProgrammeLead,
    Resource,
    Role,
    SafeSpace,
    Story,
)
from bot.sandbox import Sandbox
from tests.conftest import ADMIN, LEAD, MENTOR, OUTSIDER, OWNER
from tests.flows import confirm_pairs, create_programme, replay_as
from tests.scenarios import play

THEIRS = "Digital cohort"  # led by LEAD (through confirm_pairs)
OURS = "Ops cohort"  # created by ADMIN, with OUTSIDER as a co-lead
REFUSED = f"Only the leads of “{THEIRS}” can do that. Ask them: <@{LEAD}>."
AT = datetime(2026, 1, 9, 9, 0, tzinfo=UTC)

COMMANDS = [
    "open",
    "close",
    "match",
    "rematch",
    "pairs",
    "clone",
    "report",
    "resources",
    "spaces",
    "stories",
    "leads",
]


async def snapshot(box: Sandbox) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refusal changes none of them. (The keys of requests seen,
    kept against replays, record that a request came, not anything it did.)"""
    rows = {}
    async with box.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == HandledRequest.__tablename__:
                continue
            result = await session.execute(select(table))
            rows[table.name] = sorted((tuple(map(repr, r)) for r in result), key=str)
    return rows


async def reach_two_programmes(sandbox: Sandbox, clock: FakeClock) -> dict[str, int]:
    """Theirs: matched, with pairs, a resource, a story and a safe space. Ours: a draft."""
    await play(sandbox, clock, confirm_pairs)
    await create_programme(
        sandbox,
        ADMIN,
        **{Field.NAME: OURS, Field.CO_LEADS: [OUTSIDER]},
    )
    async with sandbox.db.transaction() as session:
        programme = await session.scalar(select(Programme).where(Programme.name == THEIRS))
        assert programme is not None
        run = await session.scalar(select(MatchRun.id).where(MatchRun.programme_id == programme.id))
        pair = await session.scalar(select(Pair.id).where(Pair.programme_id == programme.id))
        author = await session.scalar(
            select(Participant.id).where(
                Participant.programme_id == programme.id, Participant.user_id == MENTOR
            )
        )
        resource = Resource(
            programme_id=programme.id,
            title="Questions before answers",
            audience="both",
            created_by=LEAD,
            created_at=AT,
            updated_at=AT,
        )
        story = Story(
            programme_id=programme.id,
            participant_id=author,
            title="We learned a lot",
            text="Really.",
            created_at=AT,
        )
        space = SafeSpace(
            programme_id=programme.id, side=Role.MENTOR, name="mentors", created_at=AT
        )
        existing = await session.scalar(
            select(SafeSpace).where(SafeSpace.programme_id == programme.id)
        )
        session.add_all([resource, story] + ([] if existing else [space]))
        await session.flush()
        return {
            "programme": programme.id,
            "run": run,
            "pair": pair,
            "resource": resource.id,
            "story": story.id,
            "space": (existing or space).id,
        }


@pytest.fixture
async def two_programmes(sandbox: Sandbox, clock: FakeClock) -> dict[str, int]:
    return await play(sandbox, clock, reach_two_programmes)


def buttons(ids: dict[str, int]) -> list[tuple[str, str]]:
    """Every lead-only button, carrying the other programme's ids."""
    p, run, pair = str(ids["programme"]), str(ids["run"]), str(ids["pair"])
    return [
        (keyed(Action.CLOSE_ENROLMENT, p), p),
        (Action.CLONE_PROGRAMME, p),
        (keyed(Action.CHOOSE_TO_MATCH, p), p),
        (Action.RERUN_MATCH, run),
        (Action.ADD_CONSTRAINT, run),
        (Action.DISCARD_MATCH, run),
        (Action.APPROVE_MATCH, run),
        (keyed(Action.END_PAIR, pair), pair),
        (keyed(Action.PAUSE_PAIR, pair), pair),
        (keyed(Action.RESUME_PAIR, pair), pair),
        (keyed(Action.REMATCH_PAIR, pair), pair),
        (Action.RESOURCE_ADD, p),
        (Action.RESOURCE_EDIT, str(ids["resource"])),
        (Action.RESOURCE_REMOVE, str(ids["resource"])),
        (Action.STORY_APPROVE, str(ids["story"])),
        (Action.STORY_DECLINE, str(ids["story"])),
        (Action.STORY_PUBLISH, str(ids["story"])),
        (Action.SPACE_RETRY, str(ids["space"])),
        (Action.SPACE_PICK, str(ids["space"])),
    ]


def crafted_message(box: Sandbox, user_id: str, ids: dict[str, int]) -> dict[str, str]:
    """A message in the user's DM holding every lead button with the other programme's ids,
    plus the pin-or-forbid menu: what a forged request would press."""
    run, pair = ids["run"], ids["pair"]
    elements = [
        {"type": "button", "text": {"type": "plain_text", "text": "x"}, "action_id": a, "value": v}
        for a, v in buttons(ids)
    ]
    menu = {
        "type": "static_select",
        "action_id": keyed(Action.PREVIEW_PAIR, pair),
        "options": [
            {"text": {"type": "plain_text", "text": "Forbid"}, "value": f"forbid:{run}:{pair}"}
        ],
    }
    blocks = [
        {"type": "actions", "block_id": f"b{n}", "elements": elements[n : n + 5]}
        for n in range(0, len(elements), 5)
    ]
    blocks.append({"type": "actions", "block_id": "menu", "elements": [menu]})
    channel = box.double.state.dm_channel(user_id).id
    ts = box.double.state.next_ts()
    box.double.state.add_message(
        channel, {"type": "message", "ts": ts, "text": "", "blocks": blocks, "user": "U0BOT"}
    )
    return {"channel": channel, "ts": ts}


def side_effects(box: Sandbox, since: int) -> list[str]:
    """Web API calls that did something other than answer the person who asked."""
    changing = []
    for call in box.double.calls[since:]:
        # Reads change nothing: who the bot is, who the person is.
        if call.method in ("auth.test", "users.info", "chat.postEphemeral"):
            continue
        changing.append(f"{call.method} {call.args.get('channel', '')}")
    return changing


@pytest.mark.parametrize("attacker", [ADMIN, OUTSIDER])
async def test_a_lead_of_another_programme_is_refused_every_command(
    sandbox: Sandbox, two_programmes: dict[str, int], attacker: str
) -> None:
    before = await snapshot(sandbox)
    for word in COMMANDS:
        calls, posts = len(sandbox.double.calls), len(sandbox.double.response_posts)
        await sandbox.command(attacker, Command.ADMIN, f"{word} {THEIRS}")
        answer = [body for _url, body in sandbox.double.response_posts[posts:]]
        assert [a["text"] for a in answer] == [REFUSED], word
        assert side_effects(sandbox, calls) == [], word
        takeover = [
            e["action_id"]
            for b in answer[0].get("blocks", [])
            if b["type"] == "actions"
            for e in b["elements"]
        ]
        # Only a workspace admin is offered the (confirmed) way in.
        assert takeover == ([Action.TAKE_OVER_PROGRAMME] if attacker == ADMIN else []), word
    assert await snapshot(sandbox) == before


@pytest.mark.parametrize("attacker", [ADMIN, OUTSIDER])
async def test_a_lead_of_another_programme_is_refused_every_button(
    sandbox: Sandbox, two_programmes: dict[str, int], attacker: str
) -> None:
    where = crafted_message(sandbox, attacker, two_programmes)
    before = await snapshot(sandbox)
    pressed = [*buttons(two_programmes), (keyed(Action.PREVIEW_PAIR, two_programmes["pair"]), None)]
    for action_id, value in pressed:
        calls, posts = len(sandbox.double.calls), len(sandbox.double.response_posts)
        if value is None:
            run, pair = two_programmes["run"], two_programmes["pair"]
            await sandbox.click(
                attacker, action_id, selected_option=f"forbid:{run}:{pair}", message=where
            )
        else:
            await sandbox.click(attacker, action_id, value, message=where)
        answers = [body["text"] for _url, body in sandbox.double.response_posts[posts:]]
        expected = "Only this programme's leads can do that." if value is None else REFUSED
        assert answers == [expected], action_id
        assert side_effects(sandbox, calls) == [], action_id
    assert await snapshot(sandbox) == before


async def test_forms_of_another_programme_are_refused(
    sandbox: Sandbox, two_programmes: dict[str, int]
) -> None:
    """Forms the real lead opened, submitted again as the other programme's lead."""
    await sandbox.command(LEAD, Command.ADMIN, f"leads {THEIRS}")
    leads_form = sandbox.modal(LEAD)
    assert leads_form is not None and leads_form["callback_id"] == View.PROGRAMME_LEADS
    sent = await sandbox.submit(LEAD, leads_form["id"], {Field.CO_LEADS: [MENTOR]})
    assert sent.status == 200
    await sandbox.click(
        LEAD,
        Action.RESOURCE_ADD,
        str(two_programmes["programme"]),
        message=crafted_message(sandbox, LEAD, two_programmes),
    )
    resource_form = sandbox.modal(LEAD)
    assert resource_form is not None and resource_form["callback_id"] == View.RESOURCE
    resource = await sandbox.submit(
        LEAD, resource_form["id"], {Field.RESOURCE_TITLE: "Ask, then listen"}
    )
    before = await snapshot(sandbox)
    calls = len(sandbox.double.calls)
    refused_leads = await replay_as(sandbox, sent, ADMIN)
    refused_resource = await replay_as(sandbox, resource, OUTSIDER)
    assert refused_leads.json() == {
        "response_action": "errors",
        "errors": {Field.CO_LEADS: "Only this programme's leads can do that."},
    }
    assert refused_resource.json()["errors"] == {
        Field.RESOURCE_TITLE: "Only this programme's leads can do that."
    }
    assert side_effects(sandbox, calls) == []
    assert await snapshot(sandbox) == before


async def test_lists_and_the_audit_log_show_only_their_own_programmes(
    sandbox: Sandbox, two_programmes: dict[str, int]
) -> None:
    await sandbox.command(LEAD, Command.ADMIN, "pairs")  # an audited view of THEIRS
    for word in ("pairs", "report", "stories", "resources", "match"):
        posts = len(sandbox.double.response_posts)
        await sandbox.command(OUTSIDER, Command.ADMIN, word)
        shown = str(sandbox.double.response_posts[posts:])
        assert THEIRS not in shown and "Questions before answers" not in shown, word
    await sandbox.command(OUTSIDER, Command.ADMIN, "audit")
    assert "No lead has been shown anyone's data yet." in str(sandbox.replies(OUTSIDER)[-1])
    await sandbox.command(LEAD, Command.ADMIN, "audit")
    assert "saw the pairs list of Digital cohort" in str(sandbox.replies(LEAD)[-1])


async def test_co_leads_from_the_set_up_form_run_the_programme_and_can_be_removed(
    sandbox: Sandbox, two_programmes: dict[str, int]
) -> None:
    # OUTSIDER is neither a configured lead nor an admin: only the co-lead field lets them in.
    await sandbox.command(OUTSIDER, Command.ADMIN, f"report {OURS}")
    assert sandbox.replies(OUTSIDER)[-1]["text"] == f"Report: {OURS}"
    await sandbox.command(OUTSIDER, Command.ADMIN, "new")
    assert "only the programme leads named" in sandbox.replies(OUTSIDER)[-1]["text"]

    await sandbox.command(ADMIN, Command.ADMIN, f"leads {OURS}")
    form = sandbox.modal(ADMIN)
    assert form is not None
    chosen = next(b for b in form["blocks"] if b.get("block_id") == Field.CO_LEADS)
    assert chosen["element"]["initial_users"] == [OUTSIDER]
    await sandbox.submit(ADMIN, form["id"], {Field.CO_LEADS: []})
    await sandbox.command(OUTSIDER, Command.ADMIN, f"report {OURS}")
    assert "/mentoring-admin` is for programme leads" in sandbox.replies(OUTSIDER)[-1]["text"]
    async with sandbox.db.transaction() as session:
        ours = await session.scalar(select(Programme.id).where(Programme.name == OURS))
        leads = set(
            await session.scalars(
                select(ProgrammeLead.user_id).where(ProgrammeLead.programme_id == ours)
            )
        )
    assert leads == {ADMIN}


async def test_a_workspace_admin_takes_over_through_a_confirmed_audited_action(
    sandbox: Sandbox, two_programmes: dict[str, int]
) -> None:
    await sandbox.command(OWNER, Command.ADMIN, f"report {THEIRS}")
    refusal = sandbox.double.response_posts[-1][1]
    assert refusal["text"] == REFUSED
    button = refusal["blocks"][-1]["elements"][0]
    assert button["confirm"]["confirm"]["text"] == "Add me"  # Slack asks before it is sent

    # A co-lead who is no admin cannot use the same button, even forged.
    where = crafted_message(sandbox, OUTSIDER, two_programmes)
    box_message = sandbox.double.state.find_message(where["channel"], where["ts"])
    assert box_message is not None
    box_message["blocks"].append({"type": "actions", "block_id": "t", "elements": [button]})
    await sandbox.click(OUTSIDER, Action.TAKE_OVER_PROGRAMME, button["value"], message=where)
    assert "is for programme leads" in sandbox.replies(OUTSIDER)[-1]["text"]

    ephemeral = sandbox.last_ephemeral(OWNER)
    await sandbox.press(OWNER, ephemeral, Action.TAKE_OVER_PROGRAMME)
    assert sandbox.replies(OWNER)[-1]["text"] == (
        f"You are now a lead of “{THEIRS}”. The audit log shows that you added yourself."
    )
    await sandbox.command(OWNER, Command.ADMIN, f"report {THEIRS}")
    assert sandbox.replies(OWNER)[-1]["text"] == f"Report: {THEIRS}"
    async with sandbox.db.transaction() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.lead_id == OWNER,
                    AuditEntry.programme_id == two_programmes["programme"],
                )
            )
        )
        lead_rows = await session.execute(text("SELECT user_id FROM programme_lead"))
    assert [e.view for e in entries][:1] == ["added themselves as a lead"]
    assert (OWNER,) in {tuple(r) for r in lead_rows}
    await sandbox.command(LEAD, Command.ADMIN, "audit")
    assert f"<@{OWNER}> added themselves as a lead of {THEIRS}" in str(sandbox.replies(LEAD)[-1])
