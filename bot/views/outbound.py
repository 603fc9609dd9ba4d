"""Rendering a queued message by its kind, at the moment it is delivered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.services.outbox import Kind
from bot.views import (
    balance,
    choosing,
    nudges,
    preparation,
    programme_end,
    resources,
    socials,
    sponsor,
    surveys,
)
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn

RENDERERS: dict[str, Callable[[dict[str, Any]], tuple[Mrkdwn, list[Block]]]] = {
    Kind.NUDGE_PAIR: nudges.nudge_pair,
    Kind.NUDGE_MENTEE: nudges.nudge_mentee,
    Kind.LEAD_ALERT: nudges.lead_alert,
    Kind.CHEMISTRY_REQUEST: nudges.chemistry_request,
    Kind.CHEMISTRY_ANSWER: nudges.chemistry_answer,
    Kind.DECISION: nudges.decision,
    Kind.AGREEMENT_NONE: nudges.agreement_none,
    Kind.AGREEMENT_UNSIGNED: nudges.agreement_unsigned,
    Kind.SURVEY: surveys.invitation,
    Kind.SURVEY_REMINDER: surveys.reminder,
    Kind.REVIEW_SUMMARY: programme_end.review_summary,
    Kind.PROGRAMME_CLOSED: programme_end.programme_closed,
    Kind.RESOURCE: resources.posted,
    Kind.STARTER_SET: resources.starter,
    Kind.LESSON: preparation.lesson,
    Kind.PREPARATION_REMINDER: preparation.preparation_reminder,
    Kind.PAUSE_OVER: nudges.pause_over,
    Kind.CHOOSE: choosing.choose,
    Kind.MENTOR_REQUEST: choosing.mentor_request,
    Kind.CHOICE_ACCEPTED: choosing.choice_accepted,
    Kind.CHOOSING_CLOSED: choosing.choosing_closed,
    Kind.STILL_CHOOSING: choosing.still_choosing,
    Kind.BALANCE_QUESTION: balance.question,
    Kind.DRIFT_TIP: balance.drift_tip,
    Kind.DRIFT_ROLES: balance.drift_roles,
    Kind.SPONSOR_DIGEST: sponsor.monthly_digest,
    Kind.SPONSOR_SUMMARY: sponsor.final_digest,
    Kind.SPONSOR_ASKED: sponsor.sponsor_asked,
    Kind.SOCIAL_INVITE: socials.invitation,
    Kind.SOCIAL_CHANGED: socials.changed,
    Kind.SOCIAL_CANCELLED: socials.cancelled,
    Kind.SOCIAL_REMINDER: socials.reminder,
}


class UnknownKind(ValueError):
    pass


def render(kind: str, params: dict[str, Any]) -> tuple[Mrkdwn, list[Block]]:
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise UnknownKind(f"no view for messages of kind {kind!r}")
    return renderer(params)
