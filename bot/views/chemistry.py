"""The chemistry meeting as the pair sees it: proposing times, the agreed time, the reminder,
the private "go" or "not for me", and how it ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.ids import Action, Field, View, keyed
from bot.services.chemistry import MAX_NOTE, Agreement, Proposal
from bot.services.pairs import Member, PairFacts
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, code, join, mention, mrkdwn
from bot.views.when import local, slack_date, slot_hint, slot_options

Rendered = tuple[Mrkdwn, list[Block]]

TIME_FIELDS = (Field.TIME_1, Field.TIME_2, Field.TIME_3)


def _both_local(at: datetime, pair: PairFacts) -> Mrkdwn:
    return join(
        " · ", (mrkdwn("{name}: {at}", name=m.name, at=local(at, m.tz)) for m in pair.members)
    )


def times_modal(
    pair_id: int,
    me: Member,
    other: Member,
    *,
    default: datetime,
    suggested: Sequence[datetime],
    preparation: Mrkdwn | None = None,
) -> Block:
    """Times that suit both to tick, and up to three date-time pickers for times of one's
    own; Slack shows them in the proposer's own time zone. `preparation` recommends what is
    left of the proposer's preparation track."""
    body: list[Block] = [
        blocks.section(
            mrkdwn(
                "Propose up to three times for a 30-minute chemistry meeting with "
                "*{name}*. They'll see each time in their own time zone.",
                name=other.name,
            )
        )
    ]
    if preparation:
        body.append(blocks.context(preparation))
    if suggested:
        body.append(
            blocks.input_block(
                Field.SUGGESTED_TIMES,
                "Times that suit you both",
                blocks.checkboxes(slot_options(suggested, other.name, other.tz)),
                optional=True,
                hint=slot_hint(me.tz),
            )
        )
    else:
        body.append(
            blocks.context(
                "No time in the next four weeks falls inside both your working hours: "
                "pick times below, as early or late as suits you both."
            )
        )
    for number, field in enumerate(TIME_FIELDS, start=1):
        element: Block = {"type": "datetimepicker"}
        if number == 1 and not suggested:
            element["initial_date_time"] = int(default.timestamp())
        label = f"Option {number}" if not suggested else f"Or a time of your own ({number})"
        required = number == 1 and not suggested
        body.append(blocks.input_block(field, label, element, optional=not required))
    body.append(
        blocks.input_block(
            Field.NOTE,
            "Where or how to meet",
            blocks.text_input(
                max_length=MAX_NOTE, placeholder="A video link, a room, a coffee place"
            ),
            optional=True,
        )
    )
    return blocks.modal(
        View.CHEMISTRY_TIMES,
        "Chemistry meeting",
        body,
        submit="Propose",
        private_metadata=str(pair_id),
    )


def proposal_message(proposal: Proposal) -> Rendered:
    pair, proposer = proposal.pair, proposal.proposer
    other = pair.other(proposer.user_id)
    text = mrkdwn("{name} proposed times for your chemistry meeting.", name=proposer.name)
    shown: list[Block] = [
        blocks.section(
            mrkdwn(
                "{proposer} proposed times for your chemistry meeting. "
                "{other}, pick the one that suits you, or propose others.",
                proposer=mention(proposer.user_id),
                other=mention(other.user_id),
            )
        )
    ]
    if proposal.note:
        shown.append(blocks.context(mrkdwn("Where: {note}", note=proposal.note)))
    for index, at in enumerate(proposal.options):
        shown.append(
            blocks.section(
                mrkdwn("*{at}*\n{local}", at=slack_date(at), local=_both_local(at, pair)),
                accessory=blocks.button(
                    "Accept",
                    keyed(Action.ACCEPT_TIME, index),
                    f"{proposal.meeting_id}:{index}",
                    style="primary",
                ),
            )
        )
    shown.append(
        blocks.actions(blocks.button("Propose other times", Action.OTHER_TIMES, str(pair.id)))
    )
    return text, shown


def replaced_message() -> Rendered:
    text = mrkdwn("These times were replaced by a newer proposal below.")
    return text, [blocks.context(text)]


def accepted_line(user_id: str, at: datetime) -> Rendered:
    text = mrkdwn("{who} accepted {at}.", who=mention(user_id), at=slack_date(at))
    return text, [blocks.context(text)]


def agreed_message(agreement: Agreement) -> Rendered:
    pair, at = agreement.pair, agreement.starts_at
    text = mrkdwn("Chemistry meeting agreed for {at}.", at=slack_date(at))
    shown: list[Block] = [
        blocks.section(
            mrkdwn(
                "✅ *Chemistry meeting agreed: {at}* (30 minutes)\n{local}",
                at=slack_date(at),
                local=_both_local(at, pair),
            )
        )
    ]
    if agreement.note:
        shown.append(blocks.context(mrkdwn("Where: {note}", note=agreement.note)))
    shown += [
        blocks.context(
            "You'll both get a reminder before it. Afterwards I'll ask each of you privately "
            "whether to go ahead."
        ),
        blocks.actions(blocks.button("Propose other times", Action.OTHER_TIMES, str(pair.id))),
    ]
    return text, shown


def reminder_message(agreement: Agreement) -> Rendered:
    at = agreement.starts_at
    text = mrkdwn("Reminder: your chemistry meeting is at {at}.", at=slack_date(at))
    where = mrkdwn("\nWhere: {note}", note=agreement.note) if agreement.note else ""
    return text, [
        blocks.section(
            mrkdwn(
                "⏰ Reminder: your chemistry meeting is *{at}*.{where}\n"
                "A good opener: what each of you hopes to learn, and how you like to work.",
                at=slack_date(at),
                where=where,
            )
        )
    ]


