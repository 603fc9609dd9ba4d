"""`/mentoring-admin`: set-up, open and close enrolment, list. Leads only."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import (
    Access,
    LeadClick,
    Press,
    access_of,
    apply_rule,
    form_refusal,
    lead_button,
    number_in,
    on_command,
    on_press,
    the_one_programme,
)
from bot.flows.chosen_channel import post_in_chosen_channel
from bot.flows.home import publish_home
from bot.flows.matching import match_command, pairs_command
from bot.flows.reports import report_command
from bot.flows.resources import resources_command
from bot.flows.socials import open_social_form
from bot.flows.spaces import ensure_spaces, spaces_command
from bot.flows.stories import stories_command
from bot.ids import Action, Command, Field, View, matching
from bot.models import Programme, ProgrammeStatus
from bot.services import audit, cohorts, leads, programmes, sponsors
from bot.services.matching import choosing
from bot.services.programme_rules import FormErrors, parse_sponsor, validate_programme
from bot.slack.replies import Reply
from bot.slack.routing import FieldErrors, form, then
from bot.views import admin as views
from bot.views import choosing as choosing_views
from bot.views.enrolment import announcement, close_chooser, open_enrolment_modal
from bot.views.mrkdwn import channel as channel_link
from bot.views.mrkdwn import code, escape, join, mrkdwn
from bot.views.programme_setup import leads_modal, setup_modal
from bot.views.state import form_values

log = logging.getLogger(__name__)


async def co_leads_of(deps: Deps, programme_id: int, user_id: str) -> tuple[str, ...]:
    """The programme's other leads, as the set-up and co-leads forms list them for `user_id`."""
    async with deps.db.transaction() as session:
        others = await leads.lead_ids(session, programme_id=programme_id)
    return tuple(u for u in others if u != user_id)


async def open_setup(
    deps: Deps,
    client: AsyncWebClient,
    trigger_id: str,
    *,
    user_id: str,
    source: Programme | None = None,
) -> None:
    """The set-up form, empty or prefilled as the next cohort of `source`."""
    today = deps.clock.now().date()
    if source is None:
        view = setup_modal(today=today)
    else:
        base = cohorts.next_cohort(source, today=today)
        co_leads = await co_leads_of(deps, source.id, user_id)
        view = setup_modal(today=today, base=base, cloned_from=source.id, co_leads=co_leads)
    await client.views_open(trigger_id=trigger_id, view=view)


async def refuse_named(deps: Deps, reply: Reply, access: Access, name: str) -> bool:
    """True after refusing: `name` is a programme of the workspace they do not lead."""
    async with deps.db.transaction() as session:
        named = await programmes.find_programmes(session, team_id=access.team_id, name=name)
    refused = await access.refusal(deps, named[0].id) if named else None
    if refused is not None:
        await reply(refused[0], refused[1])
    return refused is not None


async def refresh_home(deps: Deps, client: AsyncWebClient, team_id: str, user_id: str) -> None:
    await publish_home(deps, client, team_id=team_id, user_id=user_id)


@dataclass(frozen=True)
class AdminAsk:
    """One `/mentoring-admin WORD [argument]` from a lead, after the lead check."""

    deps: Deps
    client: AsyncWebClient
    reply: Reply
    access: Access
    trigger_id: str
    argument: str

    @property
    def team_id(self) -> str:
        return self.access.team_id

    @property
    def user_id(self) -> str:
        return self.access.user_id


async def _help(ask: AdminAsk) -> None:
    await ask.reply(views.ADMIN_HELP)


async def _new(ask: AdminAsk) -> None:
    if ask.access.may_create:
        await open_setup(ask.deps, ask.client, ask.trigger_id, user_id=ask.user_id)
    else:
        await ask.reply(views.NOT_A_CREATOR)


async def leads_command(ask: AdminAsk) -> None:
    """`/mentoring-admin leads [name]`: the set-up form's co-leads, for a programme."""
    programme = await the_one_programme(
        ask.deps,
        ask.reply,
        team_id=ask.team_id,
        lead_id=ask.user_id,
        name=ask.argument,
        word="leads",
    )
    if programme is None:
        return
    co_leads = await co_leads_of(ask.deps, programme.id, ask.user_id)
    view = leads_modal(programme.id, programme.name, co_leads, programme.sponsor_id)
    await ask.client.views_open(trigger_id=ask.trigger_id, view=view)


async def _list(ask: AdminAsk) -> None:
    async with ask.deps.db.transaction() as session:
        led = await programmes.led_programme_ids(session, lead_id=ask.user_id)
        items = await programmes.summaries(session, team_id=ask.team_id, led=led)
    await ask.reply("Programmes", views.programme_list(items))


