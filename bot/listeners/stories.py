"""Success stories: `/mentoring story` shares one; `/mentoring-admin stories` lists them for
leads to approve, decline and publish to a channel."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import LeadClick, form_refusal, lead_button, number_in
from bot.flows.chosen_channel import post_in_chosen_channel
from bot.ids import Action, Field, View
from bot.services import stories
from bot.services.leads import programme_of_story
from bot.services.momentum import leads_by_programme
from bot.slack.routing import FieldErrors, form
from bot.views import stories as views
from bot.views.mrkdwn import channel as channel_link
from bot.views.mrkdwn import mrkdwn
from bot.views.state import form_values

log = logging.getLogger(__name__)


async def check_story(
    deps: Deps, body: dict, view: dict, context: dict
) -> stories.StoryInput | FieldErrors:
    """Check the form, and who is sending it, inside the acknowledgement."""
    async with deps.db.transaction() as session:
        mine = await stories.story_programmes(
            session, team_id=context["team_id"], user_id=body["user"]["id"]
        )
    values = form_values(view)
    metadata = view.get("private_metadata") or ""
    if metadata.isdigit() and Field.PROGRAMME not in values:
        values[Field.PROGRAMME] = metadata
    checked = stories.validate_story(values, [pid for pid, _ in mine])
    if isinstance(checked, dict):
        shown = {block.get("block_id") for block in view.get("blocks", [])}
        if Field.PROGRAMME in checked and Field.PROGRAMME not in shown:
            # One programme, so no field to show it on: they have left it meanwhile.
            del checked[Field.PROGRAMME]
            checked[Field.STORY_TITLE] = "You are no longer in that programme."
        return FieldErrors(checked)
    return checked


async def story_submitted(
    deps: Deps, checked: stories.StoryInput, body: dict, client: AsyncWebClient, context: dict
) -> None:
    data = checked
    team_id, user_id = context["team_id"], body["user"]["id"]
    async with deps.db.transaction() as session:
        await stories.submit(
            session, team_id=team_id, user_id=user_id, data=data, now=deps.clock.now()
        )
        leads = await leads_by_programme(session, {data.programme_id})
    await client.chat_postMessage(channel=user_id, text=views.thanks(data.show_name))
    for lead in leads.get(data.programme_id, ()):
        await client.chat_postMessage(
            channel=lead,
            text="A participant shared a success story. Read it, and approve or decline it, "
            "with `/mentoring-admin stories`.",
        )


async def decide(deps: Deps, click: LeadClick, approve: bool) -> None:
    story = await click.apply(
        stories.decide, story_id=click.number, lead_id=click.lead_id, approve=approve
    )
    async with deps.db.transaction() as session:
        waiting = await stories.for_leads(session, team_id=click.team_id, programme_ids=click.led)
    done = "approved: publish it when you like" if approve else "declined"
    await click.reply(
        mrkdwn("“{title}” is {done}.", title=story.title, done=done), views.lead_list(waiting)
    )


async def approve_clicked(click: LeadClick) -> None:
    deps = click.deps
    await decide(deps, click, approve=True)


async def decline_clicked(click: LeadClick) -> None:
    deps = click.deps
    await decide(deps, click, approve=False)


async def publish_clicked(click: LeadClick) -> None:
    deps = click.deps
    async with deps.db.transaction() as session:
        waiting = {
            s.id: s
            for s in await stories.for_leads(
                session, team_id=click.team_id, programme_ids=[click.programme_id]
            )
        }
    story = waiting.get(click.number)
    if story is None or story.status != "approved":
        await click.reply("That story is not waiting to be published any more.")
        return
    await click.client.views_open(trigger_id=click.trigger_id, view=views.publish_modal(story))


async def check_publish(
    deps: Deps, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> tuple[int, str] | FieldErrors:
    """The story and the channel to publish it in, when a lead of its programme sends it."""
    story_id = number_in(view.get("private_metadata"))
    refused = await form_refusal(deps, client, context, owner=programme_of_story, number=story_id)
    if refused:
        return FieldErrors({Field.CHANNEL: refused})
    channel = form_values(view).get(Field.CHANNEL)
    if not channel:
        return FieldErrors({Field.CHANNEL: "Pick a channel."})
    assert story_id is not None  # form_refusal refuses a form without one
    return story_id, str(channel)


async def publish_submitted(
    deps: Deps, checked: tuple[int, str], body: dict, client: AsyncWebClient, context: dict
) -> None:
    team_id, user_id = context["team_id"], body["user"]["id"]
    story_id, channel = checked
    async with deps.db.transaction() as session:
        story = await stories.start_publishing(session, team_id=team_id, story_id=story_id)
    posted = await post_in_chosen_channel(
        client,
        lead_id=user_id,
        channel=channel,
        message=views.published_post(story),
        refused="the post",
        advised=lambda advice: mrkdwn(
            "The story is not published: {advice} It stays approved; publish it again "
            "from `/mentoring-admin stories`.",
            advice=advice,
        ),
    )
    async with deps.db.transaction() as session:
        await stories.finish_publishing(
            session,
            team_id=team_id,
            story_id=story_id,
            channel_id=posted["channel"] if posted else None,
            ts=posted["ts"] if posted else None,
        )
    if posted:
        await client.chat_postMessage(
            channel=user_id,
            text=mrkdwn(
                "“{title}” is published in {where}.",
                title=story.title,
                where=channel_link(posted["channel"]),
            ),
        )


def register(app: AsyncApp) -> None:
    form(app.view(View.STORY), check=check_story, tells_refusals=True)(story_submitted)
    lead_button(app.action(Action.STORY_APPROVE), owner=programme_of_story)(approve_clicked)
    lead_button(app.action(Action.STORY_DECLINE), owner=programme_of_story)(decline_clicked)
    lead_button(app.action(Action.STORY_PUBLISH), owner=programme_of_story)(publish_clicked)
    form(app.view(View.STORY_PUBLISH), check=check_publish, tells_refusals=True)(publish_submitted)
