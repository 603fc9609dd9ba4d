"""The pair's agreement: the form, the proposal to confirm, and the summary pinned in their DM."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.models import Scheduler
from bot.services.agreements import AgreementFacts, Terms
from bot.services.pairs import PairFacts
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import MEDIUM_LABELS, MEDIUM_OPTIONS
from bot.views.mrkdwn import Mrkdwn, mention, mrkdwn

SCHEDULER_OPTIONS = [
    blocks.option("The mentee (their diary is fuller)", Scheduler.MENTEE.value),
    blocks.option("The mentor", Scheduler.MENTOR.value),
    blocks.option("Whoever suggests first", Scheduler.BOTH.value),
]
SCHEDULER_WORDS = {
    Scheduler.MENTEE: "the mentee",
    Scheduler.MENTOR: "the mentor",
    Scheduler.BOTH: "whoever suggests first",
}


def metadata(pair_id: int, version: int) -> str:
    return f"{pair_id}:{version}"


def read_metadata(raw: str | None) -> tuple[int, int] | None:
    pair, _, version = (raw or "").partition(":")
    return (int(pair), int(version)) if pair.isdigit() and version.isdigit() else None


def agreement_modal(pair: PairFacts, terms: Terms, *, version: int, ground_rules: str) -> Block:
    body: list[Block] = [
        blocks.section(
            "How you and your partner will work together. Your partner confirms it, or changes it "
            "and sends it back to you."
        ),
        blocks.input_block(
            Field.SESSIONS,
            "Number of sessions",
            blocks.number_input(initial=terms.sessions_planned, low=1, high=52),
        ),
        blocks.input_block(
            Field.CADENCE,
            "Days between sessions",
            blocks.number_input(initial=terms.cadence_days, low=1, high=90),
        ),
        blocks.input_block(
            Field.LENGTH,
            "Minutes per session",
            blocks.number_input(initial=terms.session_minutes, low=15, high=480),
        ),
        blocks.input_block(
            Field.AGREED_MEDIUM,
            "How you'll meet",
            blocks.static_select(MEDIUM_OPTIONS, initial=terms.medium.value),
        ),
        blocks.input_block(Field.ENDS, "Until", blocks.date_picker(terms.ends_on)),
        blocks.input_block(
            Field.SCHEDULER,
            "Who arranges the sessions",
            blocks.static_select(SCHEDULER_OPTIONS, initial=terms.scheduler.value),
        ),
        blocks.input_block(
            Field.MENTOR_GOALS,
            f"{pair.mentor.name[:60]}'s development goals",
            blocks.text_input(initial=terms.mentor_goals, multiline=True, max_length=2000),
            optional=True,
        ),
        blocks.input_block(
            Field.MENTEE_GOALS,
            f"{pair.mentee.name[:60]}'s development goals",
            blocks.text_input(initial=terms.mentee_goals, multiline=True, max_length=2000),
            optional=True,
        ),
    ]
    if ground_rules:
        body.append(
            blocks.context(mrkdwn("*Ground rules you both accepted:* {rules}", rules=ground_rules))
        )
    return blocks.modal(
        View.AGREEMENT,
        "Our agreement",
        body,
        submit="Send to partner",
        private_metadata=metadata(pair.id, version),
    )


def _summary(terms: Terms) -> Mrkdwn:
    return mrkdwn(
        "*{sessions} sessions* of {minutes} minutes, every "
        "{cadence} days, {medium}, until "
        "{ends:%d %b %Y}. Sessions are arranged by {scheduler}.",
        sessions=terms.sessions_planned,
        minutes=terms.session_minutes,
        cadence=terms.cadence_days,
        medium=MEDIUM_LABELS[terms.medium].lower(),
        ends=terms.ends_on,
        scheduler=SCHEDULER_WORDS[terms.scheduler],
    )


def _goals(agreement: AgreementFacts) -> list[Block]:
    shown = []
    for member, goals in (
        (agreement.pair.mentor, agreement.terms.mentor_goals),
        (agreement.pair.mentee, agreement.terms.mentee_goals),
    ):
        if goals:
            shown.append(
                blocks.section(
                    mrkdwn("*{who}'s goals*\n{goals}", who=mention(member.user_id), goals=goals)
                )
            )
    return shown


def proposal_message(agreement: AgreementFacts) -> tuple[Mrkdwn, list[Block]]:
    other = agreement.pair.other(agreement.proposer.user_id)
    text = mrkdwn(
        "{name} proposed your agreement (version {version}).",
        name=agreement.proposer.name,
        version=agreement.version,
    )
    return text, [
        blocks.section(
            mrkdwn(
                "{proposer} proposed your agreement "
                "(version {version}). {other}, confirm it or change it.",
                proposer=mention(agreement.proposer.user_id),
                version=agreement.version,
                other=mention(other.user_id),
            )
        ),
        blocks.section(_summary(agreement.terms)),
        *_goals(agreement),
        blocks.actions(
            blocks.button("Confirm", Action.AGREEMENT_CONFIRM, str(agreement.id), style="primary"),
            blocks.button(
                "Change", Action.AGREEMENT_CHANGE, metadata(agreement.pair.id, agreement.version)
            ),
        ),
    ]


def agreed_summary(agreement: AgreementFacts) -> tuple[Mrkdwn, list[Block]]:
    text = mrkdwn("Your agreement (version {version}) is confirmed.", version=agreement.version)
    return text, [
        blocks.header("Our mentoring agreement"),
        blocks.section(_summary(agreement.terms)),
        *_goals(agreement),
        blocks.context(
            mrkdwn(
                "Version {version}, confirmed by both. Either of you can change it; the "
                "other confirms again.",
                version=agreement.version,
            )
        ),
        blocks.actions(
            blocks.button(
                "Log a session", Action.LOG_SESSION, str(agreement.pair.id), style="primary"
            ),
            blocks.button(
                "Change", Action.AGREEMENT_CHANGE, metadata(agreement.pair.id, agreement.version)
            ),
            blocks.button(
                "Add the series to my calendar", Action.CALENDAR_SERIES, str(agreement.pair.id)
            ),
        ),
    ]
