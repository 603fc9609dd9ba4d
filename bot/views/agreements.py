"""The pair's agreement: the form, the proposal to confirm, and the summary pinned in their DM."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.models import Scheduler
from bot.services.agreements import AgreementFacts, Terms
from bot.services.pairs import PairFacts
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    date_picker,
    header,
    input_block,
    modal,
    number_input,
    option,
    section,
    static_select,
    text_input,
)
from bot.views.forms import MEDIUM_LABELS, MEDIUM_OPTIONS
from bot.views.mrkdwn import Mrkdwn, mention, mrkdwn

SCHEDULER_OPTIONS = [
    option("The mentee (their diary is fuller)", Scheduler.MENTEE.value),
    option("The mentor", Scheduler.MENTOR.value),
    option("Whoever suggests first", Scheduler.BOTH.value),
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
    blocks: list[Block] = [
        section(
            "How you and your partner will work together. Your partner confirms it, or changes it "
            "and sends it back to you."
        ),
        input_block(
            Field.SESSIONS,
            "Number of sessions",
            number_input(initial=terms.sessions_planned, low=1, high=52),
        ),
        input_block(
            Field.CADENCE,
            "Days between sessions",
            number_input(initial=terms.cadence_days, low=1, high=90),
        ),
        input_block(
            Field.LENGTH,
            "Minutes per session",
            number_input(initial=terms.session_minutes, low=15, high=480),
        ),
        input_block(
            Field.AGREED_MEDIUM,
            "How you'll meet",
            static_select(MEDIUM_OPTIONS, initial=terms.medium.value),
        ),
        input_block(Field.ENDS, "Until", date_picker(terms.ends_on)),
        input_block(
            Field.SCHEDULER,
            "Who arranges the sessions",
            static_select(SCHEDULER_OPTIONS, initial=terms.scheduler.value),
        ),
        input_block(
            Field.MENTOR_GOALS,
            f"{pair.mentor.name[:60]}'s development goals",
            text_input(initial=terms.mentor_goals, multiline=True, max_length=2000),
            optional=True,
        ),
        input_block(
            Field.MENTEE_GOALS,
            f"{pair.mentee.name[:60]}'s development goals",
            text_input(initial=terms.mentee_goals, multiline=True, max_length=2000),
            optional=True,
        ),
    ]
    if ground_rules:
        blocks.append(
            context(mrkdwn("*Ground rules you both accepted:* {rules}", rules=ground_rules))
        )
    return modal(
        View.AGREEMENT,
        "Our agreement",
        blocks,
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
    blocks = []
    for member, goals in (
        (agreement.pair.mentor, agreement.terms.mentor_goals),
        (agreement.pair.mentee, agreement.terms.mentee_goals),
    ):
        if goals:
            blocks.append(
                section(
                    mrkdwn("*{who}'s goals*\n{goals}", who=mention(member.user_id), goals=goals)
                )
            )
    return blocks


def proposal_message(agreement: AgreementFacts) -> tuple[Mrkdwn, list[Block]]:
    other = agreement.pair.other(agreement.proposer.user_id)
    text = mrkdwn(
        "{name} proposed your agreement (version {version}).",
        name=agreement.proposer.name,
        version=agreement.version,
    )
    return text, [
        section(
            mrkdwn(
                "{proposer} proposed your agreement "
                "(version {version}). {other}, confirm it or change it.",
                proposer=mention(agreement.proposer.user_id),
                version=agreement.version,
                other=mention(other.user_id),
            )
        ),
        section(_summary(agreement.terms)),
        *_goals(agreement),
        actions(
            button("Confirm", Action.AGREEMENT_CONFIRM, str(agreement.id), style="primary"),
            button(
                "Change", Action.AGREEMENT_CHANGE, metadata(agreement.pair.id, agreement.version)
            ),
        ),
    ]


def agreed_summary(agreement: AgreementFacts) -> tuple[Mrkdwn, list[Block]]:
    text = mrkdwn("Your agreement (version {version}) is confirmed.", version=agreement.version)
    return text, [
        header("Our mentoring agreement"),
        section(_summary(agreement.terms)),
        *_goals(agreement),
        context(
            mrkdwn(
                "Version {version}, confirmed by both. Either of you can change it; the "
                "other confirms again.",
                version=agreement.version,
            )
        ),
        actions(
            button("Log a session", Action.LOG_SESSION, str(agreement.pair.id), style="primary"),
            button(
                "Change", Action.AGREEMENT_CHANGE, metadata(agreement.pair.id, agreement.version)
            ),
        ),
    ]
