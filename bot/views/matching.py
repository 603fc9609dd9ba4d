"""What leads see of matching (progress, the preview, pins and exclusions, the pairs) and the
introductions participants receive."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ids import Action, Field, View, keyed
from bot.models import Programme
from bot.services.matching.runs import Preview
from bot.services.pairs import Member, PairFacts
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    count,
    divider,
    escape,
    header,
    input_block,
    modal,
    option,
    plain,
    section,
)

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
    return [
        section("Several programmes can be matched. Which one?"),
        actions(
            *[
                button(f"Match {p.name}", keyed(Action.CHOOSE_TO_MATCH, p.id), str(p.id))
                for p in programmes[:5]
            ]
        ),
    ]


def progress(programme_name: str, mentors: int, mentees: int, stage: str) -> str:
    return (
        f"Matching {mentees:,} mentees with {mentors:,} mentors for “{programme_name}”: "
        f"{STAGES.get(stage, stage)}…"
    )


def _summary(preview: Preview) -> str:
    if not preview.pairs:
        return (
            f"No pairs could be made from the {preview.mentee_count} mentees and "
            f"{preview.mentor_count} mentors in the pool."
        )
    return (
        f"*{count(len(preview.pairs), 'pair')}* · mean score {preview.mean_score:.1f} of "
        f"{preview.best_score:.0f} · {preview.share_matched:.0%} of mentees matched "
        f"({len(preview.pairs)} of {preview.mentee_count}) · {preview.mentor_count} mentors "
        "in the pool"
    )


def preview_message(preview: Preview) -> tuple[str, list[Block]]:
    """The preview a lead approves: weakest pairs first, each with why it scored."""
    run = str(preview.run_id)
    text = f"Matching preview for {preview.programme_name}: {count(len(preview.pairs), 'pair')}"
    blocks: list[Block] = [
        header(f"Matching preview: {preview.programme_name}"),
        section(_summary(preview)),
    ]
    for pair in preview.pairs[:PAIRS_SHOWN]:
        pin = " · 📌 pinned" if pair.pinned else ""
        blocks.append(
            section(
                f"*{escape(pair.mentor_name)}* (mentor) with *{escape(pair.mentee_name)}* "
                f"(mentee) · score {pair.score:.1f}{pin}\n{escape(pair.explanation)}",
                accessory={
                    "type": "overflow",
                    "action_id": keyed(Action.PREVIEW_PAIR, pair.pair_id),
                    "options": [
                        option("Pin this pair", f"pin:{run}:{pair.pair_id}"),
                        option("Forbid this pair", f"forbid:{run}:{pair.pair_id}"),
                    ],
                },
            )
        )
    if len(preview.pairs) > PAIRS_SHOWN:
        blocks.append(
            context(
                f"Showing the {PAIRS_SHOWN} lowest-scoring pairs; "
                f"{len(preview.pairs) - PAIRS_SHOWN} more score higher."
            )
        )
    if preview.unmatched:
        lines = [
            f"• *{escape(u.name)}* ({u.role}): {escape(u.reason)}"
            for u in preview.unmatched[:UNMATCHED_SHOWN]
        ]
        more = len(preview.unmatched) - UNMATCHED_SHOWN
        if more > 0:
            lines.append(f"…and {more} more.")
        blocks += [
            divider(),
            section(f"*Not matched ({len(preview.unmatched)})*\n" + "\n".join(lines)),
        ]
    buttons = []
    if preview.pairs:
        buttons.append(
            {
                **button(
                    f"Approve and introduce {count(len(preview.pairs), 'pair')}",
                    Action.APPROVE_MATCH,
                    run,
                    style="primary",
                ),
                "confirm": {
                    "title": plain("Introduce these pairs?"),
                    "text": plain(
                        "Each pair gets a group message introducing them, and everyone not "
                        "matched is told they stay in the pool."
                    ),
                    "confirm": plain("Introduce them"),
                    "deny": plain("Not yet"),
                },
            }
        )
    buttons += [
        button("Re-run", Action.RERUN_MATCH, run),
        button("Pin or forbid a pair…", Action.ADD_CONSTRAINT, run),
        button("Discard", Action.DISCARD_MATCH, run),
    ]
    blocks.append(actions(*buttons))
    return text, blocks


def constraint_modal(run_id: int) -> Block:
    return modal(
        View.PAIR_CONSTRAINT,
        "Pin or forbid a pair",
        [
            input_block(Field.MENTOR, "Mentor", {"type": "users_select"}),
            input_block(Field.MENTEE, "Mentee", {"type": "users_select"}),
            input_block(
                Field.CONSTRAINT,
                "What should matching do?",
                {
                    "type": "radio_buttons",
                    "options": [
                        option("Always pair them (pin)", "pin"),
                        option("Never pair them (forbid)", "forbid"),
                    ],
                },
            ),
        ],
        submit="Re-run matching",
        private_metadata=str(run_id),
    )


def _brings(person: Member) -> str:
    topics = ", ".join(person.topics) if person.topics else "an open mind"
    goals = f"\n>{escape(person.goals)}" if person.goals else ""
    return (
        f"*<@{person.user_id}>* ({person.role.value}, {escape(person.department)}) brings: "
        f"{escape(topics)}{goals}"
    )


def intro_message(pair: PairFacts) -> tuple[str, list[Block]]:
    text = (
        f"Meet your reverse mentoring partner: <@{pair.mentor.user_id}> (mentor) and "
        f"<@{pair.mentee.user_id}> (mentee)."
    )
    return text, [
        header("Meet your reverse mentoring partner"),
        section(
            f"Welcome to *{escape(pair.programme_name)}*! <@{pair.mentor.user_id}> will mentor "
            f"<@{pair.mentee.user_id}>, sharing a view of work that a senior role rarely gets."
        ),
        section(_brings(pair.mentor)),
        section(_brings(pair.mentee)),
        section(
            "First, a short *chemistry meeting* to see whether you click. Either of you can "
            "propose up to three times; afterwards each of you tells us privately whether to go "
            "ahead."
        ),
        actions(
            button(
                "Request chemistry meeting",
                Action.REQUEST_CHEMISTRY,
                str(pair.id),
                style="primary",
            )
        ),
    ]


def unmatched_message(programme_name: str) -> str:
    return (
        f"Matching for *{escape(programme_name)}* has run, and this round we couldn't find a "
        "partner who fits you well. That's about the mix of people this time, not about you: "
        "you stay in the pool, and you'll be included the next time your programme lead "
        "matches."
    )


def approved_summary(
    programme_name: str, introduced: int, failed: Sequence[PairFacts], told_unmatched: int
) -> str:
    lines = [
        f"Approved. {count(introduced, 'pair')} in “{programme_name}” "
        f"{'was' if introduced == 1 else 'were'} introduced."
    ]
    if told_unmatched:
        lines.append(
            f"{count(told_unmatched, 'person', 'people')} without a partner "
            f"{'was' if told_unmatched == 1 else 'were'} told they stay in the pool."
        )
    if failed:
        names = ", ".join(f"<@{p.mentor.user_id}> with <@{p.mentee.user_id}>" for p in failed[:10])
        lines.append(
            f"{len(failed)} introductions could not be sent ({names}); they will be retried the "
            "next time you run `/mentoring-admin match` or `pairs`."
        )
    return "\n".join(lines)


PAIR_STATUS_WORDS = {
    "introduced": "waiting for the chemistry meeting",
    "confirmed": "confirmed",
}


def pairs_list(programme_name: str, pairs: Sequence[PairFacts]) -> list[Block]:
    if not pairs:
        return [section(f"“{escape(programme_name)}” has no pairs yet.")]
    blocks: list[Block] = [header(f"Pairs: {programme_name}")]
    room = 48
    for pair in pairs[:room]:
        blocks.append(
            section(
                f"<@{pair.mentor.user_id}> with <@{pair.mentee.user_id}> · "
                f"{PAIR_STATUS_WORDS.get(pair.status.value, pair.status.value)}",
                accessory={
                    **button("End pair", keyed(Action.END_PAIR, pair.id), str(pair.id)),
                    "confirm": {
                        "title": plain("End this pair?"),
                        "text": plain(
                            "Both are told the pairing has ended and go back to the pool. "
                            "They will not be paired together again."
                        ),
                        "confirm": plain("End it"),
                        "deny": plain("Keep it"),
                    },
                },
            )
        )
    if len(pairs) > room:
        blocks.append(context(f"…and {len(pairs) - room} more pairs."))
    return blocks
