"""Survey invitations, the reminder, and the answer forms (pulse and reviews)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.ids import RERATE_PREFIX, Action, Field, View, keyed
from bot.models import SurveyKind
from bot.services.surveys import ACTIONS_DONE, CONTINUE, PULSE_QUESTIONS, SurveyForm
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, mrkdwn
from bot.views.when import slack_date

TITLES = {
    SurveyKind.PULSE: "Pulse survey",
    SurveyKind.MIDPOINT: "Mid-point review",
    SurveyKind.END: "End-of-programme review",
}
SCALE = ("1 · not at all", "2", "3", "4", "5 · very")
KINDS = frozenset(k.value for k in SurveyKind)
PRIVACY = (
    "Your answers are anonymous: leads only ever see totals over several people, "
    "never who said what, and never who has not answered."
)


def _ask(p: dict[str, Any], opening: str) -> tuple[Mrkdwn, list[Block]]:
    kind = SurveyKind(p["survey_kind"])
    survey_id = str(p["survey_id"])
    closes = slack_date(datetime.fromtimestamp(p["closes"], UTC))
    length = "4 quick taps" if kind == SurveyKind.PULSE else "about 2 minutes"
    text = mrkdwn(
        "{opening} {title} for {programme} ({length}); it closes {closes}.",
        opening=opening,
        title=TITLES[kind],
        programme=p["programme"],
        length=length,
        closes=closes,
    )
    return text, [
        blocks.section(text),
        blocks.actions(
            blocks.button(
                "Answer", keyed(Action.SURVEY_OPEN, survey_id), survey_id, style="primary"
            )
        ),
        blocks.context(PRIVACY),
    ]


def invitation(p: dict[str, Any]) -> tuple[Mrkdwn, list[Block]]:
    return _ask(p, "How is it going?")


def reminder(p: dict[str, Any]) -> tuple[Mrkdwn, list[Block]]:
    return _ask(p, "A gentle reminder, and the only one:")


def _radio(labels: tuple[str, ...], values: tuple[str, ...]) -> Block:
    return blocks.radio_buttons(blocks.options(zip(labels, values, strict=True)))


def survey_modal(form: SurveyForm) -> Block:
    body: list[Block] = []
    if form.kind == SurveyKind.PULSE:
        for name, question in PULSE_QUESTIONS:
            body.append(
                blocks.input_block(name, question, _radio(SCALE, ("1", "2", "3", "4", "5")))
            )
    else:
        for objective in form.objectives:
            hint = (
                f"At sign-up you said {objective.baseline} out of 5."
                if objective.baseline is not None
                else None
            )
            body.append(
                blocks.input_block(
                    f"{RERATE_PREFIX}{objective.id}",
                    f"{objective.title}: {objective.measure}",
                    blocks.static_select([blocks.option(str(n), str(n)) for n in range(1, 6)]),
                    hint=hint,
                )
            )
        body.append(
            blocks.input_block(
                Field.RECOMMEND,
                "How likely are you to recommend the programme to a colleague? (0 to 10)",
                blocks.static_select([blocks.option(str(n), str(n)) for n in range(11)]),
            )
        )
        body.append(
            blocks.input_block(
                Field.ACTIONS_DONE,
                "How many of your actions have you put into practice?",
                _radio(("None yet", "Some", "Most", "All"), ACTIONS_DONE),
            )
        )
        if form.kind == SurveyKind.END:
            body.append(
                blocks.input_block(
                    Field.CONTINUE,
                    "Will you keep meeting informally?",
                    _radio(("Yes", "Maybe", "No"), CONTINUE),
                )
            )
    body.append(
        blocks.input_block(
            Field.COMMENT,
            "Anything else? (optional)",
            blocks.text_input(multiline=True, max_length=2000),
            optional=True,
        )
    )
    body.append(blocks.context(PRIVACY))
    return blocks.modal(
        View.SURVEY,
        TITLES[form.kind][:24],
        body,
        submit="Send",
        private_metadata=":".join(
            (str(form.survey_id), form.kind.value, ",".join(str(o.id) for o in form.objectives))
        ),
    )


def read_metadata(raw: str | None) -> tuple[int, SurveyKind, list[int]] | None:
    """(survey, kind, objective ids) from the form; None if it is not ours. The answer is
    checked against the person's invitation again, so a forged value changes nothing."""
    parts = (raw or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or parts[1] not in KINDS:
        return None
    ids = [int(i) for i in parts[2].split(",") if i.isdigit()]
    return int(parts[0]), SurveyKind(parts[1]), ids


def thanks(kind: SurveyKind) -> str:
    return f"Thank you: your {TITLES[kind].lower()} answers are in, anonymously."