def decision_prompt(pair: PairFacts, member: Member) -> Rendered:
    other = pair.other(member.user_id)
    text = mrkdwn("How was your chemistry meeting with {name}?", name=other.name)
    return text, [
        blocks.section(
            mrkdwn(
                "How was your chemistry meeting with *{name}*? Should the two of you "
                "go ahead?\nYour answer is private: it is never shown to them.",
                name=other.name,
            )
        ),
        blocks.actions(
            blocks.button("Go", Action.GO, str(pair.id), style="primary"),
            blocks.button("Not for me", Action.NOT_FOR_ME, str(pair.id)),
        ),
    ]


def not_for_me_modal(pair_id: int, other: Member) -> Block:
    return blocks.modal(
        View.NOT_FOR_ME,
        "Not for me",
        [
            blocks.section(
                mrkdwn(
                    "Thank you for being honest. The pairing with *{name}* will end, "
                    "and they will not learn who decided or why. You'll both go back into the "
                    "pool.",
                    name=other.name,
                )
            ),
            blocks.input_block(
                Field.REASON,
                "Anything the programme lead should know?",
                blocks.text_input(multiline=True, max_length=MAX_NOTE),
                optional=True,
                hint="Only the programme lead sees this.",
            ),
        ],
        submit="Confirm",
        private_metadata=str(pair_id),
    )


def go_recorded(other: Member, *, confirmed: bool) -> Mrkdwn:
    if confirmed:
        return mrkdwn(
            "Thank you! You and {name} both said go: your pair is confirmed.", name=other.name
        )
    return mrkdwn("Thank you! We'll let you know once {name} has answered too.", name=other.name)


def confirmed_message(pair: PairFacts) -> Rendered:
    text = mrkdwn(
        "🎉 {mentor} and {mentee}: you both said go, so your "
        "reverse mentoring pair is confirmed. Next, agree how you'll work together: how often "
        "you'll meet, for how long, and what each of you wants from it.",
        mentor=mention(pair.mentor.user_id),
        mentee=mention(pair.mentee.user_id),
    )
    return text, [
        blocks.section(text),
        blocks.actions(
            blocks.button(
                "Set up our agreement", Action.AGREEMENT_OPEN, str(pair.id), style="primary"
            )
        ),
    ]


def not_continuing(other: Member) -> Mrkdwn:
    """To both people after a "not for me": the same words, whoever decided."""
    return mrkdwn(
        "Thank you for meeting {name}. After the chemistry meeting this pairing won't go "
        "ahead; that's what the meeting is for. We never share who decided or why. You're back "
        "in the pool and will be included the next time your programme lead matches.",
        name=other.name,
    )


def rematch_command(programme_name: str) -> Mrkdwn:
    return code(f"/mentoring-admin rematch {programme_name}")


def _ended_pairing(pair: PairFacts) -> dict[str, object]:
    """What the lead hears of a pairing that won't go on: who was in it, in which programme,
    and the command that matches them again."""
    return {
        "mentor": mention(pair.mentor.user_id),
        "mentee": mention(pair.mentee.user_id),
        "programme": pair.programme_name,
        "command": rematch_command(pair.programme_name),
    }


def lead_dissolved(pair: PairFacts, decider: Member, reason: str) -> Mrkdwn:
    why = (
        mrkdwn(" Their reason: “{reason}”", reason=reason)
        if reason
        else mrkdwn(" They gave no reason.")
    )
    return mrkdwn(
        "Chemistry: the pairing of {mentor} (mentor) and "
        "{mentee} (mentee) in “{programme}” won't go ahead. "
        "{decider} said “not for me”.{why} Neither is told who decided. Both are back "
        "in the pool: {command}.",
        decider=mention(decider.user_id),
        why=why,
        **_ended_pairing(pair),
    )


def ended_by_lead(other: Member) -> Mrkdwn:
    return mrkdwn(
        "Your programme lead has ended your pairing with {name}. This is no reflection "
        "on either of you. You're back in the pool and will be included in the next match.",
        name=other.name,
    )


def partner_left(other: Member) -> Mrkdwn:
    return mrkdwn(
        "{name} has left the programme, so your pairing has ended. You're back in the "
        "pool and will be included the next time your programme lead matches.",
        name=other.name,
    )


def lead_partner_left(pair: PairFacts, leaver: Member) -> Mrkdwn:
    partner = pair.other(leaver.user_id)
    return mrkdwn(
        "{leaver} left “{programme}”, ending their pairing with "
        "{partner}, who is back in the pool: {command}.",
        leaver=mention(leaver.user_id),
        programme=pair.programme_name,
        partner=mention(partner.user_id),
        command=rematch_command(pair.programme_name),
    )


def no_fault(other: Member) -> Mrkdwn:
    """To both people after a no-fault re-match: the same words, whoever asked."""
    return mrkdwn(
        "Your reverse mentoring pairing with {name} has ended: a fresh start, with no fault "
        "on either side, and we never say who asked. You're back in the pool and will be "
        "included the next time your programme lead matches.",
        name=other.name,
    )


def lead_no_fault(pair: PairFacts, asker: Member) -> Mrkdwn:
    return mrkdwn(
        "{asker} asked for a no-fault re-match, so the pairing of "
        "{mentor} (mentor) and {mentee} (mentee) in "
        "“{programme}” has ended. Neither is told who asked. Both are back in "
        "the pool: {command}.",
        asker=mention(asker.user_id),
        **_ended_pairing(pair),
    )