async def _open(ask: AdminAsk) -> None:
    async with ask.deps.db.transaction() as session:
        candidates = await programmes.find_programmes(
            session, team_id=ask.team_id, statuses=programmes.OPENABLE, lead_id=ask.user_id
        )
    preselect = None
    if ask.argument:
        match = [p for p in candidates if p.name.lower() == ask.argument.lower()]
        if not match:
            await ask.reply(
                mrkdwn("No programme called “{name}” is waiting to open.", name=ask.argument)
            )
            return
        preselect = match[0].id
    elif len(candidates) == 1:
        preselect = candidates[0].id
    if not candidates:
        await ask.reply("No programme is waiting to open. Create one with `/mentoring-admin new`.")
        return
    await ask.client.views_open(
        trigger_id=ask.trigger_id, view=open_enrolment_modal(candidates, preselect=preselect)
    )


async def _close(ask: AdminAsk) -> None:
    async with ask.deps.db.transaction() as session:
        enrolling = await programmes.find_programmes(
            session,
            team_id=ask.team_id,
            statuses=(ProgrammeStatus.ENROLLING,),
            name=ask.argument or None,
            lead_id=ask.user_id,
        )
    if not enrolling:
        named = mrkdwn("called “{name}” ", name=ask.argument) if ask.argument else ""
        await ask.reply(mrkdwn("No programme {named}is open for enrolment.", named=named))
    elif len(enrolling) == 1:
        await close(ask.deps, ask.client, ask.reply, ask.team_id, ask.user_id, enrolling[0].id)
    else:
        await ask.reply("Which programme?", close_chooser(enrolling))


async def _clone(ask: AdminAsk) -> None:
    async with ask.deps.db.transaction() as session:
        found = await programmes.find_programmes(
            session, team_id=ask.team_id, name=ask.argument or None, lead_id=ask.user_id
        )
    if len(found) == 1:
        await open_setup(ask.deps, ask.client, ask.trigger_id, user_id=ask.user_id, source=found[0])
    elif not found:
        named = mrkdwn(" called “{name}”", name=ask.argument) if ask.argument else ""
        await ask.reply(
            mrkdwn("There is no programme{named} to start the next cohort from.", named=named)
        )
    else:
        names = join(", ", (mrkdwn("“{name}”", name=p.name) for p in found))
        await ask.reply(
            mrkdwn(
                "Which programme? Name one: `/mentoring-admin clone NAME` ({names}).", names=names
            )
        )


def _named(command: NamedCommand) -> AdminWork:
    """A flow that takes the programme's name: `/mentoring-admin report NAME` and the like."""

    async def run(ask: AdminAsk) -> None:
        await command(
            ask.deps,
            ask.client,
            ask.reply,
            team_id=ask.team_id,
            lead_id=ask.user_id,
            name=ask.argument,
        )

    return run


async def _social(ask: AdminAsk) -> None:
    await open_social_form(
        ask.deps,
        ask.client,
        ask.reply,
        team_id=ask.team_id,
        lead_id=ask.user_id,
        name=ask.argument,
        trigger_id=ask.trigger_id,
    )


async def _audit(ask: AdminAsk) -> None:
    async with ask.deps.db.transaction() as session:
        seen = await audit.recent(session, team_id=ask.team_id, programme_ids=ask.access.led)
    await ask.reply("Audit log", views.audit_log(seen))


AdminWork = Callable[[AdminAsk], Awaitable[None]]
NamedCommand = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Word:
    work: AdminWork
    # The argument names a programme: one the person does not lead is refused before the
    # work runs, naming the leads to ask.
    names_programme: bool = True


# Every `/mentoring-admin` word; the help (views.ADMIN_WORDS) lists exactly these, in order.
ADMIN_WORDS: dict[str, Word] = {
    "new": Word(_new, names_programme=False),
    "open": Word(_open),
    "close": Word(_close),
    "match": Word(_named(partial(match_command, again=False))),
    "rematch": Word(_named(partial(match_command, again=True))),
    "pairs": Word(_named(pairs_command)),
    "report": Word(_named(report_command)),
    "spaces": Word(_named(spaces_command)),
    "resources": Word(_named(resources_command)),
    "stories": Word(_named(stories_command)),
    "social": Word(_social),
    "audit": Word(_audit, names_programme=False),
    "clone": Word(_clone),
    "leads": Word(leads_command),
    "list": Word(_list, names_programme=False),
    "help": Word(_help, names_programme=False),
}


async def admin_command(press: Press) -> None:
    deps, client, reply = press.deps, press.client, press.reply
    access = await access_of(deps, client, team_id=press.team_id, user_id=press.user_id)
    if not access.is_any_lead:
        await reply(views.NOT_A_LEAD)
        return
    word, _, argument = press.value.strip().partition(" ")
    word, argument = word.lower() or "help", argument.strip()
    chosen = ADMIN_WORDS.get(word)
    if chosen is None:
        await reply(views.unknown_subcommand(Command.ADMIN, word, views.ADMIN_HELP))
        return
    if chosen.names_programme and argument and await refuse_named(deps, reply, access, argument):
        return
    await chosen.work(AdminAsk(deps, client, reply, access, press.trigger_id, argument))


