"""`/mentoring-admin`: set-up, open and close enrolment, list. Leads only."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Action, Command, Field, View, matching
from bot.listeners.home import publish_home
from bot.listeners.leads import LeadClick, is_lead_user, lead_buttons
from bot.listeners.matching import match_command, pairs_command
from bot.listeners.replies import Reply
from bot.listeners.reports import report_command
from bot.listeners.resources import resources_command
from bot.listeners.routing import then
from bot.listeners.spaces import ensure_spaces, spaces_command
from bot.listeners.stories import stories_command
from bot.models import Programme, ProgrammeStatus
from bot.services import audit, cohorts, programmes
from bot.services.programme_rules import FormErrors, validate_programme
from bot.views import admin as views
from bot.views.admin import channel_advice
from bot.views.enrolment import announcement, close_chooser, open_enrolment_modal
from bot.views.mrkdwn import channel as channel_link
from bot.views.mrkdwn import code, escape, join, mrkdwn
from bot.views.programme_setup import setup_modal
from bot.views.state import form_values

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: Deps) -> None:
    lead_button = lead_buttons(deps)

    async def lead_check(client: AsyncWebClient, *, team_id: str, user_id: str) -> bool:
        return await is_lead_user(deps, client, team_id=team_id, user_id=user_id)

    async def open_setup(
        client: AsyncWebClient, trigger_id: str, *, source: Programme | None = None
    ) -> None:
        """The set-up form, empty or prefilled as the next cohort of `source`."""
        today = deps.clock.now().date()
        if source is None:
            view = setup_modal(today=today)
        else:
            base = cohorts.next_cohort(source, today=today)
            view = setup_modal(today=today, base=base, cloned_from=source.id)
        await client.views_open(trigger_id=trigger_id, view=view)

    async def refresh_home(client: AsyncWebClient, team_id: str, user_id: str) -> None:
        await publish_home(deps, client, team_id=team_id, user_id=user_id)

    @then(app.command(Command.ADMIN))
    async def admin_command(
        command: dict,
        body: dict,
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: dict,
    ) -> None:
        team_id, user_id = context["team_id"], command["user_id"]
        reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
        if not await lead_check(client, team_id=team_id, user_id=user_id):
            await reply(views.NOT_A_LEAD)
            return
        word, _, argument = (command.get("text") or "").strip().partition(" ")
        word, argument = word.lower(), argument.strip()
        if word in ("", "help"):
            await reply(views.ADMIN_HELP)
        elif word == "new":
            await open_setup(client, command["trigger_id"])
        elif word == "list":
            async with deps.db.transaction() as session:
                items = await programmes.summaries(session, team_id=team_id, lead_id=user_id)
            await reply("Programmes", views.programme_list(items))
        elif word == "open":
            async with deps.db.transaction() as session:
                candidates = await programmes.find_programmes(
                    session, team_id=team_id, statuses=programmes.OPENABLE
                )
            preselect = None
            if argument:
                match = [p for p in candidates if p.name.lower() == argument.lower()]
                if not match:
                    await reply(
                        mrkdwn("No programme called “{name}” is waiting to open.", name=argument)
                    )
                    return
                preselect = match[0].id
            elif len(candidates) == 1:
                preselect = candidates[0].id
            if not candidates:
                await reply(
                    "No programme is waiting to open. Create one with `/mentoring-admin new`."
                )
                return
            await client.views_open(
                trigger_id=command["trigger_id"],
                view=open_enrolment_modal(candidates, preselect=preselect),
            )
        elif word == "close":
            async with deps.db.transaction() as session:
                enrolling = await programmes.find_programmes(
                    session,
                    team_id=team_id,
                    statuses=(ProgrammeStatus.ENROLLING,),
                    name=argument or None,
                )
            if not enrolling:
                named = mrkdwn("called “{name}” ", name=argument) if argument else ""
                await reply(mrkdwn("No programme {named}is open for enrolment.", named=named))
            elif len(enrolling) == 1:
                await close(client, reply, team_id, user_id, enrolling[0].id)
            else:
                await reply("Which programme?", close_chooser(enrolling))
        elif word in ("match", "rematch"):
            await match_command(
                deps,
                client,
                reply,
                team_id=team_id,
                lead_id=user_id,
                name=argument,
                again=word == "rematch",
            )
        elif word == "pairs":
            await pairs_command(
                deps, client, reply, team_id=team_id, name=argument, lead_id=user_id
            )
        elif word == "clone":
            async with deps.db.transaction() as session:
                found = await programmes.find_programmes(
                    session, team_id=team_id, name=argument or None
                )
            if len(found) == 1:
                await open_setup(client, command["trigger_id"], source=found[0])
            elif not found:
                named = mrkdwn(" called “{name}”", name=argument) if argument else ""
                await reply(
                    mrkdwn(
                        "There is no programme{named} to start the next cohort from.", named=named
                    )
                )
            else:
                names = join(", ", (mrkdwn("“{name}”", name=p.name) for p in found))
                await reply(
                    mrkdwn(
                        "Which programme? Name one: `/mentoring-admin clone NAME` ({names}).",
                        names=names,
                    )
                )
        elif word == "report":
            await report_command(
                deps, client, reply, team_id=team_id, lead_id=user_id, name=argument
            )
        elif word == "resources":
            await resources_command(deps, client, reply, team_id=team_id, name=argument)
        elif word == "spaces":
            await spaces_command(
                deps, client, reply, team_id=team_id, lead_id=user_id, name=argument
            )
        elif word == "stories":
            await stories_command(
                deps, client, reply, team_id=team_id, name=argument, lead_id=user_id
            )
        elif word == "audit":
            async with deps.db.transaction() as session:
                seen = await audit.recent(session, team_id=team_id)
            await reply("Audit log", views.audit_log(seen))
        else:
            await reply(views.unknown_subcommand(Command.ADMIN, word, views.ADMIN_HELP))

    async def close(
        client: AsyncWebClient, reply: Reply, team_id: str, user_id: str, programme_id: int
    ) -> None:
        try:
            async with deps.db.transaction() as session:
                programme = await programmes.close_enrolment(
                    session, team_id=team_id, programme_id=programme_id, now=deps.clock.now()
                )
        except programmes.ProgrammeError as exc:
            await reply(escape(exc), replace_original=True)
            return
        deps.programmes.forget(programme.id)
        await reply(
            mrkdwn("Enrolment for “{name}” is closed. Next: matching.", name=programme.name),
            replace_original=True,
        )
        if programme.announcement_channel_id and programme.announcement_ts:
            try:
                await client.chat_update(
                    channel=programme.announcement_channel_id,
                    ts=programme.announcement_ts,
                    text=mrkdwn(
                        "Enrolment for {name} is closed. Thank you to everyone who signed up!",
                        name=programme.name,
                    ),
                    blocks=[],
                )
            except SlackApiError:
                log.warning("could not mark the announcement closed", exc_info=True)
        await refresh_home(client, team_id, user_id)

    @then(app.action(matching(Action.CLOSE_ENROLMENT)))
    async def close_clicked(
        action: dict,
        body: dict,
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: dict,
    ) -> None:
        team_id, user_id = context["team_id"], body["user"]["id"]
        reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
        if not await lead_check(client, team_id=team_id, user_id=user_id):
            await reply(views.NOT_A_LEAD)
            return
        value = action.get("value") or ""
        if value.isdigit():
            await close(client, reply, team_id, user_id, int(value))

    @lead_button(app.action(Action.CLONE_PROGRAMME))
    async def clone_clicked(click: LeadClick) -> None:
        async with deps.db.transaction() as session:
            source = await programmes.get_programme(
                session, team_id=click.team_id, programme_id=click.number
            )
        if source is None:
            await click.reply("That programme is no longer there.")
            return
        await open_setup(click.client, click.trigger_id, source=source)

    @then(app.action(Action.NEW_PROGRAMME))
    async def new_clicked(
        body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
    ) -> None:
        user_id = body["user"]["id"]
        if not await lead_check(client, team_id=context["team_id"], user_id=user_id):
            reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
            await reply(views.NOT_A_LEAD)
            return
        await open_setup(client, body["trigger_id"])

    async def ack_setup(
        ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
    ) -> None:
        """Create the programme inside the acknowledgement, so every problem, a taken name
        included, shows on the form's fields."""
        team_id, user_id = context["team_id"], body["user"]["id"]
        if not await lead_check(client, team_id=team_id, user_id=user_id):
            await ack(
                response_action="errors",
                errors={Field.NAME: "Only programme leads can create programmes."},
            )
            return
        now = deps.clock.now()
        result = validate_programme(form_values(view), today=now.date())
        if isinstance(result, FormErrors):
            await ack(response_action="errors", errors=result.errors)
            return
        metadata = view.get("private_metadata") or ""
        source_id = metadata.removeprefix("clone:")
        try:
            async with deps.db.transaction() as session:
                programme = await programmes.create_programme(
                    session, team_id=team_id, lead_id=user_id, data=result, now=now
                )
                if metadata.startswith("clone:") and source_id.isdigit():
                    source = await programmes.get_programme(
                        session, team_id=team_id, programme_id=int(source_id)
                    )
                    if source is not None:  # another workspace's id is simply ignored
                        await cohorts.adopt(session, source=source, target=programme, now=now)
        except programmes.DuplicateName as exc:
            await ack(response_action="errors", errors={Field.NAME: str(exc)})
            return
        context["created_programme"] = programme.name
        await ack()

    @then(app.view(View.PROGRAMME_SETUP), ack=ack_setup)
    async def setup_submitted(body: dict, client: AsyncWebClient, context: dict) -> None:
        name = context.get("created_programme")
        if name is None:
            return  # the form showed what to fix
        user_id = body["user"]["id"]
        await client.chat_postMessage(
            channel=user_id,
            text=mrkdwn(
                "“{name}” is created as a draft. Open enrolment with {command}.",
                name=name,
                command=code(f"/mentoring-admin open {name}"),
            ),
        )
        await refresh_home(client, context["team_id"], user_id)

    async def check_opening(
        body: dict, view: dict, client: AsyncWebClient, team_id: str
    ) -> tuple[Programme, str] | dict[str, str]:
        """The programme and channel to announce in, or field errors."""
        values = form_values(view)
        raw_id, channel = values.get(Field.PROGRAMME) or "", values.get(Field.CHANNEL)
        if not await lead_check(client, team_id=team_id, user_id=body["user"]["id"]):
            return {Field.PROGRAMME: views.NOT_A_LEAD}
        if not channel:
            return {Field.CHANNEL: "Pick a channel."}
        programme = None
        if raw_id.isdigit():
            async with deps.db.transaction() as session:
                programme = await programmes.get_programme(
                    session, team_id=team_id, programme_id=int(raw_id)
                )
        try:
            if programme is None:
                raise programmes.ProgrammeError("Pick a programme.")
            programmes.check_openable(programme, today=deps.clock.now().date())
        except programmes.ProgrammeError as exc:
            return {Field.PROGRAMME: str(exc)}
        return programme, channel

    async def ack_opening(
        ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
    ) -> None:
        checked = await check_opening(body, view, client, context["team_id"])
        if isinstance(checked, dict):
            await ack(response_action="errors", errors=checked)
        else:
            await ack()

    @then(app.view(View.OPEN_ENROLMENT), ack=ack_opening)
    async def open_submitted(body: dict, view: dict, client: AsyncWebClient, context: dict) -> None:
        team_id, user_id = context["team_id"], body["user"]["id"]
        checked = await check_opening(body, view, client, team_id)
        if isinstance(checked, dict):
            return  # the form showed what to fix
        programme, channel = checked
        text, blocks = announcement(programme)
        try:
            posted = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            await client.chat_postMessage(
                channel=user_id,
                text=mrkdwn(
                    "Enrolment is still closed: {advice} Then run `/mentoring-admin open` again.",
                    advice=channel_advice(error, channel, refused="the announcement"),
                ),
            )
            return
        try:
            async with deps.db.transaction() as session:
                await programmes.open_enrolment(
                    session,
                    team_id=team_id,
                    programme_id=programme.id,
                    channel_id=posted["channel"],
                    announcement_ts=posted["ts"],
                    now=deps.clock.now(),
                )
        except programmes.ProgrammeError as exc:
            # Someone else changed it meanwhile: take the announcement back.
            await client.chat_delete(channel=posted["channel"], ts=posted["ts"])
            await client.chat_postMessage(channel=user_id, text=escape(exc))
            return
        deps.programmes.forget(programme.id)
        await client.chat_postMessage(
            channel=user_id,
            text=mrkdwn(
                "Enrolment for “{name}” is open and announced in {where}.",
                name=programme.name,
                where=channel_link(channel),
            ),
        )
        await ensure_spaces(deps, client, programme_id=programme.id, lead_id=user_id)
        await refresh_home(client, team_id, user_id)
