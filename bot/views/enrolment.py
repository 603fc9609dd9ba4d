"""Opening and closing enrolment: the lead's modal, the channel announcement, the close chooser."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.models import Programme
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import post_channel_input, which_one
from bot.views.mrkdwn import Mrkdwn, mrkdwn


def open_enrolment_modal(programmes: list[Programme], *, preselect: int | None = None) -> Block:
    choices = [blocks.option(p.name, str(p.id)) for p in programmes[:100]]
    body = [
        blocks.input_block(
            Field.PROGRAMME, "Programme", blocks.static_select(choices, initial=preselect)
        ),
        post_channel_input("Announce in", current_by_default=True),
    ]
    return blocks.modal(View.OPEN_ENROLMENT, "Open enrolment", body, submit="Open and announce")


def announcement(programme: Programme) -> tuple[Mrkdwn, list[Block]]:
    topics = ", ".join(programme.topics[:10])
    description = (programme.description or "").strip()
    text = mrkdwn("Enrolment is open for {name}", name=programme.name)
    shown = [
        blocks.section(
            mrkdwn(
                ":sparkles: *Enrolment is open: {name}*\n{description}",
                name=programme.name,
                description=description,
            )
            if description
            else mrkdwn(":sparkles: *Enrolment is open: {name}*", name=programme.name)
        ),
        blocks.section(
            mrkdwn(
                "Reverse mentoring pairs a junior colleague (the mentor) with a senior leader "
                "(the mentee). {sessions} sessions, about every "
                "{cadence} days, from {starts:%d %b %Y}.\n"
                "*Topics:* {topics}",
                sessions=programme.sessions_planned,
                cadence=programme.cadence_days,
                starts=programme.starts_on,
                topics=topics,
            )
        ),
        blocks.actions(blocks.button("Join", Action.JOIN, str(programme.id), style="primary")),
        blocks.context(
            mrkdwn(
                "Sign up by {deadline:%d %b %Y}, or type `/mentoring join`.",
                deadline=programme.enrolment_deadline,
            )
        ),
    ]
    return text, shown


def close_chooser(programmes: list[Programme]) -> list[Block]:
    return which_one(
        "Several programmes are enrolling. Which one should close?",
        Action.CLOSE_ENROLMENT,
        ((f"Close {p.name}", p.id) for p in programmes),
    )
