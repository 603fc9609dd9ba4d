"""Concerns: the form a participant writes one in, the messages between them and the
programme's leads and supporter, and the reply form."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.services.concerns import MAX_TEXT, Thread
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import programme_picker
from bot.views.mrkdwn import Mrkdwn, mention, mrkdwn


def raised(programme: str) -> Mrkdwn:
    return mrkdwn(
        "Your concern went to the leads and the neutral supporter of {programme}, and to nobody "
        "else: not your partner, not your manager. They will answer here, in this conversation.",
        programme=programme,
    )


PRIVATE = "Between you, the programme's leads and its neutral supporter only."


def concern_modal(programmes: list[tuple[int, str]]) -> Block:
    body, metadata = programme_picker(programmes)
    body.append(
        blocks.input_block(
            Field.CONCERN_TEXT,
            "What is worrying you?",
            blocks.text_input(multiline=True, max_length=MAX_TEXT),
            hint="Only the programme's leads and its neutral supporter will read this.",
        )
    )
    return blocks.modal(
        View.CONCERN, "Raise a concern", body, submit="Send", private_metadata=metadata
    )


def reply_modal(thread: Thread) -> Block:
    body = [
        blocks.input_block(
            Field.CONCERN_TEXT,
            "Your reply",
            blocks.text_input(multiline=True, max_length=MAX_TEXT),
        ),
        blocks.context(PRIVATE),
    ]
    return blocks.modal(
        View.CONCERN_REPLY,
        "Reply",
        body,
        submit="Send",
        private_metadata=str(thread.concern_id),
    )


def to_helpers(
    thread: Thread, text: str, *, author_id: str, first: bool
) -> tuple[Mrkdwn, list[Block]]:
    """For the leads and the supporter; people are named with Slack mentions."""
    if author_id != thread.participant_user:
        what = mrkdwn("answered {who}'s concern", who=mention(thread.participant_user))
    else:
        what = mrkdwn("raised a concern") if first else mrkdwn("replied about their concern")
    heading = mrkdwn(
        "{author} {what} ({programme})",
        author=mention(author_id),
        what=what,
        programme=thread.programme,
    )
    value = str(thread.concern_id)
    return heading, [
        blocks.section(_quoted(heading, text)),
        blocks.actions(
            blocks.button("Reply", Action.CONCERN_REPLY, value, style="primary"),
            blocks.button("Close", Action.CONCERN_CLOSE, value),
        ),
        blocks.context(PRIVATE),
    ]


def _quoted(heading: Mrkdwn, text: str) -> Mrkdwn:
    return mrkdwn("*{heading}*\n>{text}", heading=heading, text=text)


def to_participant(thread: Thread, text: str, *, author_id: str) -> tuple[Mrkdwn, list[Block]]:
    heading = mrkdwn(
        "{author} answered your concern ({programme})",
        author=mention(author_id),
        programme=thread.programme,
    )
    return heading, [
        blocks.section(_quoted(heading, text)),
        blocks.actions(
            blocks.button("Reply", Action.CONCERN_REPLY, str(thread.concern_id), style="primary")
        ),
        blocks.context(PRIVATE),
    ]


def closed(thread: Thread, by_id: str) -> Mrkdwn:
    return mrkdwn(
        "{who} closed the concern about {programme}. If anything else comes up, "
        "`/mentoring concern` reaches them again.",
        who=mention(by_id),
        programme=thread.programme,
    )
