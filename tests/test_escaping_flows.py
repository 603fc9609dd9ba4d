"""Whatever a participant or lead types, and whatever name Slack gives them, reaches Slack inert.

Slack acts on `<!channel>`, `<@U…>`, `<#C…>` and `<https://…|…>` in any mrkdwn text (a
message's notification `text` included) and formats `*`, `_` and `~` runs. This plants all of
them in every free-text field and in people's Slack names, drives every flow that echoes them,
and reads every payload Slack received: each planted field shows up escaped, never live.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.views import admin as admin_views
from bot.views import stories as story_views
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2
from tests.flows import (
    EXEC2,
    EXEC3,
    SETUP_VALUES,
    channel_of,
    create_programme,
    last_message,
    open_agreement,
    open_enrolment,
    sign_up,
)

# Every Slack control sequence, an ampersand and a run of formatting characters.
SEQUENCES = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0PLANT>",
    "<#C0PLANT|x>",
    "<https://evil.example|x>",
    "&",
    "*_~bold~_*",
)
PLANT = " ".join(SEQUENCES)
# The same, without `|` or `,` (they separate objectives and topics) and short enough for names.
SHORT = "<!channel><!here><!everyone><@U0PLANT><#C0PLANT><https://e.example>&*_~b~_*"
# For fields of at most 60 characters (topics).
TINY = "<!here><@U0PLANT>&*_~b~_*"

# What must never reach a mrkdwn position: the live sequences and the formatting runs.
LIVE = (
    "<!channel",
    "<!here",
    "<!everyone",
    "<@U0PLANT",
    "<#C0PLANT",
    "<https://e.example",
    "<https://evil",
)
RUNS = ("*_~b", "_~b", "~b~", "~_*")
STRAY_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
CODE_SPAN = re.compile(r"`[^`\n]*`")  # Slack formats nothing inside; `code()` keeps it closed
ESCAPED_IN_PLAIN = ("&lt;", "&gt;", "&amp;", "∗", "ˍ", "∼", "ˋ")


def planted(tag: str, plant: str = PLANT) -> str:
    return f"{tag} {plant}"


def entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def e(text: str) -> str:
    """A planted value as Slack should get it in mrkdwn: entities, and look-alikes for the
    formatting characters (Slack has no escape for those)."""
    return entities(text).translate(str.maketrans("*_~`", "∗ˍ∼ˋ"))


def code_span(text: str) -> str:
    """A command to copy: inside a code span only the entities are needed."""
    return f"`{entities(text)}`"


PROGRAMME = planted("Prog", SHORT)[:80]
DESCRIPTION = planted("Describe")
OBJECTIVE = planted("Aim", SHORT)
MEASURE = planted("Measure", SHORT)
TOPIC = planted("Topic", TINY)
GROUND_RULES = planted("Rules")
MIA = planted("Mia", SHORT)  # a display name
EVE = planted("Eve", SHORT)  # a real name
MAX = planted("Max", SHORT)
ED = planted("Ed", SHORT)
FLO = planted("Flo", SHORT)
DEPARTMENT = planted("Dept", SHORT)
GOALS = planted("Goals")
SKILLS = planted("Skills")
NOTE = planted("Where")
REASON = planted("Reason")
MENTOR_GOALS = planted("MentorGoals")
MENTEE_GOALS = planted("MenteeGoals")
OTHER_TOPIC = planted("Other", TINY)
GROW = {field: planted(field.capitalize()) for field in (Field.GOAL, Field.REALITY)}
PRIVATE_NOTE = planted("Private")
ACTION = planted("Action")
CONCERN = planted("Worry")
ANSWER = planted("Answer")
TITLE = planted("Title")
STORY = planted("Story")
RESOURCE = planted("Resource")
RESOURCE_BODY = planted("Body")
RESOURCE_TOPIC = planted("Rtopic", TINY)
COMMENT = planted("Comment")
TYPED = planted("Typed", SHORT)
WORD = f"Word{SHORT}"  # a subcommand word: the command reads it up to the first space

SETUP = {
    **SETUP_VALUES,
    Field.NAME: PROGRAMME,
    Field.DESCRIPTION: DESCRIPTION,
    Field.OBJECTIVES: f"{OBJECTIVE} | {MEASURE}",
    Field.TOPICS: f"AI, {TOPIC}",
    Field.GROUND_RULES: GROUND_RULES,
}
MEETING = datetime(2026, 1, 8, 15, tzinfo=UTC)


def at(day: str, hour: int = 14) -> datetime:
    return datetime.fromisoformat(f"2026-{day}T{hour:02d}:00:00+00:00")


# --- Reading what Slack received --------------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    """Every string Slack reads as mrkdwn: message text, mrkdwn objects, attachments' text."""
    texts = [payload[k] for k in ("text", "initial_comment") if isinstance(payload.get(k), str)]
    for key in ("blocks", "view", "attachments"):
        for node in _walk(payload.get(key)):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                texts.append(node["text"])
    for attachment in payload.get("attachments") or []:
        if isinstance(attachment, dict):
            texts += [attachment[k] for k in ("text", "pretext", "fallback") if k in attachment]
    return texts


