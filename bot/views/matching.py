"""What leads see of matching (progress, the preview, pins and exclusions, the pairs) and the
introductions participants receive."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.ids import Action, Field, View, keyed
from bot.models import Programme
from bot.services.matching.runs import Preview, PreviewPair
from bot.services.pairs import Member, PairFacts
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import which_one
from bot.views.mrkdwn import Mrkdwn, code, join, mention, mrkdwn

PAIRS_SHOWN = 15
UNMATCHED_SHOWN = 10
STAGES = {
    "loading": "reading the pool",
    "scoring": "scoring every possible pair",
    "assigning": "finding the best assignment",
    "saving": "saving the preview",
}
PERSONALITY = {"introvert": "introvert", "extrovert": "extrovert", "either": "either way"}


def choose_programme(programmes: Sequence[Programme]) -> list[Block]:
    return which_one(
        "Several programmes can be matched. Which one?",
        Action.CHOOSE_TO_MATCH,
        ((f"Match {p.name}", p.id) for p in programmes),
    )


def progress(programme_name: str, mentors: int, mentees: int, stage: str) -> Mrkdwn:
    return mrkdwn(
        "Matching {mentees:,} mentees with {mentors:,} mentors for “{programme}”: {stage}…",
        mentees=mentees,
        mentors=mentors,
        programme=programme_name,
        stage=STAGES.get(stage, stage),
    )


def engine_stopped(programme_name: str, programme_id: int) -> tuple[Mrkdwn, list[Block]]:
    """The engine's process ended mid-match: nothing was saved, and one click runs it again."""
    text = mrkdwn(
        "Matching “{programme}” stopped before it finished: the matching engine's process "
        "ended unexpectedly. Nothing was saved, and the engine restarts for the next run. "
        "Run it again with the button or {command}.",
        programme=programme_name,
        command=code(f"/mentoring-admin match {programme_name}"),
    )
    again = blocks.button(
        "Run matching again", keyed(Action.CHOOSE_TO_MATCH, programme_id), str(programme_id)
    )
    return text, [blocks.section(text), blocks.actions(again)]


def _summary(preview: Preview) -> Mrkdwn:
    if not preview.pairs:
        return mrkdwn(
            "No pairs could be made from the {mentees} mentees and {mentors} mentors in the pool.",
            mentees=preview.mentee_count,
            mentors=preview.mentor_count,
        )
    return mrkdwn(
        "*{pairs}* · mean score {mean:.1f} of {best:.0f} · {share:.0%} of mentees matched "
        "({matched} of {mentees}) · {mentors} mentors in the pool",
        pairs=blocks.count(len(preview.pairs), "pair"),
        mean=preview.mean_score,
        best=preview.best_score,
        share=preview.share_matched,
        matched=len(preview.pairs),
        mentees=preview.mentee_count,
        mentors=preview.mentor_count,
    )


def preview_message(preview: Preview) -> tuple[Mrkdwn, list[Block]]:
    """The preview a lead approves: weakest pairs first, each with why it scored."""
    run = str(preview.run_id)
    text = mrkdwn(
        "Matching preview for {programme}: {pairs}",
        programme=preview.programme_name,
        pairs=blocks.count(len(preview.pairs), "pair"),
    )
    shown: list[Block] = [
        blocks.header(f"Matching preview: {preview.programme_name}"),
        blocks.section(_summary(preview)),
        *(_preview_pair(pair, run) for pair in preview.pairs[:PAIRS_SHOWN]),
    ]
    if len(preview.pairs) > PAIRS_SHOWN:
        shown.append(
            blocks.context(
                mrkdwn(
                    "Showing the {shown} lowest-scoring pairs; {more} more score higher.",
                    shown=PAIRS_SHOWN,
                    more=len(preview.pairs) - PAIRS_SHOWN,
                )
            )
        )
    if preview.unmatched:
        shown += [blocks.divider(), blocks.section(_unmatched(preview))]
    shown.append(blocks.actions(*_preview_buttons(preview, run)))
    return text, shown


