"""Replays change nothing: the same signed request sent again (Slack's retry of an event, or
anyone re-posting the bytes within the five minutes the signature is good for) is answered and
dropped, for every kind of request Slack sends; a new request from the same person still acts."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, Shortcut, View
from bot.models import Concern, HandledRequest, Pair, Resource, Story
from bot.sandbox import Sandbox
from bot.services.replays import KEEP_FOR
from bot.slack.replays import replay_key
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, contracts_path
from tests.flows import (
    channel_of,
    create_programme,
    enrolled_cohort,
    open_enrolment,
    preview,
    sign_up,
)
from tests.scenarios import play
from tests.test_resource_flows import add as add_resource

STORY = {
    Field.STORY_TITLE: "An open Q&A for graduates",
    Field.STORY_TEXT: "Our sessions changed how the board talks to graduates, every month.",
    Field.CONSENT: ["share", "name"],
}


async def enrolled(box: Sandbox) -> None:
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    await sign_up(box, MENTOR)
    await sign_up(box, EXEC, **{Field.ROLE: "mentee", Field.GRADE: "6"})


async def count(box: Sandbox, model: type) -> int:
    async with box.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def everything_sent(box: Sandbox) -> list[tuple[str, str]]:
    """Every Web API call that shows something to someone, and every response-URL post."""
    shown = {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "views.open",
        "views.publish",
        "views.push",
        "views.update",
        "chat.scheduleMessage",
    }
    calls = [(c.method, str(c.args)) for c in box.double.calls if c.method in shown]
    return calls + [("response_url", str(body)) for _, body in box.double.response_posts]


async def open_modal(box: Sandbox, user: str, word: str, callback_id: str) -> dict[str, Any]:
    await box.command(user, Command.PARTICIPANT, word)
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == callback_id, box.replies(user)
    return modal


async def test_a_replayed_form_makes_no_second_story_and_tells_nobody_twice(
    sandbox: Sandbox,
) -> None:
    box = sandbox
    await enrolled(box)
    modal = await open_modal(box, MENTOR, "story", View.STORY)
    sent = await box.submit(MENTOR, modal["id"], STORY)
    assert "/mentoring-admin stories" in box.last_dm(LEAD)
    before = everything_sent(box)

    again = await box.resend(sent)

    assert again.status == 200 and again.text == ""
    assert await count(box, Story) == 1
    assert everything_sent(box) == before


async def test_a_replayed_concern_reaches_the_leads_once(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    modal = await open_modal(box, MENTOR, "concern", View.CONCERN)
    sent = await box.submit(MENTOR, modal["id"], {Field.CONCERN_TEXT: "We keep cancelling"})
    told = [m for m in box.dms(LEAD) if "concern" in m["text"].lower()]
    assert len(told) == 1
    before = everything_sent(box)

    for _ in range(3):
        await box.resend(sent)

    assert await count(box, Concern) == 1
    assert everything_sent(box) == before


async def test_a_replayed_form_that_saves_in_its_check_saves_once(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    """The resource form is saved inside its acknowledgement (so a problem shows on the
    form); its replay is claimed before that save and adds nothing."""
    box = sandbox
    await enrolled(box)
    lessons = await count(box, Resource)  # the starter preparation tracks
    sent = await add_resource(
        box, clock, **{Field.RESOURCE_TITLE: "GROW prompts", Field.RESOURCE_BODY: "Ask first."}
    )
    assert sent.status == 200 and await count(box, Resource) == lessons + 1
    before = everything_sent(box)

    again = await box.resend(sent)

    assert again.status == 200 and again.text == ""
    assert await count(box, Resource) == lessons + 1
    assert everything_sent(box) == before


async def test_a_replayed_button_press_acts_once(sandbox: Sandbox, clock: FakeClock) -> None:
    box = sandbox
    await play(box, clock, enrolled_cohort)
    await box.command(LEAD, Command.ADMIN, "match")
    click = await box.press(LEAD, preview(box), Action.APPROVE_MATCH)
    intro_channel = channel_of(box, MENTOR, EXEC)
    assert len(box.double.messages(intro_channel)) == 1
    before = everything_sent(box)

    again = await box.resend(click)

    assert again.status == 200
    # Not even the "already approved" answer a second, real click gets: nothing happened.
    assert everything_sent(box) == before
    assert len(box.double.messages(intro_channel)) == 1
    assert await count(box, Pair) == 2


async def test_a_replayed_slash_command_opens_nothing_and_reports_no_failure(
    sandbox: Sandbox,
) -> None:
    box = sandbox
    await enrolled(box)
    opened = await box.command(MENTOR, Command.PARTICIPANT, "story")
    assert box.modal(MENTOR) is not None
    before = everything_sent(box)

    # Its trigger id is spent: acting again would fail in Slack and apologise to Mia.
    await box.resend(opened)

    assert everything_sent(box) == before
    assert not box.double.calls_to("views.open")[-1].response.get("error")


async def test_a_replayed_event_and_slacks_retry_of_it_publish_the_home_once(
    sandbox: Sandbox,
) -> None:
    box = sandbox
    await enrolled(box)
    opened = await box.event({"type": "app_home_opened", "user": MENTOR, "tab": "home"})
    published = len(box.double.calls_to("views.publish"))

    await box.resend(opened)
    # Slack's own retry: signed afresh, with the retry headers, but the same event id.
    retry = await box.event(
        {"type": "app_home_opened", "user": MENTOR, "tab": "home"},
        event_id=opened.payload["event_id"],
        retry_num=1,
    )

    assert retry.status == 200
    assert len(box.double.calls_to("views.publish")) == published
    # A new event (another visit to the Home) is acted on as before.
    await box.event({"type": "app_home_opened", "user": MENTOR, "tab": "home"})
    assert len(box.double.calls_to("views.publish")) == published + 1


async def test_a_replayed_shortcut_opens_nothing(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    pressed = await box.shortcut(EXEC, Shortcut.JOIN)
    assert box.double.calls_to("views.open")[-1].ok
    before = everything_sent(box)

    await box.resend(pressed)

    assert everything_sent(box) == before


async def test_the_same_form_sent_again_by_its_person_is_still_answered(
    sandbox: Sandbox,
) -> None:
    """Pressing Submit again on a form that was refused is a new request (Slack gives it a new
    trigger id), so it gets the same errors rather than silence."""
    box = sandbox
    await enrolled(box)
    modal = await open_modal(box, MENTOR, "story", View.STORY)
    thin = {Field.STORY_TITLE: "Q&A", Field.STORY_TEXT: "Great.", Field.CONSENT: ["share"]}
    first = await box.submit(MENTOR, modal["id"], thin)
    second = await box.submit(MENTOR, modal["id"], thin)
    assert first.json()["errors"] == second.json()["errors"]
    assert Field.STORY_TEXT in second.json()["errors"]
    sent = await box.submit(MENTOR, modal["id"], STORY)
    assert sent.status == 200 and await count(box, Story) == 1


async def test_handled_keys_are_forgotten_after_a_day(sandbox: Sandbox, clock: FakeClock) -> None:
    box = sandbox
    await enrolled(box)
    held = await count(box, HandledRequest)
    assert held > 0
    clock.advance(seconds=(KEEP_FOR - timedelta(minutes=1)).total_seconds())
    await box.run_job("programmes")
    assert await count(box, HandledRequest) == held
    clock.advance(minutes=2)
    await box.run_job("programmes")
    assert await count(box, HandledRequest) == 0


def test_every_kind_of_request_slack_sends_has_a_replay_key() -> None:
    """On Slack's recorded payload shapes: interactions and commands by their trigger id,
    events by their event id, a closed view by its id and hash; option lists have none."""
    samples = contracts_path() / "payload-samples"
    if not samples.is_dir():
        pytest.skip(f"Slack's recorded payloads are not at {samples}")
    for path in sorted(samples.glob("*/*.json")):
        body = json.loads(path.read_text())
        body.update(
            {k: f"{k}-1" for k in ("trigger_id", "event_id") if k in body},
            view={**(body.get("view") or {}), "id": "V1", "hash": "h1"},
        )
        if "event_id" in body:
            body["type"] = "event_callback"
        key = replay_key(body, "T1")
        assert key is not None and key.startswith("T1:"), path.name
        assert any(part in key for part in ("trigger_id-1", "event_id-1", "V1:h1")), key
    assert replay_key({"type": "block_suggestion", "value": "ai"}, "T1") is None
    assert replay_key({"type": "url_verification", "challenge": "x"}, None) is None
