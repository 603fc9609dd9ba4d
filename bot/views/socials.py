"""Kick-off and socials: the lead's form and the event's message with its counts, and what the
people invited get (the invitation with Going / Not going, a change, a cancellation, the
day-before reminder). What the lead typed (title, place, link) is escaped like any text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.ids import Action, Field, View
from bot.models import Audience, Rsvp, SocialKind
from bot.services.socials import (
    DEFAULT_MINUTES,
    LONGEST,
    MAX_PLACE,
    MAX_TITLE,
    SHORTEST,
    TITLES,
    Counts,
    EventFacts,
)
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, join, link, mrkdwn
from bot.views.when import slack_date

Rendered = tuple[Mrkdwn, list[Block]]
AUDIENCES = {
    Audience.EVERYONE: "Everyone: mentors and mentees",
    Audience.MENTORS: "Mentors",
    Audience.MENTEES: "Mentees",
}


def social_modal(
    programme_id: int, programme: str, *, default_at: datetime, event: EventFacts | None = None
) -> Block:
    """Announce an event (or change one: its audience stays the one invited). The time picker
    shows the lead's own time zone."""
    body = [blocks.context(mrkdwn("For *{programme}*", programme=programme)), *_what(event)]
    body += _when_and_where(event, default_at)
    body += _who(event)
    metadata = f"{programme_id}:{event.id if event else ''}"
    return blocks.modal(
        View.SOCIAL_EVENT,
        "Change the event" if event else "Announce an event",
        body,
        submit="Save" if event else "Announce",
        private_metadata=metadata,
    )


def _what(event: EventFacts | None) -> list[Block]:
    kinds = [blocks.option(label, kind.value) for kind, label in TITLES.items()]
    kinds[-1] = blocks.option("Other social", SocialKind.OTHER.value)
    return [
        blocks.input_block(
            Field.SOCIAL_KIND,
            "What",
            blocks.static_select(kinds, initial=event.kind if event else SocialKind.KICK_OFF),
        ),
        blocks.input_block(
            Field.SOCIAL_TITLE,
            "Title",
            blocks.text_input(
                max_length=MAX_TITLE,
                initial=event.title if event else None,
                placeholder="Leave empty to use the kind's name",
            ),
            optional=True,
        ),
    ]


def _when_and_where(event: EventFacts | None, default_at: datetime) -> list[Block]:
    at = event.starts_at if event else default_at
    return [
        blocks.input_block(
            Field.SOCIAL_WHEN,
            "When",
            {"type": "datetimepicker", "initial_date_time": int(at.timestamp())},
            hint="In your own time zone; each person invited sees it in theirs.",
        ),
        blocks.input_block(
            Field.SOCIAL_LENGTH,
            "Length (minutes)",
            blocks.number_input(
                initial=event.minutes if event else DEFAULT_MINUTES, low=SHORTEST, high=LONGEST
            ),
        ),
        blocks.input_block(
            Field.SOCIAL_PLACE,
            "Where",
            blocks.text_input(
                max_length=MAX_PLACE,
                initial=event.place if event else None,
                placeholder="A room, a building, a café",
            ),
            optional=True,
        ),
        blocks.input_block(
            Field.SOCIAL_LINK,
            "Or a link to join",
            blocks.text_input(initial=event.link if event else None, placeholder="https://…"),
            optional=True,
        ),
    ]


def _who(event: EventFacts | None) -> list[Block]:
    if event is not None:
        return [
            blocks.context(
                mrkdwn(
                    "Invited: {audience}. Those going get the changed calendar file; the "
                    "others are told.",
                    audience=AUDIENCES[event.audience].lower(),
                )
            )
        ]
    audiences = [blocks.option(label, a.value) for a, label in AUDIENCES.items()]
    return [
        blocks.input_block(
            Field.SOCIAL_AUDIENCE,
            "Who is invited",
            blocks.radio_buttons(audiences, initial=Audience.EVERYONE),
        ),
        blocks.context(
            "Each person invited gets a DM with Going / Not going; those going get a "
            "calendar file and a reminder the day before. You see counts, never names."
        ),
    ]


# --- The event as everyone sees it ------------------------------------------------------------


def _where(place: str, url: str | None) -> Mrkdwn:
    lines = []
    if place:
        lines.append(mrkdwn("📍 {place}", place=place))
    if url:
        try:
            lines.append(mrkdwn("🔗 {link}", link=link(url, url)))
        except ValueError:  # not a link Slack would keep: shown, not linked
            lines.append(mrkdwn("🔗 {url}", url=url))
    return join("\n", lines)


