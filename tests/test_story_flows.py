"""Success stories: a participant shares one with consent, a lead approves and publishes it
to a channel once, with the author's name only if they chose that."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.ids import Action, Command, Field, View
from bot.models import Story, StoryStatus
from bot.sandbox import Sandbox
from bot.views.admin import NOT_A_LEAD
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, OUTSIDER, PRIVATE
from tests.flows import create_programme, open_enrolment, replay_as, sign_up

STORY = (
    "Our sessions on social media changed how the board talks to graduates: we now run "
    "a monthly open Q&A on the intranet."
)


async def enrolled(box: Sandbox) -> None:
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    await sign_up(box, MENTOR)
    await sign_up(box, EXEC, **{Field.ROLE: "mentee", Field.GRADE: "6"})


async def share(box: Sandbox, user: str, **values: Any) -> Any:
    await box.command(user, Command.PARTICIPANT, "story")
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.STORY, box.replies(user)
    return await box.submit(user, modal["id"], values)


async def lead_list(box: Sandbox) -> dict[str, Any]:
    await box.command(LEAD, Command.ADMIN, "stories")
    return box.last_ephemeral(LEAD)


def channel_posts(box: Sandbox, channel: str) -> list[dict[str, Any]]:
    return [m for m in box.double.messages(channel) if "reverse mentoring story" in m["text"]]


async def test_a_story_needs_consent_and_a_real_story(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    # Slack itself insists on a tick; a name without leave to share is not consent.
    refused = await share(
        box,
        MENTOR,
        **{Field.STORY_TITLE: "Q&A", Field.STORY_TEXT: "Great.", Field.CONSENT: ["name"]},
    )
    errors = refused.json()["errors"]
    assert set(errors) == {Field.STORY_TEXT, Field.CONSENT}
    assert "Tick the box" in errors[Field.CONSENT]
    async with box.db.transaction() as session:
        assert list(await session.scalars(select(Story))) == []


async def test_someone_outside_every_programme_is_told_how_to_join(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    await box.command(OUTSIDER, Command.PARTICIPANT, "story")
    assert box.modal(OUTSIDER) is None
    assert "once you have joined a programme" in box.replies(OUTSIDER)[-1]["text"]


async def test_a_named_story_is_approved_and_published_once(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    await share(
        box,
        MENTOR,
        **{
            Field.STORY_TITLE: "An open Q&A for graduates",
            Field.STORY_TEXT: STORY,
            Field.CONSENT: ["share", "name"],
        },
    )
    assert "with your name" in box.last_dm(MENTOR)
    assert "/mentoring-admin stories" in box.last_dm(LEAD)

    # Only leads see the list.
    await box.command(EXEC, Command.ADMIN, "stories")
    assert box.replies(EXEC)[-1]["text"] == NOT_A_LEAD

    listed = await lead_list(box)
    shown = " ".join(b.get("text", {}).get("text", "") for b in listed["blocks"])
    assert "An open Q&amp;A for graduates" in shown and "by Mia Mentor" in shown
    pressed = await box.press(LEAD, listed, Action.STORY_APPROVE)
    assert "approved" in box.replies(LEAD)[-1]["text"]
    await box.press(LEAD, listed, Action.STORY_APPROVE)  # the same button again
    assert box.replies(LEAD)[-1]["text"] == "That story is already approved."
    # The lead's button, forged by a participant, changes nothing.
    await replay_as(box, pressed, EXEC)
    assert box.replies(EXEC)[-1]["text"] == NOT_A_LEAD

    listed = await lead_list(box)
    await box.press(LEAD, listed, Action.STORY_PUBLISH)
    modal = box.modal(LEAD)
    assert modal is not None and modal["callback_id"] == View.STORY_PUBLISH
    sent = await box.submit(LEAD, modal["id"], {Field.CHANNEL: GENERAL})
    posts = channel_posts(box, GENERAL)
    assert len(posts) == 1
    assert "monthly open Q&amp;A" in posts[0]["blocks"][0]["text"]["text"]
    assert "by Mia Mentor" in posts[0]["blocks"][1]["elements"][0]["text"]
    assert "is published in" in box.last_dm(LEAD)

    # The same form sent again (a retry, a second tab) posts nothing more.
    await replay_as(box, sent, LEAD)
    assert len(channel_posts(box, GENERAL)) == 1
    assert box.last_dm(LEAD) == "That story is already published."
    async with box.db.transaction() as session:
        story = await session.scalar(select(Story))
        assert story is not None and story.status == StoryStatus.PUBLISHED
        assert story.channel_id == GENERAL and story.decided_by == LEAD


async def test_an_anonymous_story_goes_out_without_a_name(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    await share(
        box,
        EXEC,
        **{Field.STORY_TITLE: "Listening first", Field.STORY_TEXT: STORY, Field.CONSENT: ["share"]},
    )
    assert "without your name" in box.last_dm(EXEC)
    listed = await lead_list(box)
    await box.press(LEAD, listed, Action.STORY_APPROVE)
    await box.press(LEAD, await lead_list(box), Action.STORY_PUBLISH)
    modal = box.modal(LEAD)
    assert modal is not None
    await box.submit(LEAD, modal["id"], {Field.CHANNEL: GENERAL})
    (post,) = channel_posts(box, GENERAL)
    assert "Eve" not in str(post) and "shared without a name" in str(post)


async def test_a_refused_post_leaves_the_story_approved(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    values = {Field.STORY_TITLE: "Listening", Field.STORY_TEXT: STORY, Field.CONSENT: ["share"]}
    await share(box, EXEC, **values)
    await box.press(LEAD, await lead_list(box), Action.STORY_APPROVE)
    await box.press(LEAD, await lead_list(box), Action.STORY_PUBLISH)
    modal = box.modal(LEAD)
    assert modal is not None
    await box.submit(LEAD, modal["id"], {Field.CHANNEL: PRIVATE})  # the app is not a member
    assert "not published" in box.last_dm(LEAD) and "stays approved" in box.last_dm(LEAD)
    async with box.db.transaction() as session:
        story = await session.scalar(select(Story))
        assert story is not None and story.status == StoryStatus.APPROVED


async def test_a_declined_story_leaves_the_list(sandbox: Sandbox) -> None:
    box = sandbox
    await enrolled(box)
    values = {Field.STORY_TITLE: "Listening", Field.STORY_TEXT: STORY, Field.CONSENT: ["share"]}
    await share(box, EXEC, **values)
    await box.press(LEAD, await lead_list(box), Action.STORY_DECLINE)
    assert "declined" in box.replies(LEAD)[-1]["text"]
    listed = await lead_list(box)
    assert "No stories are waiting" in listed["blocks"][0]["text"]["text"]