async def checked_co_leads(
    deps: Deps, client: AsyncWebClient, team_id: str, view: dict
) -> list[str] | str:
    """The co-leads picked on a form, or what to fix: people only, no apps."""
    picked = form_values(view).get(Field.CO_LEADS) or []
    for user_id in picked:
        profile = await deps.profiles.get(client, team_id=team_id, user_id=user_id)
        if profile.is_bot or profile.deleted:
            return "Pick people who work here: apps and deactivated accounts cannot lead."
    if len(set(picked)) >= leads.MAX_LEADS:
        return f"A programme can have at most {leads.MAX_LEADS} leads."
    return list(picked)


async def checked_sponsor(
    deps: Deps, client: AsyncWebClient, team_id: str, sponsor_id: str | None, lead_ids: set[str]
) -> str | None:
    """What to fix about the sponsor picked beside these leads, or None: a person, not a lead."""
    if sponsor_id is None:
        return None
    profile = await deps.profiles.get(client, team_id=team_id, user_id=sponsor_id)
    if profile.is_bot or profile.deleted:
        return "Pick someone who works here: an app or a deactivated account cannot sponsor."
    return programmes.check_sponsor(sponsor_id, lead_ids=lead_ids)


async def check_leads(
    deps: Deps, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> bool | FieldErrors:
    team_id, user_id = context["team_id"], body["user"]["id"]
    programme_id = number_in(view.get("private_metadata"))
    refused = await form_refusal(
        deps, client, context, owner=leads.programme_of_programme, number=programme_id
    )
    co_leads = await checked_co_leads(deps, client, team_id, view)
    if refused:
        return FieldErrors({Field.CO_LEADS: refused})
    if isinstance(co_leads, str):
        return FieldErrors({Field.CO_LEADS: co_leads})
    errors = FormErrors()
    picked = parse_sponsor(form_values(view), errors)  # {} when the form does not ask
    sponsor = picked.get("sponsor_id")
    wrong = errors.errors.get(Field.SPONSOR) or await checked_sponsor(
        deps, client, team_id, sponsor, {user_id, *co_leads}
    )
    if wrong:
        return FieldErrors({Field.SPONSOR: wrong})
    assert programme_id is not None
    async with deps.db.transaction() as session:
        now = deps.clock.now()
        await leads.set_co_leads(
            session, programme_id=programme_id, acting_lead=user_id, co_leads=co_leads, now=now
        )
        if picked:
            await sponsors.name_sponsor(session, programme_id=programme_id, sponsor_id=sponsor)
    return True


async def leads_submitted(deps: Deps, body: dict, client: AsyncWebClient, context: dict) -> None:
    await refresh_home(deps, client, context["team_id"], body["user"]["id"])


async def take_over_clicked(press: Press) -> None:
    """A workspace admin confirmed adding themselves as a lead (Slack asked them first)."""
    deps, team_id, user_id, reply = press.deps, press.team_id, press.user_id, press.reply
    programme_id = number_in(press.value)
    access = await access_of(deps, press.client, team_id=team_id, user_id=user_id)
    if not access.is_admin or programme_id is None:
        await reply(views.NOT_A_LEAD)
        return
    try:
        name = await apply_rule(
            deps, leads.take_over, team_id=team_id, programme_id=programme_id, admin_id=user_id
        )
    except leads.LeadError as exc:
        await reply(str(exc))
        return
    await reply(views.took_over(name), replace_original=True)
    await refresh_home(deps, press.client, team_id, user_id)


async def close(
    deps: Deps, client: AsyncWebClient, reply: Reply, team_id: str, user_id: str, programme_id: int
) -> None:
    try:
        programme, invited = await apply_rule(
            deps, choosing.close_enrolment, team_id=team_id, programme_id=programme_id
        )
    except programmes.ProgrammeError as exc:
        await reply(escape(exc), replace_original=True)
        return
    deps.programmes.forget(programme.id)
    await reply(
        choosing_views.invited(programme.name, invited, programme.answer_days)
        if choosing.choosing_open(programme)
        else mrkdwn("Enrolment for “{name}” is closed. Next: matching.", name=programme.name),
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
    await refresh_home(deps, client, team_id, user_id)


async def close_clicked(click: LeadClick) -> None:
    deps = click.deps
    await close(deps, click.client, click.reply, click.team_id, click.lead_id, click.programme_id)


async def clone_clicked(click: LeadClick) -> None:
    deps = click.deps
    async with deps.db.transaction() as session:
        source = await programmes.get_programme(
            session, team_id=click.team_id, programme_id=click.number
        )
    if source is None:
        await click.reply("That programme is no longer there.")
        return
    await open_setup(deps, click.client, click.trigger_id, user_id=click.lead_id, source=source)


async def new_clicked(
    deps: Deps, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
) -> None:
    user_id = body["user"]["id"]
    access = await access_of(deps, client, team_id=context["team_id"], user_id=user_id)
    if not access.may_create:
        reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
        await reply(views.NOT_A_CREATOR)
        return
    await open_setup(deps, client, body["trigger_id"], user_id=user_id)


async def check_setup(
    deps: Deps, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> str | FieldErrors:
    """Create the programme inside the acknowledgement, so every problem, a taken name
    included, shows on the form's fields."""
    team_id, user_id = context["team_id"], body["user"]["id"]
    access = await access_of(deps, client, team_id=team_id, user_id=user_id)
    if not access.may_create:
        return FieldErrors({Field.NAME: views.NOT_A_CREATOR})
    now = deps.clock.now()
    result = validate_programme(form_values(view), today=now.date())
    if isinstance(result, FormErrors):
        return FieldErrors(result.errors)
    co_leads = await checked_co_leads(deps, client, team_id, view)
    if isinstance(co_leads, str):
        return FieldErrors({Field.CO_LEADS: co_leads})
    wrong = await checked_sponsor(deps, client, team_id, result.sponsor_id, {user_id, *co_leads})
    if wrong:
        return FieldErrors({Field.SPONSOR: wrong})
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
                # Another workspace's programme, or one they do not lead, is simply ignored.
                if source is not None and access.leads(source.id):
                    await cohorts.adopt(session, source=source, target=programme, now=now)
            await leads.set_co_leads(
                session,
                programme_id=programme.id,
                acting_lead=user_id,
                co_leads=co_leads,
                now=now,
            )
    except programmes.DuplicateName as exc:
        return FieldErrors({Field.NAME: str(exc)})
    return programme.name


async def setup_submitted(
    deps: Deps, checked: str, body: dict, client: AsyncWebClient, context: dict
) -> None:
    name = checked  # the programme created
    user_id = body["user"]["id"]
    await client.chat_postMessage(
        channel=user_id,
        text=mrkdwn(
            "“{name}” is created as a draft. Open enrolment with {command}.",
            name=name,
            command=code(f"/mentoring-admin open {name}"),
        ),
    )
    await refresh_home(deps, client, context["team_id"], user_id)


async def check_opening(
    deps: Deps, view: dict, client: AsyncWebClient, context: dict, team_id: str
) -> tuple[Programme, str] | dict[str, str]:
    """The programme and channel to announce in, or field errors."""
    values = form_values(view)
    raw_id, channel = values.get(Field.PROGRAMME) or "", values.get(Field.CHANNEL)
    refused = await form_refusal(
        deps, client, context, owner=leads.programme_of_programme, number=number_in(raw_id)
    )
    if refused and raw_id:
        return {Field.PROGRAMME: refused}
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


async def open_submitted(
    deps: Deps,
    checked: tuple[Programme, str],
    body: dict,
    client: AsyncWebClient,
    context: dict,
) -> None:
    team_id, user_id = context["team_id"], body["user"]["id"]
    programme, channel = checked
    posted = await post_in_chosen_channel(
        client,
        lead_id=user_id,
        channel=channel,
        message=announcement(programme),
        refused="the announcement",
        advised=lambda advice: mrkdwn(
            "Enrolment is still closed: {advice} Then run `/mentoring-admin open` again.",
            advice=advice,
        ),
    )
    if posted is None:
        return
    try:
        await apply_rule(
            deps,
            programmes.open_enrolment,
            team_id=team_id,
            programme_id=programme.id,
            channel_id=posted["channel"],
            announcement_ts=posted["ts"],
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
    await refresh_home(deps, client, team_id, user_id)


def register(app: AsyncApp) -> None:
    on_command(app.command(Command.ADMIN), admin_command)
    form(app.view(View.PROGRAMME_LEADS), check=check_leads, writes=True)(leads_submitted)
    on_press(app.action(Action.TAKE_OVER_PROGRAMME), take_over_clicked)
    lead_button(app.action(matching(Action.CLOSE_ENROLMENT)), owner=leads.programme_of_programme)(
        close_clicked
    )
    lead_button(app.action(Action.CLONE_PROGRAMME), owner=leads.programme_of_programme)(
        clone_clicked
    )
    then(app.action(Action.NEW_PROGRAMME))(new_clicked)
    form(app.view(View.PROGRAMME_SETUP), check=check_setup, writes=True)(setup_submitted)
    form(app.view(View.OPEN_ENROLMENT), check=check_opening)(open_submitted)