def _details(
    title: str, programme: str, starts: datetime, minutes: int, place: str, url: str | None
) -> Mrkdwn:
    head = mrkdwn(
        "*{title}* · {programme}\n🗓️ {at} ({minutes} min)",
        title=title,
        programme=programme,
        at=slack_date(starts),
        minutes=minutes,
    )
    where = _where(place, url)
    return mrkdwn("{head}\n{where}", head=head, where=where) if where else head


def _from_params(p: dict[str, Any]) -> Mrkdwn:
    return _details(
        p["title"],
        p["programme"],
        datetime.fromtimestamp(int(p["starts"]), UTC),
        int(p["minutes"]),
        p.get("place") or "",
        p.get("link"),
    )


def _from_facts(event: EventFacts) -> Mrkdwn:
    return _details(
        event.title, event.programme, event.starts_at, event.minutes, event.place, event.link
    )


def rsvp_buttons(event_id: int) -> Block:
    value = str(event_id)
    return blocks.actions(
        blocks.button("Going", Action.SOCIAL_GOING, value, style="primary"),
        blocks.button("Not going", Action.SOCIAL_NOT_GOING, value),
    )


PRIVATE = "Your answer goes to the programme's leads only as a count, never with your name."


def _asking(text: Mrkdwn, details: Mrkdwn, event_id: int) -> Rendered:
    return text, [
        blocks.section(text),
        blocks.section(details),
        rsvp_buttons(event_id),
        blocks.context(PRIVATE),
    ]


def invitation(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "You're invited: {title} for {programme}. Will you come?",
        title=p["title"],
        programme=p["programme"],
    )
    return _asking(text, _from_params(p), int(p["event_id"]))


def changed(p: dict[str, Any]) -> Rendered:
    text = mrkdwn("Change of plan: {title} has changed. Here it is now.", title=p["title"])
    return _asking(text, _from_params(p), int(p["event_id"]))


def cancelled(p: dict[str, Any]) -> Rendered:
    text = mrkdwn(
        "{title} of {programme}, {at}, is cancelled.",
        title=p["title"],
        programme=p["programme"],
        at=slack_date(datetime.fromtimestamp(int(p["starts"]), UTC)),
    )
    return text, [blocks.section(text)]


def reminder(p: dict[str, Any]) -> Rendered:
    text = mrkdwn("See you there: {title} is coming up.", title=p["title"])
    return text, [
        blocks.section(text),
        blocks.section(_from_params(p)),
        blocks.context("Can't come after all? Say so on the invitation above."),
    ]


ANSWERS = {
    Rsvp.GOING: "✅ You're going: a calendar file is on its way, and a reminder the day before.",
    Rsvp.NOT_GOING: "You're not going. Thanks for letting us know.",
}


def answered(event: EventFacts, answer: Rsvp) -> Rendered:
    """The invitation again, with the answer given; both buttons stay, to change it."""
    text = mrkdwn("{title}: {answer}", title=event.title, answer=ANSWERS[answer])
    return text, [
        blocks.section(mrkdwn("{answer} You can change your mind here.", answer=ANSWERS[answer])),
        blocks.section(_from_facts(event)),
        rsvp_buttons(event.id),
    ]


# --- The lead's message ----------------------------------------------------------------------


def counts_line(counts: Counts) -> Mrkdwn:
    """Counts only, never names; the split only over enough answers."""
    if counts.going is None or counts.not_going is None:
        return mrkdwn(
            "{invited} invited · {answered} answered so far · no answer {no_answer}. "
            "Going and not going show once {minimum} people have answered.",
            invited=counts.invited,
            answered=counts.answered,
            no_answer=counts.no_answer,
            minimum=counts.minimum,
        )
    return mrkdwn(
        "*{going} going* · {not_going} not going · {no_answer} no answer ({invited} invited)",
        going=counts.going,
        not_going=counts.not_going,
        no_answer=counts.no_answer,
        invited=counts.invited,
    )


def lead_message(event: EventFacts, counts: Counts) -> Rendered:
    if event.cancelled:
        text = mrkdwn("Cancelled: {title}", title=event.title)
        return text, [blocks.section(mrkdwn("~{title}~ is cancelled.", title=event.title))]
    text = mrkdwn("Announced: {title}", title=event.title)
    value = str(event.id)
    cancel = blocks.confirmed(
        blocks.button("Cancel the event", Action.SOCIAL_CANCEL, value, style="danger"),
        title="Cancel the event?",
        text="Everyone invited is told, and those going get a file that takes it out of "
        "their calendar.",
        confirm="Cancel it",
        deny="Keep it",
    )
    return text, [
        blocks.section(mrkdwn("{text}\n{counts}", text=text, counts=counts_line(counts))),
        blocks.section(_from_facts(event)),
        blocks.actions(
            blocks.button("Refresh counts", Action.SOCIAL_COUNTS, value),
            blocks.button("Change", Action.SOCIAL_CHANGE, value),
            cancel,
        ),
    ]
