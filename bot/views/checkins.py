"""Check-ins as the pair sees them: the form, the session in their DM, ratings, actions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.ids import Action, Field, View, keyed
from bot.models import Medium
from bot.services.checkins import ACTION_ROWS, ActionView, Logged, action_fields
from bot.services.pairs import Member, PairFacts
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import MEDIUM_LABELS, MEDIUM_OPTIONS, which_one
from bot.views.mrkdwn import Mrkdwn, join, mention, mrkdwn
from bot.views.when import slack_date, slot_hint, slot_options

USEFULNESS = [
    ("1 – not useful", "1"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5 – very useful", "5"),
]
GROW_LABELS = {
    Field.GOAL: "Goal: what did you want from this session?",
    Field.REALITY: "Reality: where do things stand?",
    Field.OPTIONS: "Options: what could you try?",
    Field.WILL: "Will: what will you do?",
}
SHOWN_ACTIONS = 20


def choose_pair(pairs: Sequence[PairFacts], user_id: str) -> list[Block]:
    return which_one(
        "You're in several pairs. Which session are you logging?",
        Action.LOG_SESSION,
        ((f"With {p.other(user_id).name[:40]}", p.id) for p in pairs),
    )


def checkin_modal(
    pair: PairFacts,
    user_id: str,
    *,
    topics: Sequence[str],
    today: date,
    minutes: int,
    medium: Medium,
    suggested: Sequence[datetime] = (),
) -> Block:
    partner = pair.other(user_id)
    body = [
        blocks.section(
            mrkdwn(
                "Your session with *{name}*. Notes are shared with the two of "
                "you only; the programme lead sees that a session happened, its length and the "
                "rating, never what you wrote.",
                name=partner.name,
            )
        ),
        *_session_facts(topics, today=today, minutes=minutes, medium=medium),
        *_notes(),
        *_action_rows(partner),
        *_next_session(pair, user_id, suggested),
    ]
    return blocks.modal(
        View.CHECKIN, "Log a session", body, submit="Save", private_metadata=str(pair.id)
    )


def _next_session(pair: PairFacts, user_id: str, suggested: Sequence[datetime]) -> list[Block]:
    """Times that suit both to pick from, and a time of one's own, which wins if given."""
    if not suggested:
        return [
            blocks.input_block(
                Field.NEXT_SESSION,
                "Next session",
                {"type": "datetimepicker"},
                optional=True,
                hint="Each of you gets a reminder the day before, and a calendar file.",
            )
        ]
    partner, me = pair.other(user_id), pair.member(user_id)
    return [
        blocks.input_block(
            Field.SUGGESTED_SESSION,
            "Next session: times that suit you both",
            blocks.radio_buttons(slot_options(suggested, partner.name, partner.tz)),
            optional=True,
            hint=slot_hint(me.tz if me else None),
        ),
        blocks.input_block(
            Field.NEXT_SESSION,
            "Or a time of your own",
            {"type": "datetimepicker"},
            optional=True,
            hint="Yours wins over a time picked above. Each of you gets a reminder the day "
            "before, and a calendar file.",
        ),
    ]


def _session_facts(
    topics: Sequence[str], *, today: date, minutes: int, medium: Medium
) -> list[Block]:
    """When, how long and how the pair met, what they covered, and how useful it was."""
    shown = [
        blocks.input_block(Field.HELD_ON, "When", blocks.date_picker(today)),
        blocks.input_block(
            Field.MINUTES, "Minutes", blocks.number_input(initial=minutes, low=5, high=480)
        ),
        blocks.input_block(
            Field.AGREED_MEDIUM,
            "How you met",
            blocks.static_select(MEDIUM_OPTIONS, initial=medium.value),
        ),
    ]
    if topics:
        shown.append(
            blocks.input_block(
                Field.TOPICS,
                "Topics",
                blocks.multi_select(blocks.options((t, t) for t in topics[:100])),
                optional=True,
            )
        )
    return [
        *shown,
        blocks.input_block(
            Field.OTHER_TOPICS,
            "Other topics",
            blocks.text_input(placeholder="Comma separated", max_length=300),
            optional=True,
        ),
        blocks.input_block(
            Field.USEFULNESS,
            "How useful was it for you?",
            blocks.radio_buttons(blocks.options(USEFULNESS)),
        ),
    ]


def _notes() -> list[Block]:
    """The GROW notes the pair shares, and the note only its writer sees."""
    notes = [
        blocks.input_block(
            field, label, blocks.text_input(multiline=True, max_length=2000), optional=True
        )
        for field, label in GROW_LABELS.items()
    ]
    return [
        *notes,
        blocks.input_block(
            Field.PRIVATE_NOTE,
            "Private note",
            blocks.text_input(multiline=True, max_length=2000),
            optional=True,
            hint="Only you will ever see this.",
        ),
    ]


