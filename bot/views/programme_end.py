"""What the leads hear when a programme ends: the review summary on the end date, and the
closing note with the next cohort one click away. Counts only, never what anyone wrote."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.ids import Action
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, code, mrkdwn

Rendered = tuple[Mrkdwn, list[Block]]


def review_summary(p: dict[str, Any]) -> Rendered:
    closes = date.fromisoformat(p["review_closes"]).strftime("%a %d %b")
    text = mrkdwn(
        "{programme} has reached its end date: the end-of-programme review is open.",
        programme=p["programme"],
    )
    figures = mrkdwn(
        "*Who took part:* {mentors} and {mentees}\n"
        "*Pairs that agreed a contract:* {pairs}\n"
        "*Sessions held:* {held} of {planned} planned",
        mentors=blocks.count(p["mentors"], "mentor"),
        mentees=blocks.count(p["mentees"], "mentee"),
        pairs=p["pairs"],
        held=p["held"],
        planned=p["planned"],
    )
    stories = p.get("stories", 0)
    shown = [
        blocks.section(
            mrkdwn(
                "*{text}*\nEveryone is asked to re-rate the objectives and say what they "
                "took back to the organisation; the review closes on {closes}.",
                text=text,
                closes=closes,
            )
        ),
        blocks.section(figures),
    ]
    if stories:
        shown.append(
            blocks.section(
                mrkdwn(
                    "{stories} waiting for you: `/mentoring-admin stories`.",
                    stories=blocks.count(stories, "success story", "success stories"),
                )
            )
        )
    shown.append(
        blocks.context(
            mrkdwn(
                "The full report: {command}. Survey answers "
                "appear only as totals over enough people.",
                command=code(f"/mentoring-admin report {p['programme']}"),
            )
        )
    )
    return text, shown


def programme_closed(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "{programme} is closed: its review is over and its pairs are no longer nudged. "
        "Thank you for running it.",
        programme=p["programme"],
    )
    return text, [
        blocks.section(text),
        blocks.actions(
            blocks.button(
                "Start the next cohort",
                Action.CLONE_PROGRAMME,
                str(p["programme_id"]),
                style="primary",
            )
        ),
        blocks.context(
            "The next cohort starts as a draft with this programme's settings and leads."
        ),
    ]