def plain_texts(payload: dict[str, Any]) -> list[str]:
    """What Slack shows literally: plain_text objects and inputs' initial values."""
    found = []
    for key in ("blocks", "view"):
        for node in _walk(payload.get(key)):
            if node.get("type") == "plain_text" and isinstance(node.get("text"), str):
                found.append(node["text"])
            if isinstance(node.get("initial_value"), str):
                found.append(node["initial_value"])
    return found


@dataclass
class Surface:
    name: str
    markers: tuple[str, ...]
    payloads: list[dict[str, Any]]


class Observer:
    """Every payload the app sent Slack: Web API calls, response URLs and acknowledgements."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.acks: list[Any] = []
        self.surfaces: list[Surface] = []
        signer = box.signer
        assert signer is not None
        send = signer.send

        async def recording(*args: Any, **kwargs: Any) -> Any:
            response = await send(*args, **kwargs)
            self.acks.append(response)
            return response

        signer.send = recording  # type: ignore[method-assign]

    def _marks(self) -> tuple[int, int, int]:
        return len(self.box.double.calls), len(self.box.double.response_posts), len(self.acks)

    def payloads(self, since: tuple[int, int, int] = (0, 0, 0)) -> list[dict[str, Any]]:
        calls, posts, acks = since
        found = [c.args for c in self.box.double.calls[calls:]]
        found += [body for _, body in self.box.double.response_posts[posts:]]
        for response in self.acks[acks:]:
            # An acknowledgement's body is JSON, or plain text Slack shows as the message.
            if response.text.strip().startswith("{"):
                found.append(response.json())
            elif response.text.strip():
                found.append({"text": response.text})
        keys = ("text", "blocks", "view", "attachments", "initial_comment")
        return [p for p in found if any(k in p for k in keys)]

    @asynccontextmanager
    async def surface(self, name: str, *markers: str) -> AsyncIterator[None]:
        """What the steps inside send is the surface `name`; each marker (a planted value as
        Slack should show it) must appear in its mrkdwn."""
        start = self._marks()
        yield
        surface = Surface(name, markers, self.payloads(start))
        check_inert(surface.payloads)
        check_shown(surface)
        self.surfaces.append(surface)


def check_inert(payloads: list[dict[str, Any]]) -> None:
    for payload in payloads:
        for text in mrkdwn_texts(payload):
            live = [s for s in LIVE if s.lower() in text.lower()]
            assert not live, f"live {live} in {text!r}"
            assert not STRAY_AMPERSAND.search(text), f"a raw & in {text!r}"
            outside_code = CODE_SPAN.sub("", text)
            runs = [r for r in RUNS if r in outside_code]
            assert not runs, f"formatting {runs} in {text!r}"
        for text in plain_texts(payload):
            escaped = [s for s in ESCAPED_IN_PLAIN if s in text]
            assert not escaped, f"escaped text {escaped} shown literally in {text!r}"


def check_shown(surface: Surface) -> None:
    texts = [t for p in surface.payloads for t in mrkdwn_texts(p)]
    assert surface.payloads, f"{surface.name}: nothing was sent"
    for marker in surface.markers:
        assert any(marker in t for t in texts), f"{surface.name}: {marker!r} not shown"


# --- The journey ------------------------------------------------------------------------------


def name_people(box: Sandbox) -> None:
    """Slack's names for the people, planted in both fields users.info gives."""
    users = box.workspace.users
    users[MENTOR].display_name = MIA
    users[EXEC].real_name = EVE
    users[MENTOR2].display_name = MAX
    box.workspace.add_user(User(id=EXEC2, name="ed", real_name=ED, tz="Europe/London"))
    box.workspace.add_user(User(id=EXEC3, name="flo", display_name=FLO, tz="UTC"))


