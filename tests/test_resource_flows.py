"""The resource library: leads add, edit and remove resources; one is posted to each safe space
per cadence (a week by default), newest first and never twice; newcomers get the starter set
once."""

from __future__ import annotations

from typing import Any

from bot.clock import FakeClock
from bot.ids import Action, Command, Field, View
from bot.sandbox import Sandbox
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR
from tests.flows import create_programme, open_enrolment, sign_up
from tests.test_space_flows import channel


async def library(box: Sandbox) -> dict[str, Any]:
    await box.command(LEAD, Command.ADMIN, "resources")
    return box.last_ephemeral(LEAD)


async def add(box: Sandbox, clock: FakeClock, **values: Any) -> Any:
    await box.press(LEAD, await library(box), Action.RESOURCE_ADD)
    modal = box.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.RESOURCE
    response = await box.submit(LEAD, modal["id"], values)
    clock.advance(minutes=1)  # "newest" needs an order
    return response


async def press_on(box: Sandbox, message: dict[str, Any], title: str, action: str) -> Any:
    """Press a button on the library row of the resource called `title`."""
    blocks = message["blocks"]
    row = next(
        i
        for i, b in enumerate(blocks)
        if b.get("text", {}).get("text", "").startswith(f"*{title}*")
    )
    buttons = blocks[row + 1]
    element = next(e for e in buttons["elements"] if e["action_id"] == action)
    return await box.click(
        LEAD,
        action,
        element["value"],
        block_id=buttons["block_id"],
        message={"channel": message["channel"], "ts": message["ts"]},
    )


def posts(box: Sandbox, name: str) -> list[str]:
    messages = box.double.messages(channel(box, name).id)
    return [m["text"] for m in messages if m["text"].startswith("A resource:")]


async def test_leads_keep_a_library_and_it_reaches_each_side_weekly(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    box = sandbox
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)

    refused = await add(box, clock, **{Field.RESOURCE_TITLE: "Prompts"})
    assert "Add a link, or write" in refused.json()["errors"][Field.RESOURCE_URL]
    refused = await add(
        box, clock, **{Field.RESOURCE_TITLE: "Prompts", Field.RESOURCE_URL: "ftp://x"}
    )
    assert "https://" in refused.json()["errors"][Field.RESOURCE_URL]

    both = {Field.RESOURCE_AUDIENCE: "both"}
    await add(
        box, clock, **{Field.RESOURCE_TITLE: "Glossary", Field.RESOURCE_BODY: "AI: ...", **both}
    )
    await add(
        box,
        clock,
        **{
            Field.RESOURCE_TITLE: "Reverse mentoring guide",
            Field.RESOURCE_URL: "https://example.org/guide",
            Field.RESOURCE_AUDIENCE: "mentors",
        },
    )
    await add(box, clock, **{Field.RESOURCE_TITLE: "Old memo", Field.RESOURCE_BODY: "…", **both})
    assert "is in the library" in box.last_dm(LEAD)

    # Edit the guide's title, and remove the old memo before it is ever posted.
    listed = await library(box)
    titles = [b["text"]["text"] for b in listed["blocks"] if b["type"] == "section"]
    assert titles[1].startswith("*Old memo*")  # newest first
    await press_on(box, listed, "Old memo", Action.RESOURCE_REMOVE)
    assert "out of the library" in box.replies(LEAD)[-1]["text"]
    listed = await library(box)
    await press_on(box, listed, "Reverse mentoring guide", Action.RESOURCE_EDIT)
    modal = box.modal(LEAD)
    assert modal is not None
    await box.submit(LEAD, modal["id"], {Field.RESOURCE_TITLE: "The mentor's guide"})

    # Two sweeps at once, then again the same day: one post per side.
    for _ in range(3):
        await box.run_job("resources")
    await box.run_job("deliver")
    assert posts(box, "digital-cohort-mentors") == ["A resource: The mentor's guide"]
    assert posts(box, "digital-cohort-mentees") == ["A resource: Glossary"]

    clock.advance(days=6, hours=23)
    await box.run_job("resources")
    await box.run_job("deliver")
    assert len(posts(box, "digital-cohort-mentors")) == 1
    clock.advance(hours=1)
    await box.run_job("resources")
    await box.run_job("deliver")
    assert posts(box, "digital-cohort-mentors")[-1] == "A resource: Glossary"
    assert len(posts(box, "digital-cohort-mentees")) == 1  # nothing new for the mentees


async def test_a_newcomer_gets_the_starter_set_once(sandbox: Sandbox, clock: FakeClock) -> None:
    box = sandbox
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    await sign_up(box, MENTOR)
    await sign_up(box, MENTOR, **{Field.DEPARTMENT: "Sales"})  # an edit, not a newcomer
    await box.run_job("deliver")
    starters = [m for m in box.dms(MENTOR) if m["text"].startswith("Welcome to")]
    assert len(starters) == 1
    assert "GROW prompts" in str(starters[0]["blocks"])
    assert "What we discuss stays between us" in str(starters[0]["blocks"])


async def test_only_leads_keep_the_library(sandbox: Sandbox) -> None:
    box = sandbox
    await create_programme(box, LEAD)
    await box.command(EXEC, Command.ADMIN, "resources")
    assert "for programme leads" in box.replies(EXEC)[-1]["text"]
