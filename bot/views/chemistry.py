"""The chemistry meeting as the pair sees it: proposing times, the agreed time, the reminder,
the private "go" or "not for me", and how it ended."""

from __future__ import annotations

from datetime import datetime

from bot.ids import Action, Field, View, keyed
from bot.services.chemistry import MAX_NOTE, Agreement, Proposal
from bot.services.pairs import Member, PairFacts
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    escape,
    input_block,
    modal,
    section,
    text_input,
)
from bot.views.when import local, slack_date

TIME_FIELDS = (Field.TIME_1, Field.TIME_2, Field.TIME_3)


def _both_local(at: datetime, pair: PairFacts) -> str:
    return " · ".join(f"{escape(m.name)}: {local(at, m.tz)}" for m in pair.members)


def times_modal(pair_id: int, other: Member, *, default: datetime) -> Block:
    """Up to three date-time pickers; Slack shows them in the proposer's own time zone."""
    blocks: list[Block] = [
        section(
            f"Propose up to three times for a 30-minute chemistry meeting with "
            f"*{escape(other.name)}*. They'll see each time in their own time zone."
        )
    ]
    for number, field in enumerate(TIME_FIELDS, start=1):
        element: Block = {"type": "datetimepicker"}
        if number == 1:
            element["initial_date_time"] = int(default.timestamp())
        blocks.append(input_block(field, f"Option {number}", element, optional=number > 1))
    blocks.append(
        input_block(
            Field.NOTE,
            "Where or how to meet",
            text_input(max_length=MAX_NOTE, placeholder="A video link, a room, a coffee place"),
            optional=True,
        )
    )
    return modal(
        View.CHEMISTRY_TIMES,
        "Chemistry meeting",
        blocks,
        submit="Propose",
        private_metadata=str(pair_id),
    )


def proposal_message(proposal: Proposal) -> tuple[str, list[Block]]:
    pair, proposer = proposal.pair, proposal.proposer
    other = pair.other(proposer.user_id)
    text = f"{proposer.name} proposed times for your chemistry meeting."
    blocks: list[Block] = [
        section(
            f"<@{proposer.user_id}> proposed times for your chemistry meeting. "
            f"<@{other.user_id}>, pick the one that suits you, or propose others."
        )
    ]
    if proposal.note:
        blocks.append(context(f"Where: {escape(proposal.note)}"))
    for index, at in enumerate(proposal.options):
        blocks.append(
            section(
                f"*{slack_date(at)}*\n{_both_local(at, pair)}",
                accessory=button(
                    "Accept",
                    keyed(Action.ACCEPT_TIME, index),
                    f"{proposal.meeting_id}:{index}",
                    style="primary",
                ),
            )
        )
    blocks.append(actions(button("Propose other times", Action.OTHER_TIMES, str(pair.id))))
    return text, blocks


def replaced_message() -> tuple[str, list[Block]]:
    text = "These times were replaced by a newer proposal below."
    return text, [context(text)]


def accepted_line(user_id: str, at: datetime) -> tuple[str, list[Block]]:
    text = f"<@{user_id}> accepted {slack_date(at)}."
    return text, [context(text)]


def agreed_message(agreement: Agreement) -> tuple[str, list[Block]]:
    pair, at = agreement.pair, agreement.starts_at
    text = f"Chemistry meeting agreed for {slack_date(at)}."
    blocks: list[Block] = [
        section(
            f"✅ *Chemistry meeting agreed: {slack_date(at)}* (30 minutes)\n{_both_local(at, pair)}"
        )
    ]
    if agreement.note:
        blocks.append(context(f"Where: {escape(agreement.note)}"))
    blocks += [
        context(
            "You'll both get a reminder before it. Afterwards I'll ask each of you privately "
            "whether to go ahead."
        ),
        actions(button("Propose other times", Action.OTHER_TIMES, str(pair.id))),
    ]
    return text, blocks


def reminder_message(agreement: Agreement) -> tuple[str, list[Block]]:
    at = agreement.starts_at
    text = f"Reminder: your chemistry meeting is at {slack_date(at)}."
    where = f"\nWhere: {escape(agreement.note)}" if agreement.note else ""
    return text, [
        section(
            f"⏰ Reminder: your chemistry meeting is *{slack_date(at)}*.{where}\n"
            "A good opener: what each of you hopes to learn, and how you like to work."
        )
    ]