def _preview_pair(pair: PreviewPair, run: str) -> Block:
    pin = " · 📌 pinned" if pair.pinned else ""
    return blocks.section(
        mrkdwn(
            "*{mentor}* (mentor) with *{mentee}* (mentee) · score {score:.1f}{pin}\n{why}",
            mentor=pair.mentor_name,
            mentee=pair.mentee_name,
            score=pair.score,
            pin=pin,
            why=pair.explanation,
        ),
        accessory={
            "type": "overflow",
            "action_id": keyed(Action.PREVIEW_PAIR, pair.pair_id),
            "options": [
                blocks.option("Pin this pair", f"pin:{run}:{pair.pair_id}"),
                blocks.option("Forbid this pair", f"forbid:{run}:{pair.pair_id}"),
            ],
        },
    )


def _unmatched(preview: Preview) -> Mrkdwn:
    lines = [
        mrkdwn("• *{name}* ({role}): {reason}", name=u.name, role=u.role, reason=u.reason)
        for u in preview.unmatched[:UNMATCHED_SHOWN]
    ]
    more = len(preview.unmatched) - UNMATCHED_SHOWN
    if more > 0:
        lines.append(mrkdwn("…and {more} more.", more=more))
    return mrkdwn(
        "*Not matched ({total})*\n{lines}", total=len(preview.unmatched), lines=join("\n", lines)
    )


def _preview_buttons(preview: Preview, run: str) -> list[Block]:
    buttons = []
    if preview.pairs:
        buttons.append(
            blocks.confirmed(
                blocks.button(
                    f"Approve and introduce {blocks.count(len(preview.pairs), 'pair')}",
                    Action.APPROVE_MATCH,
                    run,
                    style="primary",
                ),
                title="Introduce these pairs?",
                text="Each pair gets a group message introducing them, and everyone not "
                "matched is told they stay in the pool.",
                confirm="Introduce them",
                deny="Not yet",
            )
        )
    return [
        *buttons,
        blocks.button("Re-run", Action.RERUN_MATCH, run),
        blocks.button("Pin or forbid a pair…", Action.ADD_CONSTRAINT, run),
        blocks.button("Discard", Action.DISCARD_MATCH, run),
    ]


def constraint_modal(run_id: int) -> Block:
    return blocks.modal(
        View.PAIR_CONSTRAINT,
        "Pin or forbid a pair",
        [
            blocks.input_block(Field.MENTOR, "Mentor", {"type": "users_select"}),
            blocks.input_block(Field.MENTEE, "Mentee", {"type": "users_select"}),
            blocks.input_block(
                Field.CONSTRAINT,
                "What should matching do?",
                blocks.radio_buttons(
                    [
                        blocks.option("Always pair them (pin)", "pin"),
                        blocks.option("Never pair them (forbid)", "forbid"),
                    ]
                ),
            ),
        ],
        submit="Re-run matching",
        private_metadata=str(run_id),
    )


def _brings(person: Member) -> Mrkdwn:
    topics = ", ".join(person.topics) if person.topics else "an open mind"
    goals = mrkdwn("\n>{goals}", goals=person.goals) if person.goals else ""
    return mrkdwn(
        "*{who}* ({role}, {department}) brings: {topics}{goals}",
        who=mention(person.user_id),
        role=person.role.value,
        department=person.department,
        topics=topics,
        goals=goals,
    )


def intro_message(pair: PairFacts) -> tuple[Mrkdwn, list[Block]]:
    mentor, mentee = mention(pair.mentor.user_id), mention(pair.mentee.user_id)
    text = mrkdwn(
        "Meet your reverse mentoring partner: {mentor} (mentor) and {mentee} (mentee).",
        mentor=mentor,
        mentee=mentee,
    )
    return text, [
        blocks.header("Meet your reverse mentoring partner"),
        blocks.section(
            mrkdwn(
                "Welcome to *{programme}*! {mentor} will mentor "
                "{mentee}, sharing a view of work that a senior role rarely gets.",
                programme=pair.programme_name,
                mentor=mentor,
                mentee=mentee,
            )
        ),
        blocks.section(_brings(pair.mentor)),
        blocks.section(_brings(pair.mentee)),
        blocks.section(
            "First, a short *chemistry meeting* to see whether you click. Either of you can "
            "propose up to three times; afterwards each of you tells us privately whether to go "
            "ahead."
        ),
        blocks.actions(
            blocks.button(
                "Request chemistry meeting",
                Action.REQUEST_CHEMISTRY,
                str(pair.id),
                style="primary",
            )
        ),
    ]


