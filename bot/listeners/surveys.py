"""Answering a survey: the invitation's button opens the form; answers go in anonymously."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import Click, apply_as_sender, button
from bot.ids import RERATE_PREFIX, Action, Field, View, matching
from bot.models import SurveyKind
from bot.services import surveys
from bot.slack.routing import FieldErrors, form
from bot.views import surveys as views
from bot.views.state import form_values


async def answer_clicked(click: Click) -> None:
    form = await click.apply(surveys.form_start, survey_id=click.number)
    await click.client.views_open(trigger_id=click.trigger_id, view=views.survey_modal(form))


async def check_answers(view: dict) -> tuple[int, surveys.Answers] | FieldErrors:
    read = views.read_metadata(view.get("private_metadata"))
    if read is None:
        return FieldErrors({Field.COMMENT: "Open the survey again."})
    survey_id, kind, objective_ids = read
    answers, errors = surveys.validate_answers(
        kind, form_values(view), objective_ids, RERATE_PREFIX
    )
    if answers is None:  # no answers exactly when there are errors
        return FieldErrors(errors)
    return survey_id, answers


async def answers_submitted(
    deps: Deps,
    checked: tuple[int, surveys.Answers],
    body: dict,
    client: AsyncWebClient,
    context: dict,
) -> None:
    survey_id, answers = checked
    user_id = body["user"]["id"]
    kind: SurveyKind = await apply_as_sender(
        deps,
        context,
        surveys.answer,
        survey_id=survey_id,
        answers=answers,
    )
    await client.chat_postMessage(channel=user_id, text=views.thanks(kind))


def register(app: AsyncApp) -> None:
    button(app.action(matching(Action.SURVEY_OPEN)))(answer_clicked)
    form(app.view(View.SURVEY), check=check_answers, tells_refusals=True)(answers_submitted)
