"""The resource library: the leads' list and form, a resource as posted to a safe space, and a
newcomer's starter set."""

from __future__ import annotations

from typing import Any

from bot.ids import Action, Field, View
from bot.services.resources import Item
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

AUDIENCE_LABELS = {"both": "Mentors and mentees", "mentors": "Mentors", "mentees": "Mentees"}


def library_blocks(programme: str, programme_id: int, items: list[Item]) -> list[Block]:
    blocks: list[Block] = [
        section(f"*Resources for {escape(programme)}*"),
        actions(button("Add a resource", Action.RESOURCE_ADD, str(programme_id), style="primary")),
    ]
    if not items:
        blocks.append(context("None yet. One is posted to each safe space every week."))
    for item in items[:20]:
        where = AUDIENCE_LABELS[item.audience] + (f" · {escape(item.topic)}" if item.topic else "")
        blocks.append(section(clip(f"*{escape(item.title)}*\n{where}", 3000)))
        blocks.append(
            actions(
                button("Edit", Action.RESOURCE_EDIT, str(item.id)),
                button("Remove", Action.RESOURCE_REMOVE, str(item.id)),
                block_id=f"resource_{item.id}",
            )
        )
    return blocks


def resource_modal(programme_id: int, item: Item | None = None) -> Block:
    choices = [option(label, value) for value, label in AUDIENCE_LABELS.items()]
    blocks = [
        input_block(
            Field.RESOURCE_TITLE, "Title", text_input(max_length=150, initial=item and item.title)
        ),
        input_block(
            Field.RESOURCE_URL,
            "Link",
            text_input(initial=item and item.url, placeholder="https://…"),
            optional=True,
        ),
        input_block(
            Field.RESOURCE_BODY,
            "Or the text itself",
            text_input(multiline=True, max_length=2500, initial=item and item.body),
            optional=True,
        ),
        input_block(
            Field.RESOURCE_AUDIENCE,
            "For",
            static_select(choices, initial=item.audience if item else "both"),
        ),
        input_block(
            Field.RESOURCE_TOPIC,
            "Topic",
            text_input(max_length=60, initial=item and item.topic),
            optional=True,
        ),
    ]
    metadata = f"{programme_id}:{item.id if item else ''}"
    title = "Edit resource" if item else "Add a resource"
    return modal(View.RESOURCE, title, blocks, submit="Save", private_metadata=metadata)


def posted(p: dict[str, Any]) -> tuple[str, list[Block]]:
    title = escape(p["title"])
    head = f"*<{p['url']}|{title}>*" if p.get("url") else f"*{title}*"
    text = head + (f"\n{escape(p['body'])}" if p.get("body") else "")
    blocks = [section(clip(text, 3000))]
    blocks.append(
        context(
            f"From the {escape(p['programme'])} library"
            + (f" · {escape(p['topic'])}" if p.get("topic") else "")
        )
    )
    return f"A resource: {p['title']}", blocks


def starter(p: dict[str, Any]) -> tuple[str, list[Block]]:
    text = (
        f"Welcome to <#{p['space']}>, the {p['side']}' safe space of {escape(p['programme'])}: "
        "a place to share what works, among peers. Two things to start with."
    )
    grow = "\n".join(f"• {escape(line)}" for line in p["grow"])
    return text, [
        section(text),
        section(clip(f"*Our ground rules*\n{escape(p['ground_rules'])}", 3000)),
        section(f"*GROW prompts for your sessions*\n{grow}"),
    ]