def decision_prompt(pair: PairFacts, member: Member) -> tuple[str, list[Block]]:
    other = pair.other(member.user_id)
    text = f"How was your chemistry meeting with {other.name}?"
    return text, [
        section(
            f"How was your chemistry meeting with *{escape(other.name)}*? Should the two of you "
            "go ahead?\nYour answer is private: it is never shown to them."
        ),
        actions(
            button("Go", Action.GO, str(pair.id), style="primary"),
            button("Not for me", Action.NOT_FOR_ME, str(pair.id)),
        ),
    ]


def not_for_me_modal(pair_id: int, other: Member) -> Block:
    return modal(
        View.NOT_FOR_ME,
        "Not for me",
        [
            section(
                f"Thank you for being honest. The pairing with *{escape(other.name)}* will end, "
                "and they will not learn who decided or why. You'll both go back into the pool."
            ),
            input_block(
                Field.REASON,
                "Anything the programme lead should know?",
                text_input(multiline=True, max_length=MAX_NOTE),
                optional=True,
                hint="Only the programme lead sees this.",
            ),
        ],
        submit="Confirm",
        private_metadata=str(pair_id),
    )


def go_recorded(other: Member, *, confirmed: bool) -> str:
    if confirmed:
        return f"Thank you! You and {other.name} both said go: your pair is confirmed."
    return f"Thank you! We'll let you know once {other.name} has answered too."


def confirmed_message(pair: PairFacts) -> tuple[str, list[Block]]:
    text = (
        f"🎉 <@{pair.mentor.user_id}> and <@{pair.mentee.user_id}>: you both said go, so your "
        "reverse mentoring pair is confirmed. Next, agree how you'll work together: how often "
        "you'll meet, for how long, and what each of you wants from it."
    )
    return text, [
        section(text),
        actions(
            button("Set up our agreement", Action.AGREEMENT_OPEN, str(pair.id), style="primary")
        ),
    ]


def not_continuing(other: Member) -> str:
    """To both people after a "not for me": the same words, whoever decided."""
    return (
        f"Thank you for meeting {other.name}. After the chemistry meeting this pairing won't go "
        "ahead; that's what the meeting is for. We never share who decided or why. You're back "
        "in the pool and will be included the next time your programme lead matches."
    )


def lead_dissolved(pair: PairFacts, decider: Member, reason: str) -> str:
    why = f" Their reason: “{escape(reason)}”" if reason else " They gave no reason."
    return (
        f"Chemistry: the pairing of <@{pair.mentor.user_id}> (mentor) and "
        f"<@{pair.mentee.user_id}> (mentee) in “{escape(pair.programme_name)}” won't go ahead. "
        f"<@{decider.user_id}> said “not for me”.{why} Neither is told who decided. Both are back "
        f"in the pool: `/mentoring-admin rematch {pair.programme_name}`."
    )


def ended_by_lead(other: Member) -> str:
    return (
        f"Your programme lead has ended your pairing with {other.name}. This is no reflection "
        "on either of you. You're back in the pool and will be included in the next match."
    )


def partner_left(other: Member) -> str:
    return (
        f"{other.name} has left the programme, so your pairing has ended. You're back in the "
        "pool and will be included the next time your programme lead matches."
    )


def lead_partner_left(pair: PairFacts, leaver: Member) -> str:
    partner = pair.other(leaver.user_id)
    return (
        f"<@{leaver.user_id}> left “{escape(pair.programme_name)}”, ending their pairing with "
        f"<@{partner.user_id}>, who is back in the pool: "
        f"`/mentoring-admin rematch {pair.programme_name}`."
    )


def no_fault(other: Member) -> str:
    """To both people after a no-fault re-match: the same words, whoever asked."""
    return (
        f"Your reverse mentoring pairing with {other.name} has ended: a fresh start, with no fault "
        "on either side, and we never say who asked. You're back in the pool and will be "
        "included the next time your programme lead matches."
    )


def lead_no_fault(pair: PairFacts, asker: Member) -> str:
    return (
        f"<@{asker.user_id}> asked for a no-fault re-match, so the pairing of "
        f"<@{pair.mentor.user_id}> (mentor) and <@{pair.mentee.user_id}> (mentee) in "
        f"“{escape(pair.programme_name)}” has ended. Neither is told who asked. Both are back in "
        f"the pool: `/mentoring-admin rematch {pair.programme_name}`."
    )
