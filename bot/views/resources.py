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
    context,
    input_block,
    modal,
    option,
    section,
    static_select,
    text_input,
)
from bot.views.mrkdwn import Mrkdwn, channel, join, link, mrkdwn

AUDIENCE_LABELS = {"both": "Mentors and mentees", "mentors": "Mentors", "mentees": "Mentees"}


def library_blocks(programme: str, programme_id: int, items: list[Item]) -> list[Block]:
    blocks: list[Block] = [
        section(mrkdwn("*Resources for {programme}*", programme=programme)),
        actions(button("Add a resource", Action.RESOURCE_ADD, str(programme_id), style="primary")),
    ]
    if not items:
        blocks.append(context("None yet. One is posted to each safe space every week."))
    for item in items[:20]:
        where = mrkdwn(
            "{audience}{topic}",
            audience=AUDIENCE_LABELS[item.audience],
            topic=mrkdwn(" · {topic}", topic=item.topic) if item.topic else "",
        )
        blocks.append(section(mrkdwn("*{title}*\n{where}", title=item.title, where=where)))
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
            Field.RESOURCE_TITLE,
            "Title",
            text_input(max_length=150, initial=item.title if item else None),
        ),
        input_block(
            Field.RESOURCE_URL,
            "Link",
            text_input(initial=item.url if item else None, placeholder="https://…"),
            optional=True,
        ),
        input_block(
            Field.RESOURCE_BODY,
            "Or the text itself",
            text_input(multiline=True, max_length=2500, initial=item.body if item else None),
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
            text_input(max_length=60, initial=item.topic if item else None),
            optional=True,
        ),
    ]
    metadata = f"{programme_id}:{item.id if item else ''}"
    title = "Edit resource" if item else "Add a resource"
    return modal(View.RESOURCE, title, blocks, submit="Save", private_metadata=metadata)


def _linked_title(title: str, url: str | None) -> Mrkdwn:
    if url:
        try:
            return mrkdwn("*{title}*", title=link(url, title))
        except ValueError:  # saved before links were checked: show it, not as a link
            return mrkdwn("*{title}* ({url})", title=title, url=url)
    return mrkdwn("*{title}*", title=title)


def posted(p: dict[str, Any]) -> tuple[Mrkdwn, list[Block]]:
    head = _linked_title(p["title"], p.get("url"))
    text = mrkdwn("{head}\n{body}", head=head, body=p["body"]) if p.get("body") else head
    blocks = [section(text)]
    blocks.append(
        context(
            mrkdwn(
                "From the {programme} library{topic}",
                programme=p["programme"],
                topic=mrkdwn(" · {topic}", topic=p["topic"]) if p.get("topic") else "",
            )
        )
    )
    return mrkdwn("A resource: {title}", title=p["title"]), blocks


def starter(p: dict[str, Any]) -> tuple[Mrkdwn, list[Block]]:
    text = mrkdwn(
        "Welcome to {space}, the {side}' safe space of {programme}: "
        "a place to share what works, among peers. Two things to start with.",
        space=channel(p["space"]),
        side=p["side"],
        programme=p["programme"],
    )
    grow = join("\n", (mrkdwn("• {line}", line=line) for line in p["grow"]))
    return text, [
        section(text),
        section(mrkdwn("*Our ground rules*\n{rules}", rules=p["ground_rules"])),
        section(mrkdwn("*GROW prompts for your sessions*\n{grow}", grow=grow)),
    ]