def unmatched_message(programme_name: str) -> Mrkdwn:
    return mrkdwn(
        "Matching for *{programme}* has run, and this round we couldn't find a "
        "partner who fits you well. That's about the mix of people this time, not about you: "
        "you stay in the pool, and you'll be included the next time your programme lead "
        "matches.",
        programme=programme_name,
    )


def approved_summary(
    programme_name: str,
    introduced: int,
    waiting: int,
    failed: Sequence[PairFacts],
    told_unmatched: int,
) -> Mrkdwn:
    lines = []
    if introduced or not waiting:
        lines.append(
            mrkdwn(
                "Approved. {pairs} in “{programme}” {verb} introduced.",
                pairs=blocks.count(introduced, "pair"),
                programme=programme_name,
                verb="was" if introduced == 1 else "were",
            )
        )
    if waiting:
        lines.append(
            mrkdwn(
                "{approved}{pairs}{programme} will be introduced in the next minutes, as fast "
                "as Slack lets an app open conversations.",
                approved="" if introduced else "Approved. ",
                pairs=blocks.count(waiting, "more pair" if introduced else "pair"),
                programme="" if introduced else mrkdwn(" in “{name}”", name=programme_name),
            )
        )
    if told_unmatched:
        lines.append(
            mrkdwn(
                "{people} without a partner {verb} told they stay in the pool.",
                people=blocks.count(told_unmatched, "person", "people"),
                verb="was" if told_unmatched == 1 else "were",
            )
        )
    if failed:
        names = join(", ", (_pair_mentions(p) for p in failed[:10]))
        lines.append(
            mrkdwn(
                "{failed} introductions could not be sent ({names}); they will be retried the "
                "next time you run `/mentoring-admin match` or `pairs`.",
                failed=len(failed),
                names=names,
            )
        )
    return join("\n", lines)


def _pair_mentions(pair: PairFacts) -> Mrkdwn:
    return mrkdwn(
        "{mentor} with {mentee}",
        mentor=mention(pair.mentor.user_id),
        mentee=mention(pair.mentee.user_id),
    )


def not_in_role(user_id: str, role: str) -> Mrkdwn:
    return mrkdwn("{who} is not a {role} in this programme.", who=mention(user_id), role=role)


def pair_ended(pair: PairFacts) -> Mrkdwn:
    """To the lead who ended a pair from the list."""
    return mrkdwn(
        "Ended the pairing of {pair}. Both are back in the pool: {command}.",
        pair=mrkdwn(
            "{mentor} and {mentee}",
            mentor=mention(pair.mentor.user_id),
            mentee=mention(pair.mentee.user_id),
        ),
        command=code(f"/mentoring-admin rematch {pair.programme_name}"),
    )


PAIR_STATUS_WORDS = {
    "introduced": "waiting for the chemistry meeting",
    "confirmed": "confirmed",
}


def pairs_list(
    programme_name: str, pairs: Sequence[PairFacts], *, ended_on: date | None = None
) -> list[Block]:
    """The lead's list; with `ended_on` (the programme is past its end date) only to read."""
    if not pairs:
        return [blocks.section(mrkdwn("“{programme}” has no pairs yet.", programme=programme_name))]
    shown: list[Block] = [blocks.header(f"Pairs: {programme_name}")]
    if ended_on is not None:
        shown.append(
            blocks.context(
                mrkdwn(
                    "“{programme}” reached its end date on {day:%a %d %b %Y}: the pairs as they "
                    "stood, for reading only.",
                    programme=programme_name,
                    day=ended_on,
                )
            )
        )
    room = 47
    for pair in pairs[:room]:
        line = mrkdwn(
            "{pair} · {status}",
            pair=_pair_mentions(pair),
            status=PAIR_STATUS_WORDS.get(pair.status.value, pair.status.value),
        )
        shown.append(blocks.section(line, accessory=None if ended_on else _end_button(pair)))
    if len(pairs) > room:
        shown.append(blocks.context(mrkdwn("…and {more} more pairs.", more=len(pairs) - room)))
    return shown


def _end_button(pair: PairFacts) -> Block:
    return blocks.confirmed(
        blocks.button("End pair", keyed(Action.END_PAIR, pair.id), str(pair.id)),
        title="End this pair?",
        text="Both are told the pairing has ended and go back to the pool. "
        "They will not be paired together again.",
        confirm="End it",
        deny="Keep it",
    )
