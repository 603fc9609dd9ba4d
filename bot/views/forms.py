"""Form pieces that several features share: the ways to meet, the "which one?" pickers and
buttons, and the channel picker for a lead's post."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any, LiteralString

from bot.ids import Action, Field, keyed
from bot.models import Medium
from bot.views import blocks
from bot.views.blocks import Block

MEDIUM_LABELS = {
    Medium.IN_PERSON: "In person",
    Medium.VIDEO: "Video call",
    Medium.SITE_VISIT: "Site visit",
    Medium.ANY: "No preference",
}
MEDIUM_OPTIONS = [blocks.option(label, medium.value) for medium, label in MEDIUM_LABELS.items()]


def one_of(block_id: str, label: str, choices: list[dict[str, Any]]) -> tuple[list[Block], str]:
    """The blocks and private_metadata of a form that is about one of `choices`: a picker when
    there are several; a single choice needs no question and travels in the metadata."""
    if len(choices) > 1:
        return [blocks.input_block(block_id, label, blocks.static_select(choices))], ""
    return [], choices[0]["value"] if choices else ""


def programme_picker(programmes: list[tuple[int, str]]) -> tuple[list[Block], str]:
    """`one_of` the person's programmes, given as (id, name)."""
    choices = [blocks.option(name, str(programme_id)) for programme_id, name in programmes]
    return one_of(Field.PROGRAMME, "Programme", choices)


def post_channel_input(label: str, *, current_by_default: bool = False) -> Block:
    """Where a lead's post goes: a public or private channel."""
    element: Block = {"type": "conversations_select"}
    if current_by_default:
        element["default_to_current_conversation"] = True
    element["filter"] = {"include": ["public", "private"], "exclude_bot_users": True}
    return blocks.input_block(
        Field.CHANNEL, label, element, hint="For a private channel, invite the app to it first."
    )


def which_one(
    question: LiteralString, action: Action, choices: Iterable[tuple[str, int]]
) -> list[Block]:
    """A question and a button for each of the first five choices, given as (label, id): the
    button's action is keyed by the id, which is also its value."""
    buttons = [
        blocks.button(label, keyed(action, id_), str(id_)) for label, id_ in islice(choices, 5)
    ]
    return [blocks.section(question), blocks.actions(*buttons)]