async def propose(box: Sandbox, mentor: str, mentee: str, note: str = "") -> dict[str, Any]:
    channel = channel_of(box, mentor, mentee)
    await box.press(mentee, last_message(box, channel), Action.REQUEST_CHEMISTRY)
    modal = box.modal(mentee)
    assert modal is not None and modal["callback_id"] == View.CHEMISTRY_TIMES
    values: dict[str, Any] = {Field.TIME_1: int(MEETING.timestamp())}
    if note:
        values[Field.NOTE] = note
    await box.submit(mentee, modal["id"], values)
    return last_message(box, channel)


async def accept(box: Sandbox, mentor: str, mentee: str, proposal: dict[str, Any]) -> None:
    channel = channel_of(box, mentor, mentee)
    await box.click(
        mentor,
        f"{Action.ACCEPT_TIME}:0",
        proposal["blocks"][-2]["accessory"]["value"],
        message={"channel": channel, "ts": proposal["ts"]},
    )


async def tick(box: Sandbox, clock: FakeClock, when: datetime, *jobs: str) -> None:
    clock.set(when)
    box.double.reset_rate_limits()  # Slack's limits run on real time, long passed by then
    for job in jobs:
        await box.run_job(job)


async def test_planted_control_sequences_reach_slack_inert(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    seen = Observer(box)
    name_people(box)

    async with seen.surface("programme set-up: the lead's note and Home", e(PROGRAMME)):
        await box.command(LEAD, Command.ADMIN, "new")
        modal = box.modal(LEAD)
        assert modal is not None
        response = await box.submit(LEAD, modal["id"], SETUP)
        assert response.json() is None, response.text
    async with seen.surface(
        "enrolment announcement and safe spaces", e(PROGRAMME), e(DESCRIPTION), e(TOPIC)
    ):
        await open_enrolment(box, LEAD, GENERAL)
    async with seen.surface(
        "sign-up form, confirmation, starter set and Home", e(PROGRAMME), e(GROUND_RULES)
    ):
        mentor = {Field.TOPICS: [TOPIC], Field.DEPARTMENT: DEPARTMENT, Field.GOALS: GOALS}
        await sign_up(box, MENTOR, **mentor, **{Field.SKILLS: SKILLS})
        mentee = {Field.ROLE: "mentee", Field.PERSONALITY: "introvert", Field.GRADE: "6"}
        await sign_up(box, EXEC, **mentee, **{Field.TOPICS: [TOPIC], Field.GOALS: GOALS})
        await sign_up(box, MENTOR2, **{Field.TOPICS: ["AI"]})
        await sign_up(box, EXEC2, **mentee, **{Field.TOPICS: ["AI"]})
        await sign_up(box, EXEC3, **mentee, **{Field.TOPICS: ["AI"]})
    async with seen.surface("/mentoring status", e(PROGRAMME)):
        await box.command(MENTOR, Command.PARTICIPANT, "status")
    async with seen.surface("closing enrolment", e(PROGRAMME)):
        await box.command(LEAD, Command.ADMIN, "close")

    async with seen.surface("matching preview", e(MIA), e(EVE), e(MAX), e(ED), e(FLO)):
        await box.command(LEAD, Command.ADMIN, "match")
    async with seen.surface(
        "introductions, the unmatched note and the approval",
        e(PROGRAMME),
        e(DEPARTMENT),
        e(GOALS),
        e(TOPIC),
    ):
        await box.press(LEAD, last_message(box, LEAD), Action.APPROVE_MATCH)

    async with seen.surface("chemistry proposal", e(EVE), e(NOTE), e(MIA)):
        proposal = await propose(box, MENTOR, EXEC, NOTE)
        other = await propose(box, MENTOR2, EXEC2)
    async with seen.surface(
        "chemistry accepted and agreed; reminder and private question held by Slack",
        e(NOTE),
        e(EVE),
        e(MIA),
    ):
        await accept(box, MENTOR, EXEC, proposal)
        await accept(box, MENTOR2, EXEC2, other)
    clock.set(datetime(2026, 1, 8, 15, 31, tzinfo=UTC))
    box.double.deliver_scheduled()
    async with seen.surface("go from one, then both: the pair confirmed", e(EVE)):
        await box.press(MENTOR, box.dms(MENTOR)[-1], Action.GO)
        await box.press(EXEC, box.dms(EXEC)[-1], Action.GO)
    async with seen.surface("not for me: both told, the lead hears why", e(REASON), e(MAX)):
        await box.press(MENTOR2, box.dms(MENTOR2)[-1], Action.NOT_FOR_ME)
        modal = box.modal(MENTOR2)
        assert modal is not None and modal["callback_id"] == View.NOT_FOR_ME
        await box.submit(MENTOR2, modal["id"], {Field.REASON: REASON})
    clock.set(datetime(2026, 1, 9, 9, tzinfo=UTC))

    pair_dm = channel_of(box, MENTOR, EXEC)
    async with seen.surface("agreement proposed and confirmed", e(MENTOR_GOALS), e(MENTEE_GOALS)):
        modal = await open_agreement(box, pair_dm, EXEC)
        labels = [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"]
        assert f"{MIA[:60]}'s development goals" in labels  # plain text: as Slack named them
        goals = {Field.MENTOR_GOALS: MENTOR_GOALS, Field.MENTEE_GOALS: MENTEE_GOALS}
        await box.submit(EXEC, modal["id"], goals)
        await box.press(MENTOR, last_message(box, pair_dm), Action.AGREEMENT_CONFIRM)

    async with seen.surface(
        "a session logged, the partner's rating prompt and both Homes",
        e(OTHER_TOPIC),
        e(ACTION),
        *(e(v) for v in GROW.values()),
        e(MIA),
    ):
        await box.command(MENTOR, Command.PARTICIPANT, "checkin")
        modal = box.modal(MENTOR)
        assert modal is not None and modal["callback_id"] == View.CHECKIN
        values = {
            Field.HELD_ON: "2026-01-09",
            Field.USEFULNESS: "4",
            Field.OTHER_TOPICS: OTHER_TOPIC,
            Field.PRIVATE_NOTE: PRIVATE_NOTE,
            "action_0_text": ACTION,
            "action_0_owner": "me",
            **GROW,
        }
        response = await box.submit(MENTOR, modal["id"], values)
        assert response.json() is None, response.text
    async with seen.surface("/mentoring actions", e(ACTION)):
        await box.command(MENTOR, Command.PARTICIPANT, "actions")
    async with seen.surface("Home tabs of a participant and a lead", e(ACTION), e(PROGRAMME)):
        await box.event({"type": "app_home_opened", "user": MENTOR, "tab": "home"})
        await box.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})

    async with seen.surface(
        "a concern, its answer, the reply and closing", e(CONCERN), e(ANSWER), e(PROGRAMME)
    ):
        await box.command(EXEC, Command.PARTICIPANT, "concern")
        modal = box.modal(EXEC)
        assert modal is not None and modal["callback_id"] == View.CONCERN
        await box.submit(EXEC, modal["id"], {Field.CONCERN_TEXT: CONCERN})
        await box.press(LEAD, box.dms(LEAD)[-1], Action.CONCERN_REPLY)
        modal = box.modal(LEAD)
        assert modal is not None
        await box.submit(LEAD, modal["id"], {Field.CONCERN_TEXT: ANSWER})
        await box.press(LEAD, box.dms(LEAD)[-2], Action.CONCERN_CLOSE)

    async with seen.surface("a story shared and listed for leads", e(TITLE), e(STORY), e(MIA)):
        await box.command(MENTOR, Command.PARTICIPANT, "story")
        modal = box.modal(MENTOR)
        assert modal is not None and modal["callback_id"] == View.STORY
        story = {
            Field.STORY_TITLE: TITLE,
            Field.STORY_TEXT: STORY,
            Field.CONSENT: ["share", "name"],
        }
        await box.submit(MENTOR, modal["id"], story)
        await box.command(LEAD, Command.ADMIN, "stories")
        await box.press(LEAD, box.last_ephemeral(LEAD), Action.STORY_APPROVE)
    async with seen.surface("a story published to a channel", e(TITLE), e(STORY), e(PROGRAMME)):
        await box.command(LEAD, Command.ADMIN, "stories")
        await box.press(LEAD, box.last_ephemeral(LEAD), Action.STORY_PUBLISH)
        modal = box.modal(LEAD)
        assert modal is not None and modal["callback_id"] == View.STORY_PUBLISH
        await box.submit(LEAD, modal["id"], {Field.CHANNEL: GENERAL})
    published = [m for m in box.double.messages(GENERAL) if "reverse mentoring story" in m["text"]]
    assert len(published) == 1 and e(TITLE) in published[0]["text"]

    async with seen.surface("the resource library", e(RESOURCE), e(RESOURCE_TOPIC), e(PROGRAMME)):
        await box.command(LEAD, Command.ADMIN, "resources")
        await box.press(LEAD, box.last_ephemeral(LEAD), Action.RESOURCE_ADD)
        modal = box.modal(LEAD)
        assert modal is not None and modal["callback_id"] == View.RESOURCE
        refused = await box.submit(
            LEAD,
            modal["id"],
            {Field.RESOURCE_TITLE: RESOURCE, Field.RESOURCE_URL: "https://x.example/<!channel>"},
        )
        assert Field.RESOURCE_URL in refused.json()["errors"]
        resource = {
            Field.RESOURCE_TITLE: RESOURCE,
            Field.RESOURCE_URL: "https://example.org/guide",
            Field.RESOURCE_BODY: RESOURCE_BODY,
            Field.RESOURCE_TOPIC: RESOURCE_TOPIC,
            Field.RESOURCE_AUDIENCE: "both",
        }
        await box.submit(LEAD, modal["id"], resource)
        await box.command(LEAD, Command.ADMIN, "resources")
    async with seen.surface("a resource posted to the safe spaces", e(RESOURCE), e(RESOURCE_BODY)):
        await tick(box, clock, at("01-12"), "resources", "deliver")
    async with seen.surface("/mentoring-admin spaces", e(PROGRAMME)):
        await box.command(LEAD, Command.ADMIN, "spaces")

    async with seen.surface("nudges to the pair and the mentee, the lead's alert", e(MIA), e(EVE)):
        for day in ("02-06", "02-13", "02-20"):
            await tick(box, clock, at(day), "momentum", "deliver")
    alert = box.dms(LEAD)[-1]
    assert alert["text"] == f"At risk: {e(MIA)} and {e(EVE)}"
    async with seen.surface("a pulse survey and its answer", e(PROGRAMME)):
        await tick(box, clock, at("03-01"), "surveys", "deliver")
        await tick(box, clock, at("03-01", 15), "deliver")
        invitation = next(m for m in reversed(box.dms(MENTOR)) if "Answer" in str(m["blocks"]))
        await box.press(MENTOR, invitation, Action.SURVEY_OPEN)
        modal = box.modal(MENTOR)
        assert modal is not None and modal["callback_id"] == View.SURVEY
        pulse = {Field.VALUE: "4", Field.BALANCE: "3", Field.OPENNESS: "5", Field.BREADTH: "2"}
        await box.submit(MENTOR, modal["id"], {**pulse, Field.COMMENT: COMMENT})
    async with seen.surface("a lead pauses and resumes the pair", e(MIA), e(EVE), e(PROGRAMME)):
        await box.press(LEAD, alert, Action.PAUSE_PAIR)
        await box.press(LEAD, box.dms(LEAD)[-1], Action.RESUME_PAIR)
    async with seen.surface("a participant pauses the pair", e(MIA), e(EVE), e(PROGRAMME)):
        await box.command(MENTOR, Command.PARTICIPANT, "pause")
        modal = box.modal(MENTOR)
        assert modal is not None and modal["callback_id"] == View.PAUSE_SELF
        await box.submit(MENTOR, modal["id"], {Field.WEEKS: "1"})
    async with seen.surface("the pause is over", e(EVE)):
        await tick(box, clock, at("03-12"), "momentum", "deliver")

    async with seen.surface(
        "lead commands: list, pairs, report, audit, refusals",
        e(PROGRAMME),
        e(OBJECTIVE),
        e(TYPED),
        code_span(f"/mentoring-admin {WORD.lower()}"),
    ):
        await box.command(LEAD, Command.ADMIN, "list")
        await box.command(LEAD, Command.ADMIN, "pairs")
        await box.command(LEAD, Command.ADMIN, "report")
        await box.command(LEAD, Command.ADMIN, "audit")
        await box.command(LEAD, Command.ADMIN, WORD)
        await box.command(LEAD, Command.ADMIN, f"open {TYPED}")
        await box.command(LEAD, Command.ADMIN, f"report {TYPED}")
    async with seen.surface(
        "/mentoring with a word it does not know", code_span(f"/mentoring {WORD.lower()}")
    ):
        await box.command(MENTOR, Command.PARTICIPANT, WORD)

    async with seen.surface("re-matching the pool", e(MAX), e(FLO)):
        await box.command(LEAD, Command.ADMIN, "rematch")
        await box.press(LEAD, last_message(box, LEAD), Action.APPROVE_MATCH)
    async with seen.surface("someone leaves: the partner and the leads are told", e(FLO)):
        await box.command(EXEC3, Command.PARTICIPANT, "leave")
        await box.press(EXEC3, box.last_ephemeral(EXEC3), Action.LEAVE_CONFIRM)
    async with seen.surface("a no-fault re-match", e(MIA), e(EVE), e(PROGRAMME)):
        await box.command(EXEC, Command.PARTICIPANT, "rematch")
        await box.press(EXEC, box.last_ephemeral(EXEC), Action.NO_FAULT_CONFIRM)

    async with seen.surface("the programme's end: review summary and closing", e(PROGRAMME)):
        await tick(box, clock, at("07-01", 12), "programmes", "deliver")
        await tick(box, clock, at("07-15", 12), "programmes", "deliver")

    everything = seen.payloads()
    check_inert(everything)
    print(f"\n{len(seen.surfaces)} surfaces driven, {len(everything)} payloads scanned:")
    for surface in seen.surfaces:
        print(f"  {surface.name} ({len(surface.payloads)} payloads)")


