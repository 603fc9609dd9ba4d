"""The resource library: the leads' list and form, a resource as posted to a safe space, and a
newcomer's starter set."""

from __future__ import annotations

from typing import Any

from bot.ids import Action, Field, View
from bot.services.resources import MAX_LESSON, Item
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, channel, join, link, mrkdwn

AUDIENCE_LABELS = {"both": "Mentors and mentees", "mentors": "Mentors", "mentees": "Mentees"}


# A message holds 50 blocks: two for the heading, two per resource, one for the tracks' heading.
LIBRARY_SHOWN = 14
LESSONS_SHOWN = 8


def library_blocks(programme: str, programme_id: int, items: list[Item]) -> list[Block]:
    """The library (newest first), then the preparation tracks' lessons in their order."""
    shown: list[Block] = [
        blocks.section(mrkdwn("*Resources for {programme}*", programme=programme)),
        blocks.actions(
            blocks.button("Add a resource", Action.RESOURCE_ADD, str(programme_id), style="primary")
        ),
    ]
    library = [i for i in items if i.lesson is None]
    lessons = sorted((i for i in items if i.lesson is not None), key=lambda i: (i.lesson, i.id))
    if not library:
        shown.append(blocks.context("None yet. One is posted to each safe space every week."))
    for item in library[:LIBRARY_SHOWN]:
        shown += _row(item)
    if lessons:
        shown.append(
            blocks.context(
                "*Preparation tracks*: sent to each participant's DM, one lesson at a time "
                "from sign-up to their first session. Edit a lesson like any resource."
            )
        )
    for item in lessons[:LESSONS_SHOWN]:
        shown += _row(item)
    return shown


def _row(item: Item) -> list[Block]:
    where = mrkdwn(
        "{audience}{lesson}{topic}",
        audience=AUDIENCE_LABELS[item.audience],
        lesson=mrkdwn(" · lesson {n}", n=item.lesson) if item.lesson is not None else "",
        topic=mrkdwn(" · {topic}", topic=item.topic) if item.topic else "",
    )
    return [
        blocks.section(mrkdwn("*{title}*\n{where}", title=item.title, where=where)),
        blocks.actions(
            blocks.button("Edit", Action.RESOURCE_EDIT, str(item.id)),
            blocks.button("Remove", Action.RESOURCE_REMOVE, str(item.id)),
            block_id=f"resource_{item.id}",
        ),
    ]


def resource_modal(programme_id: int, item: Item | None = None) -> Block:
    choices = [blocks.option(label, value) for value, label in AUDIENCE_LABELS.items()]
    body = [
        blocks.input_block(
            Field.RESOURCE_TITLE,
            "Title",
            blocks.text_input(max_length=150, initial=item.title if item else None),
        ),
        blocks.input_block(
            Field.RESOURCE_URL,
            "Link",
            blocks.text_input(initial=item.url if item else None, placeholder="https://…"),
            optional=True,
        ),
        blocks.input_block(
            Field.RESOURCE_BODY,
            "Or the text itself",
            blocks.text_input(multiline=True, max_length=2500, initial=item.body if item else None),
            optional=True,
        ),
        blocks.input_block(
            Field.RESOURCE_AUDIENCE,
            "For",
            blocks.static_select(choices, initial=item.audience if item else "both"),
        ),
        blocks.input_block(
            Field.RESOURCE_TOPIC,
            "Topic",
            blocks.text_input(max_length=60, initial=item.topic if item else None),
            optional=True,
        ),
        blocks.input_block(
            Field.RESOURCE_LESSON,
            "Lesson of the preparation track",
            blocks.number_input(initial=item.lesson if item else None, low=1, high=MAX_LESSON),
            optional=True,
            hint="Its place in the track of the people it is for (1 comes first). Lessons go "
            "to each participant's DM, not to the safe spaces. Empty: the library only.",
        ),
    ]
    metadata = f"{programme_id}:{item.id if item else ''}"
    title = "Edit resource" if item else "Add a resource"
    return blocks.modal(View.RESOURCE, title, body, submit="Save", private_metadata=metadata)


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
    shown = [blocks.section(text)]
    shown.append(
        blocks.context(
            mrkdwn(
                "From the {programme} library{topic}",
                programme=p["programme"],
                topic=mrkdwn(" · {topic}", topic=p["topic"]) if p.get("topic") else "",
            )
        )
    )
    return mrkdwn("A resource: {title}", title=p["title"]), shown


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
        blocks.section(text),
        blocks.section(mrkdwn("*Our ground rules*\n{rules}", rules=p["ground_rules"])),
        blocks.section(mrkdwn("*GROW prompts for your sessions*\n{grow}", grow=grow)),
    ]
