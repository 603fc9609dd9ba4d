"""What the executive sponsor sees: the monthly digest and the final figures, in the lead's
report's own words and figures (survey figures only over its minimum of answers, never a name),
with a button to ask the leads for more; and what the leads and the sponsor are told when they
press it. Pure: plain values in, blocks out."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.ids import Action
from bot.models import RatingPhase
from bot.services.reports import Recommend, Uplift
from bot.services.sponsors import Asked
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, code, join, mention, mrkdwn
from bot.views.report import percent, recommend_text, uplift_text

Rendered = tuple[Mrkdwn, list[Block]]


def monthly_digest(p: dict[str, Any]) -> Rendered:
    month = date.fromisoformat(f"{p['period']}-01")
    text = mrkdwn(
        "{programme} in {month:%B %Y}: your monthly digest as its executive sponsor.",
        programme=p["programme"],
        month=month,
    )
    return text, _digest(p, f"{p['programme']}: {month:%B %Y}", text)


def final_digest(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "{programme} has closed: its final figures, for you as its executive sponsor.",
        programme=p["programme"],
    )
    return text, _digest(p, f"{p['programme']}: the final figures", text)


def _digest(p: dict[str, Any], title: str, text: Mrkdwn) -> list[Block]:
    figures = mrkdwn(
        "*Sign-ups:* {mentors} and {mentees}\n"
        "*Match rate:* {match} of people are in a pair\n"
        "*Chemistry meetings:* {chemistry} said go ({decided} decided)\n"
        "*Sessions:* {held} held of {planned} planned",
        mentors=blocks.count(p["mentors"], "mentor"),
        mentees=blocks.count(p["mentees"], "mentee"),
        match=percent(p["match_rate"]),
        chemistry=percent(p["chemistry_rate"]),
        decided=p["chemistry_decided"],
        held=p["held"],
        planned=p["planned"],
    )
    recommend = Recommend(**p["recommend"])
    leads = join(", ", (mention(lead) for lead in p["leads"])) or "none"
    return [
        blocks.header(title),
        blocks.section(text),
        blocks.section(figures),
        blocks.divider(),
        blocks.section(uplift_text([_uplift(u) for u in p["uplift"]])),
        blocks.section(
            recommend_text(recommend)
            if recommend.respondents
            else mrkdwn("*Would recommend:* asked in the end review")
        ),
        blocks.context(
            mrkdwn(
                "Counts and averages only: survey figures appear over at least {minimum} "
                "answers, and nobody is named. The programme's leads: {leads}.",
                minimum=p["minimum"],
                leads=leads,
            )
        ),
        blocks.actions(
            blocks.button("Ask the leads for more", Action.ASK_LEADS, str(p["programme_id"]))
        ),
    ]


def _uplift(u: dict[str, Any]) -> Uplift:
    return Uplift(**{**u, "phase": RatingPhase(u["phase"])})


def sponsor_asked(p: dict[str, Any]) -> Rendered:
    """To each lead: the sponsor would like more than the digest."""
    text = mrkdwn(
        "{sponsor}, the executive sponsor of {programme}, would like to hear more than the "
        "digest. Reply to them directly.",
        sponsor=mention(p["sponsor_id"]),
        programme=p["programme"],
    )
    return text, [
        blocks.section(text),
        blocks.context(
            mrkdwn(
                "The figures they have are the report's: {command}. Share counts and "
                "averages; what pairs wrote and who answered what stay private.",
                command=code(f"/mentoring-admin report {p['programme']}"),
            )
        ),
    ]


def asked(done: Asked) -> Mrkdwn:
    """To the sponsor, once they pressed: who was told, and whether it was just now."""
    leads = join(", ", (mention(lead) for lead in done.lead_ids))
    if done.already:
        return mrkdwn(
            "The leads of {programme} ({leads}) already know you would like more this month; "
            "they will be in touch.",
            programme=done.programme,
            leads=leads,
        )
    return mrkdwn(
        "Done: the leads of {programme} ({leads}) know you would like more, and will be in touch.",
        programme=done.programme,
        leads=leads,
    )
