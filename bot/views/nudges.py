"""The scheduler's nudges and the lead's alert: kind words, one clear next step each."""

from __future__ import annotations

from typing import Any

from bot.ids import Action, keyed
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, escape, mention, mrkdwn

Rendered = tuple[Mrkdwn, list[Block]]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _programme(p: dict[str, Any]) -> Block:
    return blocks.context(escape(p["programme"]))


def _step(text: Mrkdwn, p: dict[str, Any], *buttons: Block) -> Rendered:
    """A nudge towards the pair's next step: the words, the step's button if it has one here,
    and the programme it is about."""
    shown = [blocks.section(text)]
    if buttons:
        shown.append(blocks.actions(*buttons))
    return text, [*shown, _programme(p)]


def _log_button(pair_id: int) -> Block:
    return blocks.button(
        "Log a session", keyed(Action.LOG_SESSION, pair_id), str(pair_id), style="primary"
    )


def nudge_pair(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "It has been {days} since you and {partner} last met. "
        "A short session now keeps the momentum going: pick a time together, and log it "
        "here once you have met.",
        days=_days(p["days"]),
        partner=p["partner"],
    )
    return text, [
        blocks.section(text),
        blocks.actions(_log_button(p["pair_id"])),
        blocks.context(
            mrkdwn(
                "{programme} · you will hear from me at most a few times a week.",
                programme=p["programme"],
            )
        ),
    ]


def nudge_mentee(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "{partner} and you have not met for {days}. Diaries fill up fast; "
        "could you offer {partner} two or three times this week? Your mentor is "
        "waiting to hear from you.",
        partner=p["partner"],
        days=_days(p["days"]),
    )
    return _step(text, p, _log_button(p["pair_id"]))


def lead_alert(p: dict[str, Any]) -> Rendered:
    pair_id = str(p["pair_id"])
    text = mrkdwn(
        "*{mentor}* (mentor) and *{mentee}* (mentee) have not logged a session for "
        "{days}. Sessions held: {held} of {planned} planned. Both have "
        "been nudged. You can pause the pair, end it, or end it and match both again.",
        mentor=p["mentor"],
        mentee=p["mentee"],
        days=_days(p["days"]),
        held=p["held"],
        planned=p["planned"],
    )
    end = blocks.confirmed(
        blocks.button("End pair", keyed(Action.END_PAIR, pair_id), pair_id),
        title="End this pair?",
        text="Both are told the pairing has ended and go back to the pool.",
        confirm="End it",
        deny="Keep it",
    )
    return mrkdwn("At risk: {mentor} and {mentee}", mentor=p["mentor"], mentee=p["mentee"]), [
        blocks.section(text),
        blocks.actions(
            blocks.button("Pause", keyed(Action.PAUSE_PAIR, pair_id), pair_id),
            end,
            blocks.button("End and re-match", keyed(Action.REMATCH_PAIR, pair_id), pair_id),
        ),
        blocks.context(
            mrkdwn(
                "{programme} · what the pair discussed stays with them.", programme=p["programme"]
            )
        ),
    ]


def chemistry_request(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "You and {partner} have not arranged your chemistry meeting yet. It is a "
        "relaxed 30 minutes to see whether you click: propose a few times in your group "
        "message with me.",
        partner=p["partner"],
    )
    return _step(text, p)


def chemistry_answer(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "{partner} proposed times for your chemistry meeting and is waiting for your "
        "answer: pick one in your group message, or offer other times.",
        partner=p["partner"],
    )
    return _step(text, p)


def decision(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "How did your chemistry meeting with {partner} go? Your answer (Go or Not for "
        "me) is private; it is in our messages, a little further up.",
        partner=p["partner"],
    )
    return _step(text, p)


def agreement_none(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "You and {partner} are paired: the next step is your agreement (how often you "
        "meet, for how long, and what each of you wants from it).",
        partner=p["partner"],
    )
    pair_id = p["pair_id"]
    setup = blocks.button(
        "Set up our agreement", keyed(Action.AGREEMENT_OPEN, pair_id), str(pair_id), style="primary"
    )
    return _step(text, p, setup)


def agreement_unsigned(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "{partner} proposed your agreement and is waiting for you to confirm it, or to "
        "suggest changes, in your group message.",
        partner=p["partner"],
    )
    return _step(text, p)


def paused_for_lead(mentor: str, mentee: str, pair_id: int, lead_id: str) -> Rendered:
    text = mrkdwn(
        "{lead} paused the pair of *{mentor}* and *{mentee}*: no nudges, alerts or "
        "surveys reach them until it is resumed.",
        lead=mention(lead_id),
        mentor=mentor,
        mentee=mentee,
    )
    return mrkdwn("Paused: {mentor} and {mentee}", mentor=mentor, mentee=mentee), [
        blocks.section(text),
        blocks.actions(blocks.button("Resume", keyed(Action.RESUME_PAIR, pair_id), str(pair_id))),
    ]


def resumed_for_lead(mentor: str, mentee: str, lead_id: str) -> Mrkdwn:
    return mrkdwn(
        "{lead} resumed the pair of *{mentor}* and *{mentee}*: reminders count from today.",
        lead=mention(lead_id),
        mentor=mentor,
        mentee=mentee,
    )


def pair_paused(partner: str, programme: str) -> Mrkdwn:
    return mrkdwn(
        "Your pairing with {partner} in {programme} is paused by the programme lead, so I "
        "will not send reminders about it for now. You can still log sessions.",
        partner=partner,
        programme=programme,
    )


def pair_resumed(partner: str, programme: str) -> Mrkdwn:
    return mrkdwn(
        "Your pairing with {partner} in {programme} is running again. Enjoy your next session!",
        partner=partner,
        programme=programme,
    )


def pause_over(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "Your pause with {partner} is over: welcome back. A first session soon picks up "
        "where you left off; log it here once you have met.",
        partner=p["partner"],
    )
    return _step(text, p, _log_button(p["pair_id"]))
