"""What the leads hear when a programme ends: the review summary on the end date, and the
closing note with the next cohort one click away. Counts only, never what anyone wrote."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.ids import Action
from bot.views.blocks import Block, actions, button, context, count, section

Rendered = tuple[str, list[Block]]


def review_summary(p: dict[str, Any]) -> Rendered:
    closes = date.fromisoformat(p["review_closes"]).strftime("%a %d %b")
    text = f"{p['programme']} has reached its end date: the end-of-programme review is open."
    figures = (
        f"*Who took part:* {count(p['mentors'], 'mentor')} and {count(p['mentees'], 'mentee')}\n"
        f"*Pairs that agreed a contract:* {p['pairs']}\n"
        f"*Sessions held:* {p['held']} of {p['planned']} planned"
    )
    stories = p.get("stories", 0)
    blocks = [
        section(
            f"*{text}*\nEveryone is asked to re-rate the objectives and say what they "
            f"took back to the organisation; the review closes on {closes}."
        ),
        section(figures),
    ]
    if stories:
        blocks.append(
            section(
                f"{count(stories, 'success story', 'success stories')} waiting for you: "
                "`/mentoring-admin stories`."
            )
        )
    blocks.append(
        context(
            f"The full report: `/mentoring-admin report {p['programme']}`. Survey answers "
            "appear only as totals over enough people."
        )
    )
    return text, blocks


def programme_closed(p: dict[str, Any]) -> Rendered:
    text = (
        f"{p['programme']} is closed: its review is over and its pairs are no longer nudged. "
        "Thank you for running it."
    )
    return text, [
        section(text),
        actions(
            button(
                "Start the next cohort",
                Action.CLONE_PROGRAMME,
                str(p["programme_id"]),
                style="primary",
            )
        ),
        context("The next cohort starts as a draft with this programme's settings and leads."),
    ]
