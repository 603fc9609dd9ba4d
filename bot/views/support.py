"""The support paths' forms and confirmations: pause a pair, a re-match, erasing one's data."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.services.pairs import PairFacts
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import one_of
from bot.views.mrkdwn import mrkdwn


def pause_modal(mine: list[PairFacts], user_id: str) -> Block:
    choices = [blocks.option(f"With {p.other(user_id).name}", str(p.id)) for p in mine]
    body, metadata = one_of(Field.PAIR, "Which pair", choices)
    weeks = [blocks.option("1 week" if n == 1 else f"{n} weeks", str(n)) for n in range(1, 5)]
    body += [
        blocks.input_block(Field.WEEKS, "Pause for", blocks.static_select(weeks, initial="2")),
        blocks.context(
            "No nudges or surveys until then; your partner and the programme's leads see that "
            "you paused and until when. It picks up again by itself."
        ),
    ]
    return blocks.modal(
        View.PAUSE_SELF, "Pause our pair", body, submit="Pause", private_metadata=metadata
    )


def rematch_confirmation(mine: list[PairFacts], user_id: str) -> list[Block]:
    shown: list[Block] = []
    for pair in mine[:5]:
        partner = pair.other(user_id)
        end = blocks.confirmed(
            blocks.button(
                "Ask for a new partner", Action.NO_FAULT_CONFIRM, str(pair.id), style="danger"
            ),
            title="End this pairing?",
            text="You both go back to the pool. This cannot be undone.",
            confirm="End it",
            deny="Keep it",
        )
        shown += [
            blocks.section(
                mrkdwn(
                    "*A fresh start instead of {partner}?* The pairing ends with the "
                    "same words to both of you and no fault on either side; your partner is never "
                    "told who asked. Your programme's leads are told, so they can match you both "
                    "again.",
                    partner=partner.name,
                )
            ),
            blocks.actions(end, blocks.button("Keep my pair", Action.NO_FAULT_CANCEL, "keep")),
        ]
    shown.append(
        blocks.context("Something wrong you would rather talk about? `/mentoring concern`.")
    )
    return shown


ERASE_WARNING = (
    "*Erase your data?* You will leave every programme you are in (your partner is told the "
    "pairing has ended, not why), and the app erases your sign-up answers, self-ratings, the "
    "session notes you logged, your private notes, the actions you wrote, your stories and "
    "your concerns. Your partner keeps what they wrote. Survey answers have no name on them, so "
    "they stay in the totals. This cannot be undone; `/mentoring mydata` first gives you a copy."
)


def erase_confirmation() -> list[Block]:
    erase = blocks.confirmed(
        blocks.button("Erase my data", Action.ERASE_CONFIRM, "erase", style="danger"),
        title="Erase your data?",
        text="This cannot be undone.",
        confirm="Erase",
        deny="Keep it",
    )
    return [
        blocks.section(ERASE_WARNING),
        blocks.actions(erase, blocks.button("Keep my data", Action.ERASE_CANCEL, "keep")),
    ]
