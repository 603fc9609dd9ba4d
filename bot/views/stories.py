"""Success stories: the form a participant shares one with, the leads' list, the channel
picker and the published post."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.services.stories import MAX_TEXT, MAX_TITLE, StoryView
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import post_channel_input, programme_picker
from bot.views.mrkdwn import Mrkdwn, mrkdwn

CONSENT_OPTIONS = [
    blocks.option(
        "The programme's leads may share this story",
        "share",
        "In a channel they choose, to show what the programme does",
    ),
    blocks.option("Show my name with it", "name", "Otherwise it is shared without a name"),
]

THANKS = (
    "Thank you for sharing your story. The programme's leads will read it; if they publish it, "
    "it goes out {how}. Nothing else you wrote in the programme is shared."
)


def story_modal(programmes: list[tuple[int, str]]) -> Block:
    body, metadata = programme_picker(programmes)
    body += [
        blocks.input_block(Field.STORY_TITLE, "Title", blocks.text_input(max_length=MAX_TITLE)),
        blocks.input_block(
            Field.STORY_TEXT,
            "Your story",
            blocks.text_input(
                multiline=True,
                max_length=MAX_TEXT,
                placeholder="What changed for you, or for the organisation, thanks to the "
                "programme?",
            ),
            hint="Leave out anything your partner told you in confidence.",
        ),
        blocks.input_block(Field.CONSENT, "Sharing", blocks.checkboxes(CONSENT_OPTIONS)),
    ]
    return blocks.modal(
        View.STORY, "Share a success story", body, submit="Share", private_metadata=metadata
    )


def thanks(show_name: bool) -> str:
    return THANKS.format(how="with your name" if show_name else "without your name")


def _byline(story: StoryView) -> Mrkdwn:
    if story.author:
        return mrkdwn("by {author}", author=story.author)
    return mrkdwn("shared without a name")


def lead_list(stories: list[StoryView]) -> list[Block]:
    if not stories:
        return [
            blocks.section(
                "No stories are waiting. Participants share them with `/mentoring story`."
            )
        ]
    shown: list[Block] = []
    for story in stories[:15]:  # Slack's 50-block limit, three blocks a story
        shown.append(
            blocks.section(
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
                blocks.button("Approve", Action.STORY_APPROVE, value, style="primary"),
                blocks.button("Decline", Action.STORY_DECLINE, value),
            ]
        else:
            buttons = [
                blocks.button("Publish to a channel", Action.STORY_PUBLISH, value, style="primary")
            ]
        shown.append(blocks.actions(*buttons, block_id=f"story_{story.id}"))
        shown.append(
            blocks.context("Approved: ready to publish." if story.status == "approved" else "New.")
        )
    if len(stories) > 15:
        shown.append(
            blocks.context(
                mrkdwn("{more} more wait; deal with these first.", more=len(stories) - 15)
            )
        )
    return shown


def publish_modal(story: StoryView) -> Block:
    body = [
        blocks.section(mrkdwn("*{title}* ({byline})", title=story.title, byline=_byline(story))),
        post_channel_input("Publish in"),
    ]
    return blocks.modal(
        View.STORY_PUBLISH,
        "Publish a story",
        body,
        submit="Publish",
        private_metadata=str(story.id),
    )


def published_post(story: StoryView) -> tuple[Mrkdwn, list[Block]]:
    text = mrkdwn(
        "A reverse mentoring story from {programme}: {title}",
        programme=story.programme,
        title=story.title,
    )
    shown = [
        blocks.section(mrkdwn("*{title}*\n{text}", title=story.title, text=story.text)),
        blocks.context(
            mrkdwn(
                "A story from {programme}, {byline}.",
                programme=story.programme,
                byline=_byline(story),
            )
        ),
    ]
    return text, shown
