"""Opening and closing enrolment: the lead's modal, the channel announcement, the close chooser."""

from __future__ import annotations

from bot.ids import Action, Field, View, keyed
from bot.models import Programme
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    escape,
    input_block,
    modal,
    option,
    section,
    static_select,
)


def open_enrolment_modal(programmes: list[Programme], *, preselect: int | None = None) -> Block:
    choices = [option(p.name, str(p.id)) for p in programmes[:100]]
    blocks = [
        input_block(Field.PROGRAMME, "Programme", static_select(choices, initial=preselect)),
        input_block(
            Field.CHANNEL,
            "Announce in",
            {
                "type": "conversations_select",
                "default_to_current_conversation": True,
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            },
            hint="For a private channel, invite the app to it first.",
        ),
    ]
    return modal(View.OPEN_ENROLMENT, "Open enrolment", blocks, submit="Open and announce")


def announcement(programme: Programme) -> tuple[str, list[Block]]:
    topics = ", ".join(programme.topics[:10])
    text = f"Enrolment is open for {programme.name}"
    blocks = [
        section(
            f":sparkles: *Enrolment is open: {escape(programme.name)}*\n"
            f"{escape(programme.description or '')}".strip()
        ),
        section(
            "Reverse mentoring pairs a junior colleague (the mentor) with a senior leader "
            f"(the mentee). {programme.sessions_planned} sessions, about every "
            f"{programme.cadence_days} days, from {programme.starts_on:%d %b %Y}.\n"
            f"*Topics:* {escape(topics)}"
        ),
        actions(button("Join", Action.JOIN, str(programme.id), style="primary")),
        context(f"Sign up by {programme.enrolment_deadline:%d %b %Y}, or type `/mentoring join`."),
    ]
    return text, blocks


def close_chooser(programmes: list[Programme]) -> list[Block]:
    return [
        section("Several programmes are enrolling. Which one should close?"),
        actions(
            *[
                button(f"Close {p.name}", keyed(Action.CLOSE_ENROLMENT, p.id), str(p.id))
                for p in programmes[:5]
            ]
        ),
    ]
