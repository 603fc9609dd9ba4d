"""Success stories: the form a participant shares one with, the leads' list, the channel
picker and the published post."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.services.stories import MAX_TEXT, MAX_TITLE, StoryView
from bot.views.blocks import (
    Block,
    actions,
    button,
    checkboxes,
    context,
    input_block,
    modal,
    option,
    section,
    text_input,
)
from bot.views.forms import post_channel_input, programme_picker
from bot.views.mrkdwn import Mrkdwn, mrkdwn

CONSENT_OPTIONS = [
    option(
        "The programme's leads may share this story",
        "share",
        "In a channel they choose, to show what the programme does",
    ),
    option("Show my name with it", "name", "Otherwise it is shared without a name"),
]

THANKS = (
    "Thank you for sharing your story. The programme's leads will read it; if they publish it, "
    "it goes out {how}. Nothing else you wrote in the programme is shared."
)


def story_modal(programmes: list[tuple[int, str]]) -> Block:
    blocks, metadata = programme_picker(programmes)
    blocks += [
        input_block(Field.STORY_TITLE, "Title", text_input(max_length=MAX_TITLE)),
        input_block(
            Field.STORY_TEXT,
            "Your story",
            text_input(
                multiline=True,
                max_length=MAX_TEXT,
                placeholder="What changed for you, or for the organisation, thanks to the "
                "programme?",
            ),
            hint="Leave out anything your partner told you in confidence.",
        ),
        input_block(Field.CONSENT, "Sharing", checkboxes(CONSENT_OPTIONS)),
    ]
    return modal(
        View.STORY, "Share a success story", blocks, submit="Share", private_metadata=metadata
    )


def thanks(show_name: bool) -> str:
    return THANKS.format(how="with your name" if show_name else "without your name")


def _byline(story: StoryView) -> Mrkdwn:
    if story.author:
        return mrkdwn("by {author}", author=story.author)
    return mrkdwn("shared without a name")


def lead_list(stories: list[StoryView]) -> list[Block]:
    if not stories:
        return [section("No stories are waiting. Participants share them with `/mentoring story`.")]
    blocks: list[Block] = []
    for story in stories[:15]:  # Slack's 50-block limit, three blocks a story
        blocks.append(
            section(
                mrkdwn(
                    "*{title}* ({programme}, {byline})\n{text}",
                    title=story.title,
                    programme=story.programme,
                    byline=_byline(story),
                    text=story.text,
                )
            )
        )
        value = str(story.id)
        if story.status == "submitted":
            buttons = [
                button("Approve", Action.STORY_APPROVE, value, style="primary"),
                button("Decline", Action.STORY_DECLINE, value),
            ]
        else:
            buttons = [button("Publish to a channel", Action.STORY_PUBLISH, value, style="primary")]
        blocks.append(actions(*buttons, block_id=f"story_{story.id}"))
        blocks.append(
            context("Approved: ready to publish." if story.status == "approved" else "New.")
        )
    if len(stories) > 15:
        blocks.append(
            context(mrkdwn("{more} more wait; deal with these first.", more=len(stories) - 15))
        )
    return blocks


def publish_modal(story: StoryView) -> Block:
    blocks = [
        section(mrkdwn("*{title}* ({byline})", title=story.title, byline=_byline(story))),
        post_channel_input("Publish in"),
    ]
    return modal(
        View.STORY_PUBLISH,
        "Publish a story",
        blocks,
        submit="Publish",
        private_metadata=str(story.id),
    )


def published_post(story: StoryView) -> tuple[Mrkdwn, list[Block]]:
    text = mrkdwn(
        "A reverse mentoring story from {programme}: {title}",
        programme=story.programme,
        title=story.title,
    )
    blocks = [
        section(mrkdwn("*{title}*\n{text}", title=story.title, text=story.text)),
        context(
            mrkdwn(
                "A story from {programme}, {byline}.",
                programme=story.programme,
                byline=_byline(story),
            )
        ),
    ]
    return text, blocks
