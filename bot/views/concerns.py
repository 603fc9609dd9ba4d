"""Concerns: the form a participant writes one in, the messages between them and the
programme's leads and supporter, and the reply form."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.services.concerns import MAX_TEXT, Thread
from bot.views.blocks import (
    Block,
    actions,
    button,
    clip,
    context,
    escape,
    input_block,
    modal,
    option,
    section,
    static_select,
    text_input,
)

RAISED = (
    "Your concern went to the leads and the neutral supporter of {programme}, and to nobody "
    "else: not your partner, not your manager. They will answer here, in this conversation."
)
PRIVATE = "Between you, the programme's leads and its neutral supporter only."


def concern_modal(programmes: list[tuple[int, str]]) -> Block:
    blocks: list[Block] = []
    if len(programmes) > 1:
        choices = [option(name, str(pid)) for pid, name in programmes]
        blocks.append(input_block(Field.PROGRAMME, "Programme", static_select(choices)))
    blocks += [
        input_block(
            Field.CONCERN_TEXT,
            "What is worrying you?",
            text_input(multiline=True, max_length=MAX_TEXT),
            hint="Only the programme's leads and its neutral supporter will read this.",
        )
    ]
    metadata = str(programmes[0][0]) if len(programmes) == 1 else ""
    return modal(View.CONCERN, "Raise a concern", blocks, submit="Send", private_metadata=metadata)


def reply_modal(thread: Thread) -> Block:
    blocks = [
        input_block(
            Field.CONCERN_TEXT,
            "Your reply",
            text_input(multiline=True, max_length=MAX_TEXT),
        ),
        context(PRIVATE),
    ]
    return modal(
        View.CONCERN_REPLY,
        "Reply",
        blocks,
        submit="Send",
        private_metadata=str(thread.concern_id),
    )


def to_helpers(
    thread: Thread, text: str, *, author_id: str, first: bool
) -> tuple[str, list[Block]]:
    """For the leads and the supporter; people are named with Slack mentions."""
    if author_id != thread.participant_user:
        what = f"answered <@{thread.participant_user}>'s concern"
    else:
        what = "raised a concern" if first else "replied about their concern"
    heading = f"<@{author_id}> {what} ({escape(thread.programme)})"
    value = str(thread.concern_id)
    return heading, [
        section(clip(f"*{heading}*\n>{escape(text)}", 3000)),
        actions(
            button("Reply", Action.CONCERN_REPLY, value, style="primary"),
            button("Close", Action.CONCERN_CLOSE, value),
        ),
        context(PRIVATE),
    ]


def to_participant(thread: Thread, text: str, *, author_id: str) -> tuple[str, list[Block]]:
    heading = f"<@{author_id}> answered your concern ({escape(thread.programme)})"
    return heading, [
        section(clip(f"*{heading}*\n>{escape(text)}", 3000)),
        actions(button("Reply", Action.CONCERN_REPLY, str(thread.concern_id), style="primary")),
        context(PRIVATE),
    ]


def closed(thread: Thread, by_id: str) -> str:
    return (
        f"<@{by_id}> closed the concern about {thread.programme}. If anything else comes up, "
        "`/mentoring concern` reaches them again."
    )
