"""Matching for leads: run the engine off the event loop, preview, pin or forbid, approve and
introduce; list pairs and end one. Every route here is for leads only."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import LeadClick, form_refusal, lead_button, message_of
from bot.flows.choosing import may_match
from bot.flows.matching import (
    PreviewMessage,
    clicked_preview,
    end_pair_as_lead,
    introduce,
    match_for,
    run_match,
)
from bot.ids import Action, Field, View, matching
from bot.models import ConstraintKind, Role
from bot.services.leads import programme_of_pair, programme_of_programme, programme_of_run
from bot.services.matching import runs
from bot.slack.replies import Reply
from bot.slack.routing import form, then
from bot.views import matching as views
from bot.views.blocks import count
from bot.views.mrkdwn import escape, mrkdwn
from bot.views.state import form_values

log = logging.getLogger(__name__)


def preview_of(body: dict, client: AsyncWebClient) -> PreviewMessage:
    return PreviewMessage(client, body["user"]["id"], message_of(body))


async def programme_chosen(click: LeadClick) -> None:
    if not await may_match(
        click.deps,
        click.reply,
        team_id=click.team_id,
        lead_id=click.lead_id,
        programme_id=click.number,
    ):
        return
    await click.reply(
        "Matching… the preview will arrive in your messages with me.", replace_original=True
    )
    await match_for(click, click.number)


async def rerun_clicked(click: LeadClick) -> None:
    deps = click.deps
    async with deps.db.transaction() as session:
        run = await runs.current_run(session, team_id=click.team_id, run_id=click.number)
        programme_id = run.programme_id
    await match_for(click, programme_id, in_place=True)


async def pin_or_forbid_clicked(
    deps: Deps,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    chosen = (action.get("selected_option") or {}).get("value", "")
    kind, _, rest = chosen.partition(":")
    run_id, _, pair_id = rest.partition(":")
    if kind not in ("pin", "forbid") or not (run_id.isdigit() and pair_id.isdigit()):
        return
    team_id, lead_id = context["team_id"], body["user"]["id"]
    reply = Reply(client=client, user_id=lead_id, respond=respond, body=body)
    refused = await form_refusal(deps, client, context, owner=programme_of_run, number=int(run_id))
    if refused:
        await reply(refused)
        return
    try:
        async with deps.db.transaction() as session:
            await runs.current_run(session, team_id=team_id, run_id=int(run_id))
            mentor, mentee, programme_id = await runs.proposed_pair_people(
                session, run_id=int(run_id), pair_id=int(pair_id)
            )
            await runs.add_constraint(
                session,
                programme_id=programme_id,
                mentor_user=mentor,
                mentee_user=mentee,
                kind=ConstraintKind(kind),
                lead_id=lead_id,
                now=deps.clock.now(),
            )
    except runs.NotInRole as exc:
        await reply(views.not_in_role(exc.user_id, exc.role.value))
        return
    except runs.RunError as exc:
        await reply(escape(exc))
        return
    await run_match(
        deps,
        client,
        team_id=team_id,
        lead_id=lead_id,
        programme_id=programme_id,
        message=preview_of(body, client),
    )


async def add_constraint_clicked(click: LeadClick) -> None:
    await click.client.views_open(
        trigger_id=click.trigger_id, view=views.constraint_modal(click.number)
    )


async def save_constraint(
    deps: Deps, body: dict, view: dict, client: AsyncWebClient, context: dict, team_id: str
) -> tuple[int, tuple[str, str] | None] | dict[str, str]:
    """Record the pin or exclusion: the programme and the preview to refresh, or errors."""
    user_id = body["user"]["id"]
    values = form_values(view)
    raw = view.get("private_metadata") or ""
    if not raw.isdigit():
        return {Field.MENTOR: "This form is out of date. Run matching again."}
    refused = await form_refusal(deps, client, context, owner=programme_of_run, number=int(raw))
    if refused:
        return {Field.MENTOR: refused}
    try:
        async with deps.db.transaction() as session:
            run = await runs.current_run(session, team_id=team_id, run_id=int(raw))
            await runs.add_constraint(
                session,
                programme_id=run.programme_id,
                mentor_user=values[Field.MENTOR],
                mentee_user=values[Field.MENTEE],
                kind=ConstraintKind(values[Field.CONSTRAINT]),
                lead_id=user_id,
                now=deps.clock.now(),
            )
            at = None
            if run.preview_channel_id and run.preview_ts:
                at = (run.preview_channel_id, run.preview_ts)
            return run.programme_id, at
    except runs.NotInRole as exc:
        return {Field.MENTEE if exc.role == Role.MENTEE else Field.MENTOR: str(exc)}
    except runs.RunError as exc:
        return {Field.MENTOR: str(exc)}


async def constraint_submitted(
    deps: Deps,
    checked: tuple[int, tuple[str, str] | None],
    body: dict,
    client: AsyncWebClient,
    context: dict,
) -> None:
    programme_id, at = checked
    lead_id = body["user"]["id"]
    await run_match(
        deps,
        client,
        team_id=context["team_id"],
        lead_id=lead_id,
        programme_id=programme_id,
        message=PreviewMessage(client, lead_id, at),
    )


async def discard_clicked(click: LeadClick) -> None:
    await click.apply(runs.discard, run_id=click.number)
    await clicked_preview(click).show(
        mrkdwn(
            "Preview discarded. Nobody was told anything; run `/mentoring-admin match` again "
            "whenever you are ready."
        )
    )


async def approve_clicked(click: LeadClick) -> None:
    deps = click.deps
    approval = await click.apply(runs.approve, run_id=click.number)
    await clicked_preview(click).show(
        mrkdwn(
            "Approved: introducing {pairs} in “{programme}”…",
            pairs=count(len(approval.pairs), "pair"),
            programme=approval.programme_name,
        )
    )
    done = await introduce(deps, approval)
    for user_id in approval.unmatched_user_ids:
        try:
            await click.client.chat_postMessage(
                channel=user_id, text=views.unmatched_message(approval.programme_name)
            )
        except SlackApiError:
            log.warning("could not tell an unmatched person", exc_info=True)
    await clicked_preview(click).show(
        views.approved_summary(
            approval.programme_name,
            done.introduced,
            done.waiting,
            done.failed,
            len(approval.unmatched_user_ids),
        )
    )


async def end_pair_clicked(click: LeadClick) -> None:
    pair = await end_pair_as_lead(click)
    await click.reply(views.pair_ended(pair))


def register(app: AsyncApp) -> None:
    lead_button(app.action(matching(Action.CHOOSE_TO_MATCH)), owner=programme_of_programme)(
        programme_chosen
    )
    lead_button(app.action(Action.RERUN_MATCH), owner=programme_of_run)(rerun_clicked)
    then(app.action(matching(Action.PREVIEW_PAIR)))(pin_or_forbid_clicked)
    lead_button(app.action(Action.ADD_CONSTRAINT), owner=programme_of_run)(add_constraint_clicked)
    form(app.view(View.PAIR_CONSTRAINT), check=save_constraint, writes=True)(constraint_submitted)
    lead_button(app.action(Action.DISCARD_MATCH), owner=programme_of_run)(discard_clicked)
    lead_button(app.action(Action.APPROVE_MATCH), owner=programme_of_run)(approve_clicked)
    lead_button(app.action(matching(Action.END_PAIR)), owner=programme_of_pair)(end_pair_clicked)
