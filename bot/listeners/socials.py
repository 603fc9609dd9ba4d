"""Kick-off and socials: the lead's form (opened by `/mentoring-admin social`), the lead's
buttons on the event's message, and the Going / Not going buttons of the people invited."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import (
    Click,
    LeadClick,
    apply_rule,
    button,
    item_form_refusal,
    lead_button,
)
from bot.flows.socials import (
    after_change,
    open_change_form,
    send_invitations,
    share_event_file,
    tell_lead,
)
from bot.ids import Action, Field, View
from bot.models import Rsvp
from bot.services import socials
from bot.services.leads import programme_of_social
from bot.services.socials import Announced, Changed, SocialError
from bot.slack.routing import FieldErrors, form
from bot.views import socials as views
from bot.views.mrkdwn import mrkdwn
from bot.views.state import form_values


async def check_social(
    deps: Deps, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> Announced | Changed | FieldErrors:
    """Check and save inside the acknowledgement, so every problem shows on the form: a new
    event with its invitations queued, or the changes to one."""
    team_id, user_id = context["team_id"], body["user"]["id"]
    form, refused = await item_form_refusal(
        deps, client, context, view, item_owner=programme_of_social
    )
    changing = form.item_id
    if refused:
        return FieldErrors({Field.SOCIAL_KIND: refused})
    checked = socials.validate(form_values(view), now=deps.clock.now(), changing=bool(changing))
    if isinstance(checked, dict):
        return FieldErrors(checked)
    try:
        if changing:
            return await apply_rule(
                deps, socials.change, team_id=team_id, event_id=changing, data=checked
            )
        return await apply_rule(
            deps,
            socials.announce,
            team_id=team_id,
            programme_id=form.programme_id or 0,
            lead_id=user_id,
            data=checked,
        )
    except SocialError as exc:
        return FieldErrors({Field.SOCIAL_WHEN if changing else Field.SOCIAL_AUDIENCE: str(exc)})


async def social_submitted(
    deps: Deps, checked: Announced | Changed, body: dict, client: AsyncWebClient
) -> None:
    lead_id = body["user"]["id"]
    if isinstance(checked, Changed):
        if not checked.changed:
            await client.chat_postMessage(
                channel=lead_id,
                text=mrkdwn("Nothing changed in “{title}”.", title=checked.event.title),
            )
            return
        await after_change(deps, client, checked)
    else:
        await send_invitations(deps, checked.keys)
    await tell_lead(client, lead_id, checked.event, checked.counts)


async def _answer(click: Click, answer: Rsvp) -> None:
    answered = await click.apply(socials.answer, event_id=click.number, answer=answer)
    text, shown = views.answered(answered.event, answered.answer)
    await click.reply(text, shown, replace_original=True)
    if answered.changed and answer == Rsvp.GOING:
        await share_event_file(
            click.deps, click.client, event=answered.event, user_ids=[click.user_id]
        )


async def going_clicked(click: Click) -> None:
    await _answer(click, Rsvp.GOING)


async def not_going_clicked(click: Click) -> None:
    await _answer(click, Rsvp.NOT_GOING)


async def _standing(click: LeadClick) -> socials.Standing:
    async with click.deps.db.transaction() as session:
        return await socials.standing(session, team_id=click.team_id, event_id=click.number)


async def counts_clicked(click: LeadClick) -> None:
    now = await _standing(click)
    text, shown = views.lead_message(now.event, now.counts)
    await click.reply(text, shown, replace_original=True)


async def change_clicked(click: LeadClick) -> None:
    now = await _standing(click)
    if now.event.cancelled:
        await click.reply(mrkdwn("“{title}” is cancelled already.", title=now.event.title))
        return
    await open_change_form(click.client, click.trigger_id, now.event)


async def cancel_clicked(click: LeadClick) -> None:
    changed = await click.apply(socials.cancel, event_id=click.number)
    text, shown = views.lead_message(changed.event, changed.counts)
    await click.reply(text, shown, replace_original=True)
    if changed.changed:
        await after_change(click.deps, click.client, changed)


def register(app: AsyncApp) -> None:
    form(app.view(View.SOCIAL_EVENT), check=check_social, writes=True)(social_submitted)
    button(app.action(Action.SOCIAL_GOING))(going_clicked)
    button(app.action(Action.SOCIAL_NOT_GOING))(not_going_clicked)
    lead_button(app.action(Action.SOCIAL_COUNTS), owner=programme_of_social)(counts_clicked)
    lead_button(app.action(Action.SOCIAL_CHANGE), owner=programme_of_social)(change_clicked)
    lead_button(app.action(Action.SOCIAL_CANCEL), owner=programme_of_social)(cancel_clicked)