def _action_rows(partner: Member) -> list[Block]:
    owners = [blocks.option("Me", "me"), blocks.option(partner.name[:60], "partner")]
    shown: list[Block] = []
    for row in range(ACTION_ROWS):
        text_field, owner_field, due_field, org_field = action_fields(row)
        shown += [
            blocks.input_block(
                text_field, f"Action {row + 1}", blocks.text_input(max_length=300), optional=True
            ),
            blocks.input_block(
                owner_field, "Who does it", blocks.static_select(owners), optional=True
            ),
            blocks.input_block(due_field, "Due", blocks.date_picker(), optional=True),
            blocks.input_block(
                org_field,
                " ",
                blocks.checkboxes([blocks.option("Take back to the organisation", "org")]),
                optional=True,
            ),
        ]
    return shown


def _action_line(text: str, owner: str, due: date | None, for_org: bool) -> Mrkdwn:
    parts = [mrkdwn("• {text} — {owner}", text=text, owner=owner)]
    if due:
        parts.append(mrkdwn("by {due:%d %b}", due=due))
    if for_org:
        parts.append(mrkdwn("(to take back to the organisation)"))
    return join(" ", parts)


def logged_message(logged: Logged, *, now: datetime) -> tuple[Mrkdwn, list[Block]]:
    """The session as the pair sees it; a next session whose time has passed is not "next"."""
    verb = "logged" if logged.created else "updated"
    text = mrkdwn(
        "{name} {verb} your session of {day:%a %d %b}.",
        name=logged.logger.name,
        verb=verb,
        day=logged.held_on,
    )
    lines = [
        mrkdwn(
            "{who} {verb} your session of *{day:%a %d %b}*: {minutes} minutes, {medium}.",
            who=mention(logged.logger.user_id),
            verb=verb,
            day=logged.held_on,
            minutes=logged.minutes,
            medium=MEDIUM_LABELS[logged.medium].lower(),
        )
    ]
    if logged.topics:
        lines.append(mrkdwn("Topics: {topics}", topics=", ".join(logged.topics)))
    shown = [blocks.section(join("\n", lines))]
    notes = [
        mrkdwn("*{name}:* {value}", name=name.title(), value=value)
        for name, value in logged.grow.items()
        if value
    ]
    if notes:
        shown.append(blocks.section(join("\n", notes)))
    if logged.actions:
        shown.append(
            blocks.section(
                mrkdwn(
                    "*Actions*\n{lines}",
                    lines=join("\n", (_action_line(*a) for a in logged.actions)),
                )
            )
        )
    if logged.next_session_at and logged.next_session_at > now:
        shown.append(
            blocks.context(mrkdwn("Next session: {at}", at=slack_date(logged.next_session_at)))
        )
    else:
        shown.append(
            blocks.context(
                "No next session is booked yet: agree one together, and set it when you log "
                "a session so that each of you gets a reminder the day before."
            )
        )
    return text, shown


def rate_prompt(logged: Logged) -> tuple[Mrkdwn, list[Block]]:
    text = mrkdwn(
        "{name} logged your session of {day:%a %d %b}.",
        name=logged.logger.name,
        day=logged.held_on,
    )
    return text, [
        blocks.section(
            mrkdwn(
                "{text} How useful was it for you? Only the rating reaches the programme lead.",
                text=text,
            )
        ),
        blocks.actions(
            *[
                blocks.button(
                    label.split(" ")[0],
                    keyed(Action.RATE_SESSION, value),
                    f"{logged.session_id}:{value}",
                )
                for label, value in USEFULNESS
            ]
        ),
    ]


def next_session_reminder(pair: PairFacts, member: Member, at_token: Mrkdwn) -> Mrkdwn:
    return mrkdwn(
        "Reminder: your next mentoring session with {name} is {at}.",
        name=pair.other(member.user_id).name,
        at=at_token,
    )


def actions_message(
    mine: Sequence[ActionView],
    theirs: Sequence[ActionView],
    *,
    today: date,
    partner: Member | None,
) -> list[Block]:
    shown: list[Block] = [blocks.header("Your actions")]
    if not mine:
        shown.append(blocks.section("You have no open actions."))
    for action in mine[:SHOWN_ACTIONS]:
        late = " ⚠️ overdue" if action.overdue(today) else ""
        due = f" · due {action.due_on:%d %b}" if action.due_on else ""
        org = " · for the organisation" if action.for_organisation else ""
        shown.append(
            blocks.section(
                mrkdwn("{text}{due}{org}{late}", text=action.text, due=due, org=org, late=late)
            )
        )
        shown.append(
            blocks.actions(
                blocks.button(
                    "Done", keyed(Action.ACTION_DONE, action.id), str(action.id), style="primary"
                ),
                blocks.button("Drop", keyed(Action.ACTION_DROP, action.id), str(action.id)),
            )
        )
    if len(mine) > SHOWN_ACTIONS:
        shown.append(blocks.context(mrkdwn("…and {more} more.", more=len(mine) - SHOWN_ACTIONS)))
    if partner is not None and theirs:
        shown += [
            blocks.divider(),
            blocks.section(
                mrkdwn(
                    "*{name}'s open actions, to review together*\n{lines}",
                    name=partner.name,
                    lines=join(
                        "\n",
                        (
                            _action_line(a.text, a.owner.name, a.due_on, a.for_organisation)
                            for a in theirs[:SHOWN_ACTIONS]
                        ),
                    ),
                )
            ),
        ]
    return shown
