"""Mentee-led choice: a mentee's invitation and suggestions, a mentor's request to answer, and
what leads see of who is still without a partner. Suggestions show only what a mentor chose
to write at sign-up and the engine's reasons: never a grade, a line manager or a score."""

from __future__ import annotations

from typing import Any

from bot.ids import Action, keyed
from bot.models import MatchingMode
from bot.services.matching.choosing import (
    Answered,
    Closed,
    Requested,
    Shortlist,
    Standing,
    Suggestion,
)
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, escape, join, mrkdwn

Rendered = tuple[Mrkdwn, list[Block]]
NAMES_SHOWN = 20  # names of mentees without a partner a lead is shown at once


def _days(n: int) -> str:
    return blocks.count(n, "day")


def _see_button(programme_id: int, label: str = "See my suggestions") -> Block:
    return blocks.button(label, Action.SEE_SUGGESTIONS, str(programme_id), style="primary")


def choose(p: dict[str, Any]) -> Rendered:
    """To a mentee when enrolment closes, and again after a request did not lead to a pair
    (a mentor's "no" and a lapsed request read the same)."""
    if p.get("again"):
        text = mrkdwn(
            "Your request in *{programme}* didn't lead to a pair this time. That happens for "
            "many reasons (places, timing), none of them about you. Your suggestions are ready "
            "again whenever you are.",
            programme=p["programme"],
        )
    else:
        leave_it = (
            " Or leave it to your programme lead, who matches everyone who has not chosen."
            if p.get("mode") == MatchingMode.BOTH
            else ""
        )
        text = mrkdwn(
            "*Choose your mentor for {programme}.* Enrolment has closed, and you can pick "
            "your reverse mentor: we suggest the colleagues who fit the programme best, and "
            "why. Ask one; they answer privately within {days}.{leave_it}",
            programme=p["programme"],
            days=_days(int(p.get("days") or 3)),
            leave_it=leave_it,
        )
    return text, [blocks.section(text), blocks.actions(_see_button(int(p["programme_id"])))]


def _suggestion(suggestion: Suggestion, mentee_id: int) -> list[Block]:
    lines = [
        mrkdwn("*{name}*", name=suggestion.name),
        mrkdwn("Offers: {topics}", topics=", ".join(suggestion.topics) or "an open mind"),
    ]
    if suggestion.skills:
        lines.append(mrkdwn("Skills: {skills}", skills=suggestion.skills))
    if suggestion.goals:
        lines.append(mrkdwn(">{goals}", goals=" ".join(suggestion.goals.split())))
    ask = blocks.confirmed(
        blocks.button(
            f"Ask {suggestion.name}",
            keyed(Action.REQUEST_MENTOR, suggestion.mentor_id),
            f"{suggestion.mentor_id}:{mentee_id}",
        ),
        title="Ask this mentor?",
        text="They are asked privately, and we tell you their answer.",
        confirm="Ask",
        deny="Not yet",
    )
    why = join("; ", suggestion.reasons) or escape("they fit the programme's rules")
    return [
        blocks.section(join("\n", lines), accessory=ask),
        blocks.context(mrkdwn("Why we suggest them: {why}", why=why)),
    ]


def shortlist_message(shortlist: Shortlist, note: Mrkdwn | None = None) -> Rendered:
    """A mentee's suggestions (or the request they wait on), shown in place of the message
    whose button they pressed; `note` goes first (a place that was just taken)."""
    shown: list[Block] = [blocks.section(note)] if note else []
    if shortlist.agreed_with:
        text = mrkdwn(
            "*{mentor}* accepted your request in *{programme}*. Your programme lead will "
            "introduce you both soon.",
            mentor=shortlist.agreed_with,
            programme=shortlist.programme_name,
        )
        return text, [*shown, blocks.section(text)]
    if shortlist.waiting_for:
        text = mrkdwn(
            "You asked *{mentor}* to be your mentor in *{programme}*. We'll tell you their "
            "answer (they have up to {days}).",
            mentor=shortlist.waiting_for,
            programme=shortlist.programme_name,
            days=_days(shortlist.answer_days),
        )
        return text, [*shown, blocks.section(text)]
    if not shortlist.suggestions:
        text = mrkdwn(
            "No mentor with a free place fits *{programme}*'s rules for you just now. Places "
            "free up as others answer; or your programme lead will match you.",
            programme=shortlist.programme_name,
        )
        refresh = _see_button(shortlist.programme_id, "Look again")
        return text, [*shown, blocks.section(text), blocks.actions(refresh)]
    text = mrkdwn("Your suggested mentors in {programme}", programme=shortlist.programme_name)
    shown += [
        blocks.header(f"Your suggested mentors: {shortlist.programme_name}"),
        blocks.context(
            "Best fit first. Each one offered this at sign-up. Ask one: they answer privately."
        ),
    ]
    for suggestion in shortlist.suggestions:
        shown += _suggestion(suggestion, shortlist.mentee_id)
    return text, shown


def mentor_taken(name: str) -> Mrkdwn:
    return mrkdwn(
        "Someone asked *{mentor}* a moment before you, and that was their last free place. "
        "Here are your suggestions as they stand now.",
        mentor=name,
    )


def requested(done: Requested) -> Mrkdwn:
    return mrkdwn(
        "You asked *{mentor}* to be your mentor in *{programme}*. We'll tell you their answer "
        "(they have up to {days}).",
        mentor=done.mentor_name,
        programme=done.programme_name,
        days=_days(done.answer_days),
    )