async def test_text_a_view_forgot_to_build_still_reaches_slack_inert(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard on every way out: a listener's Web API client, a response URL, an ack."""
    box = sandbox
    raw = "Forgot <!channel> <@U0PLANT> & more"
    inert = "Forgot &lt;!channel&gt; &lt;@U0PLANT&gt; &amp; more"
    monkeypatch.setattr(story_views, "thanks", lambda show_name: raw)
    monkeypatch.setattr(admin_views, "PARTICIPANT_HELP", raw)
    monkeypatch.setattr(admin_views, "ADMIN_HELP", raw)
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    await sign_up(box, MENTOR)

    await box.command(MENTOR, Command.PARTICIPANT, "story")
    modal = box.modal(MENTOR)
    assert modal is not None
    story = {Field.STORY_TITLE: "Title", Field.STORY_TEXT: STORY, Field.CONSENT: ["share"]}
    await box.submit(MENTOR, modal["id"], story)
    assert box.last_dm(MENTOR) == inert  # chat.postMessage from a listener

    await box.command(LEAD, Command.ADMIN, "help")
    assert box.replies(LEAD)[-1]["text"] == inert  # a response URL

    acked = await box.command(MENTOR, Command.PARTICIPANT, "help")
    assert acked.text == inert  # the acknowledgement itself
