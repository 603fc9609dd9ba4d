"""The scheduler's nudges and the lead's alert: kind words, one clear next step each."""

from __future__ import annotations

from typing import Any

from bot.ids import Action, keyed
from bot.views.blocks import Block, actions, button, context, plain, section

Rendered = tuple[str, list[Block]]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _log_button(pair_id: int) -> Block:
    return button(
        "Log a session", keyed(Action.LOG_SESSION, pair_id), str(pair_id), style="primary"
    )


def nudge_pair(p: dict[str, Any]) -> Rendered:
    text = (
        f"It has been {_days(p['days'])} since you and {p['partner']} last met. "
        "A short session now keeps the momentum going: pick a time together, and log it "
        "here once you have met."
    )
    return text, [
        section(text),
        actions(_log_button(p["pair_id"])),
        context(f"{p['programme']} · you will hear from me at most a few times a week."),
    ]


def nudge_mentee(p: dict[str, Any]) -> Rendered:
    text = (
        f"{p['partner']} and you have not met for {_days(p['days'])}. Diaries fill up fast; "
        f"could you offer {p['partner']} two or three times this week? Your mentor is "
        "waiting to hear from you."
    )
    return text, [section(text), actions(_log_button(p["pair_id"])), context(p["programme"])]


def lead_alert(p: dict[str, Any]) -> Rendered:
    pair_id = str(p["pair_id"])
    text = (
        f"*{p['mentor']}* (mentor) and *{p['mentee']}* (mentee) have not logged a session for "
        f"{_days(p['days'])}. Sessions held: {p['held']} of {p['planned']} planned. Both have "
        "been nudged. You can pause the pair, end it, or end it and match both again."
    )
    end = {
        **button("End pair", keyed(Action.END_PAIR, pair_id), pair_id),
        "confirm": {
            "title": plain("End this pair?"),
            "text": plain("Both are told the pairing has ended and go back to the pool."),
            "confirm": plain("End it"),
            "deny": plain("Keep it"),
        },
    }
    return f"At risk: {p['mentor']} and {p['mentee']}", [
        section(text),
        actions(
            button("Pause", keyed(Action.PAUSE_PAIR, pair_id), pair_id),
            end,
            button("End and re-match", keyed(Action.REMATCH_PAIR, pair_id), pair_id),
        ),
        context(f"{p['programme']} · what the pair discussed stays with them."),
    ]


def chemistry_request(p: dict[str, Any]) -> Rendered:
    text = (
        f"You and {p['partner']} have not arranged your chemistry meeting yet. It is a "
        "relaxed 30 minutes to see whether you click: propose a few times in your group "
        "message with me."
    )
    return text, [section(text), context(p["programme"])]


def chemistry_answer(p: dict[str, Any]) -> Rendered:
    text = (
        f"{p['partner']} proposed times for your chemistry meeting and is waiting for your "
        "answer: pick one in your group message, or offer other times."
    )
    return text, [section(text), context(p["programme"])]


def decision(p: dict[str, Any]) -> Rendered:
    text = (
        f"How did your chemistry meeting with {p['partner']} go? Your answer (Go or Not for "
        "me) is private; it is in our messages, a little further up."
    )
    return text, [section(text), context(p["programme"])]


def agreement_none(p: dict[str, Any]) -> Rendered:
    text = (
        f"You and {p['partner']} are paired: the next step is your agreement (how often you "
        "meet, for how long, and what each of you wants from it)."
    )
    return text, [
        section(text),
        actions(
            button(
                "Set up our agreement",
                keyed(Action.AGREEMENT_OPEN, p["pair_id"]),
                str(p["pair_id"]),
                style="primary",
            )
        ),
        context(p["programme"]),
    ]


def agreement_unsigned(p: dict[str, Any]) -> Rendered:
    text = (
        f"{p['partner']} proposed your agreement and is waiting for you to confirm it, or to "
        "suggest changes, in your group message."
    )
    return text, [section(text), context(p["programme"])]


def paused_for_lead(mentor: str, mentee: str, pair_id: int, lead_id: str) -> Rendered:
    text = (
        f"<@{lead_id}> paused the pair of *{mentor}* and *{mentee}*: no nudges, alerts or "
        "surveys reach them until it is resumed."
    )
    return f"Paused: {mentor} and {mentee}", [
        section(text),
        actions(button("Resume", keyed(Action.RESUME_PAIR, pair_id), str(pair_id))),
    ]


def resumed_for_lead(mentor: str, mentee: str, lead_id: str) -> str:
    return (
        f"<@{lead_id}> resumed the pair of *{mentor}* and *{mentee}*: reminders count from today."
    )


def pair_paused(partner: str, programme: str) -> str:
    return (
        f"Your pairing with {partner} in {programme} is paused by the programme lead, so I "
        "will not send reminders about it for now. You can still log sessions."
    )


def pair_resumed(partner: str, programme: str) -> str:
    return f"Your pairing with {partner} in {programme} is running again. Enjoy your next session!"


def pause_over(p: dict[str, Any]) -> Rendered:
    text = (
        f"Your pause with {p['partner']} is over: welcome back. A first session soon picks up "
        "where you left off; log it here once you have met."
    )
    return text, [section(text), actions(_log_button(p["pair_id"])), context(p["programme"])]