def mentor_request(p: dict[str, Any]) -> Rendered:
    """To the mentor a mentee asked: the mentee's topics and the engine's reasons."""
    request = str(p["request_id"])
    text = mrkdwn(
        "*{mentee}* would like you as their reverse mentor in *{programme}*.",
        mentee=p["mentee"],
        programme=p["programme"],
    )
    details = mrkdwn(
        "They want to explore: {topics}\nWhy the match suggests you: {why}",
        topics=", ".join(p.get("topics") or []) or "anything you bring",
        why=join("; ", p.get("reasons") or []) or escape("you fit the programme's rules"),
    )
    return text, [
        blocks.section(text),
        blocks.section(details),
        blocks.actions(
            blocks.button("Accept", Action.ACCEPT_REQUEST, request, style="primary"),
            blocks.button("Decline", Action.DECLINE_REQUEST, request),
        ),
        blocks.context(
            mrkdwn(
                "Please answer within {days}. Your answer is private: if you decline, they "
                "are simply offered other suggestions, never told who declined.",
                days=_days(int(p.get("days") or 3)),
            )
        ),
    ]


def answered(done: Answered) -> Mrkdwn:
    """To the mentor, in place of the request they answered."""
    if done.accepted:
        return mrkdwn(
            "You accepted *{mentee}*'s request in *{programme}*. Your programme lead will "
            "introduce you both soon.",
            mentee=done.mentee_name,
            programme=done.programme_name,
        )
    return mrkdwn(
        "You declined *{mentee}*'s request in *{programme}*. Nobody will tell them who "
        "declined: they are offered other suggestions.",
        mentee=done.mentee_name,
        programme=done.programme_name,
    )


def choice_accepted(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "*{mentor}* accepted your request in *{programme}*! Your programme lead will introduce "
        "you both soon; a chemistry meeting comes first.",
        mentor=p["mentor"],
        programme=p["programme"],
    )
    return text, [blocks.section(text)]


def choosing_closed(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "Choosing has closed in *{programme}* before *{mentor}* answered, so your request is "
        "withdrawn. Your programme lead is now matching everyone without a partner: you'll "
        "hear soon.",
        programme=p["programme"],
        mentor=p["mentor"],
    )
    return text, [blocks.section(text)]


def _close_button(programme_id: int) -> Block:
    return blocks.confirmed(
        blocks.button(
            "Close choosing and match the rest",
            keyed(Action.CLOSE_CHOOSING, programme_id),
            str(programme_id),
            style="primary",
        ),
        title="Close choosing?",
        text="Agreed choices are kept as pinned pairs; requests still waiting are withdrawn "
        "and those mentees told. Then matching runs for everyone without a partner.",
        confirm="Close and match",
        deny="Not yet",
    )


def _without(names: list[str], more: int) -> Mrkdwn:
    if not names:
        return mrkdwn("Every mentee has a mentor who agreed.")
    listed = join(", ", names)
    extra = mrkdwn(" and {more} more", more=more) if more else ""
    return mrkdwn(
        "Still without a partner ({count}): {names}{extra}.",
        count=len(names) + more,
        names=listed,
        extra=extra,
    )


def still_choosing(p: dict[str, Any]) -> Rendered:
    """To the leads when requests lapse: where choosing stands, names included."""
    text = mrkdwn(
        "*Choosing a mentor in {programme}*: {agreed} agreed with a mentor, {waiting} waiting "
        "for an answer.",
        programme=p["programme"],
        agreed=p["agreed"],
        waiting=p["waiting"],
    )
    return text, [
        blocks.section(text),
        blocks.section(_without(list(p.get("without") or []), int(p.get("more") or 0))),
        blocks.actions(_close_button(int(p["programme_id"]))),
    ]


def standing_message(standing: Standing) -> Rendered:
    """The lead's `/mentoring-admin match` while mentees still choose."""
    shown = NAMES_SHOWN
    names = [name for _, name in standing.without[:shown]]
    text = mrkdwn(
        "Mentees in “{programme}” are still choosing their mentors: {agreed} agreed with a "
        "mentor, {waiting} waiting for an answer.",
        programme=standing.programme_name,
        agreed=standing.agreed,
        waiting=standing.waiting,
    )
    return text, [
        blocks.section(text),
        blocks.section(_without(names, max(len(standing.without) - shown, 0))),
        blocks.actions(_close_button(standing.programme_id)),
    ]


def closed_summary(closed: Closed) -> Mrkdwn:
    withdrawn = (
        mrkdwn(
            "; {requests} still waiting withdrawn (those mentees are told)",
            requests=blocks.count(closed.withdrawn, "request"),
        )
        if closed.withdrawn
        else ""
    )
    return mrkdwn(
        "Choosing is closed in “{programme}”: {agreed} pinned in the matching{withdrawn}. "
        "Matching the rest…",
        programme=closed.programme_name,
        agreed=blocks.count(closed.agreed, "agreed pair"),
        withdrawn=withdrawn,
    )


def invited(programme_name: str, invited: int, answer_days: int) -> Mrkdwn:
    """To the lead who closed enrolment of a programme where mentees choose."""
    return mrkdwn(
        "Enrolment for “{name}” is closed. {mentees} now choosing their mentors from their "
        "suggestions; mentors have {days} to answer each request. Run "
        "`/mentoring-admin match` when you want to match whoever is left.",
        name=programme_name,
        mentees=blocks.count(invited, "mentee is", "mentees are"),
        days=_days(answer_days),
    )
