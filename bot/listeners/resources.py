"""`/mentoring-admin resources [name]`: the library, with Add, Edit and Remove for leads."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import LeadClick, apply_rule, item_form_refusal, lead_button
from bot.ids import Action, Field, View
from bot.services import resources
from bot.services.leads import programme_of_programme, programme_of_resource
from bot.services.resources import ResourceError
from bot.slack.routing import FieldErrors, form
from bot.views import resources as views
from bot.views.mrkdwn import mrkdwn
from bot.views.state import form_values


async def add_clicked(click: LeadClick) -> None:
    await click.client.views_open(
        trigger_id=click.trigger_id, view=views.resource_modal(click.number)
    )


async def edit_clicked(click: LeadClick) -> None:
    deps = click.deps
    async with deps.db.transaction() as session:
        item = await resources.get(session, team_id=click.team_id, resource_id=click.number)
    await click.client.views_open(trigger_id=click.trigger_id, view=views.resource_modal(0, item))


async def remove_clicked(click: LeadClick) -> None:
    item = await click.apply(resources.remove, resource_id=click.number)
    await click.reply(
        mrkdwn("“{title}” is out of the library; it will not be posted again.", title=item.title)
    )


async def check_resource(
    deps: Deps, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> str | FieldErrors:
    """Check and save inside the acknowledgement, so every problem shows on the form; the
    saved resource's title."""
    team_id, user_id = context["team_id"], body["user"]["id"]
    form, refused = await item_form_refusal(
        deps, client, context, view, item_owner=programme_of_resource
    )
    if refused:
        return FieldErrors({Field.RESOURCE_TITLE: refused})
    checked = resources.validate(form_values(view))
    if isinstance(checked, dict):
        return FieldErrors(checked)
    try:
        item = await apply_rule(
            deps,
            resources.save,
            team_id=team_id,
            programme_id=form.programme_id or 0,
            resource_id=form.item_id,
            data=checked,
            lead_id=user_id,
        )
    except (ResourceError, ValueError) as exc:
        return FieldErrors({Field.RESOURCE_TITLE: str(exc)})
    return item.title


async def resource_submitted(checked: str, body: dict, client: AsyncWebClient) -> None:
    title = checked
    if title:
        await client.chat_postMessage(
            channel=body["user"]["id"],
            text=mrkdwn(
                "“{title}” is in the library. Resources go to the safe spaces one at a "
                "time, newest first.",
                title=title,
            ),
        )


def register(app: AsyncApp) -> None:
    lead_button(app.action(Action.RESOURCE_ADD), owner=programme_of_programme)(add_clicked)
    lead_button(app.action(Action.RESOURCE_EDIT), owner=programme_of_resource)(edit_clicked)
    lead_button(app.action(Action.RESOURCE_REMOVE), owner=programme_of_resource)(remove_clicked)
    form(app.view(View.RESOURCE), check=check_resource, writes=True)(resource_submitted)
