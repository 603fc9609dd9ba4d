"""Balance as each person sees it, in their own DM: the one-tap question after a session, and
when a pair drifts back to the hierarchy, the mentor's coaching tip and the mentee's reminder
of the reverse roles. Each is for its reader alone, and none says who answered what."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.ids import Action, keyed
from bot.models import Role, Taught
from bot.services.balance import Answered
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, escape, mrkdwn

Rendered = tuple[Mrkdwn, list[Block]]

# The answers in each reader's own words: "me" is the mentor to a mentor, the mentee to a mentee.
CHOICES = {
    Role.MENTOR: (("Mostly me", Taught.MENTOR), ("My mentee", Taught.MENTEE)),
    Role.MENTEE: (("My mentor", Taught.MENTOR), ("Mostly me", Taught.MENTEE)),
}
EVEN = ("About even", Taught.EVEN)


def _choices(role: Role) -> tuple[tuple[str, Taught], ...]:
    return (*CHOICES[role], EVEN)


def _question(
    *,
    session_id: int,
    participant_id: int,
    role: Role,
    partner: str,
    held_on: date,
    programme: str,
    taught: Taught | None = None,
) -> Rendered:
    text = mrkdwn(
        "Who did most of the teaching in your session of {day:%a %d %b} with {partner}?",
        day=held_on,
        partner=partner,
    )
    buttons = [
        blocks.button(
            label,
            keyed(Action.BALANCE_ANSWER, value.value),
            f"{session_id}:{participant_id}:{value.value}",
            style="primary" if value == taught else None,
        )
        for label, value in _choices(role)
    ]
    if taught is None:
        note = mrkdwn(
            "Only you see your answer: never {partner}, never the programme lead. In reverse "
            "mentoring the mentor does most of the teaching; if two sessions in a row lean "
            "the other way, you'll each get a short tip.",
            partner=partner,
        )
    else:
        label = next(label for label, value in _choices(role) if value == taught)
        note = mrkdwn(
            "Your answer: *{label}*. You can change it until your next session is logged.",
            label=label,
        )
    return text, [
        blocks.section(mrkdwn("*{text}*", text=text)),
        blocks.actions(*buttons),
        blocks.context(note),
        blocks.context(escape(programme)),
    ]


def question(p: dict[str, Any]) -> Rendered:
    """The question as the outbox sends it, after a session is logged."""
    return _question(
        session_id=int(p["session_id"]),
        participant_id=int(p["participant_id"]),
        role=Role(p["role"]),
        partner=p["partner"],
        held_on=date.fromisoformat(p["held_on"]),
        programme=p["programme"],
    )


def answered(done: Answered) -> Rendered:
    """The question again in its place, with the answer given, still changeable."""
    return _question(
        session_id=done.session_id,
        participant_id=done.participant_id,
        role=done.role,
        partner=done.partner,
        held_on=done.held_on,
        programme=done.programme,
        taught=done.taught,
    )


def drift_tip(p: dict[str, Any]) -> Rendered:
    """To the mentor: a coaching tip, practical and kind."""
    partner = p["partner"]
    text = mrkdwn("A coaching tip for your sessions with {partner}", partner=partner)
    body = mrkdwn(
        "*{text}*\nYour last two sessions leaned towards {partner} doing most of the teaching. "
        "That happens a lot: senior people are used to leading the room, and a polite mentor "
        "lets them. Some things that turn it round:\n"
        "• Open next time with “Can I show you how I do this?” and show it on your screen or "
        "phone: doing beats describing.\n"
        "• Bring one thing you use every day that {partner} doesn't, and ask them to try it "
        "while you watch.\n"
        "• When the talk drifts to {partner}'s world, steer back kindly: “That's useful. "
        "Here's how it looks from where I sit.”\n"
        "You are the mentor here: {partner} signed up to learn from you.",
        text=text,
        partner=partner,
    )
    return text, _private(body, partner, p["programme"], "tip")


def drift_roles(p: dict[str, Any]) -> Rendered:
    """To the mentee: a reminder of the reverse roles."""
    partner = p["partner"]
    text = mrkdwn("A reminder of the roles in your sessions with {partner}", partner=partner)
    body = mrkdwn(
        "*{text}*\nYour last two sessions leaned towards you doing most of the teaching. It is "
        "an easy habit for experienced people, and often a generous one, but here {partner} "
        "is the mentor and you are the one learning. Next time, try:\n"
        "• Ask {partner} to show you, not tell you, how they do something you don't.\n"
        "• Bring more questions than stories, and ask “How would you do it?” before saying "
        "how you would.\n"
        "• Let a pause sit: {partner} may be working out how to say something candid.",
        text=text,
        partner=partner,
    )
    return text, _private(body, partner, p["programme"], "reminder")


def _private(body: Mrkdwn, partner: str, programme: str, what: str) -> list[Block]:
    return [
        blocks.section(body),
        blocks.context(
            mrkdwn(
                "{programme} · only you get this {what}: not {partner}, not the programme lead.",
                programme=programme,
                what=what,
                partner=partner,
            )
        ),
    ]
