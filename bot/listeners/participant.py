"""`/mentoring`, the Join button and shortcut, the sign-up modal, status and leave."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import (
    Ask,
    AskWork,
    Click,
    Press,
    ask_of,
    button,
    like_its_word,
    on_command,
)
from bot.flows.checkins import show_actions, start_checkin
from bot.flows.concerns import start_concern
from bot.flows.data_rights import send_my_data
from bot.flows.endings import announce
from bot.flows.home import publish_home, queue_home, send_homes
from bot.flows.participation import start_leave
from bot.flows.pauses import start_pause
from bot.flows.rematch import start_rematch
from bot.flows.spaces import invite_newcomer, leave_spaces
from bot.flows.stories import start_story
from bot.ids import Action, Command, Field, Shortcut, View, matching
from bot.models import ParticipantStatus
from bot.services import resources, signup
from bot.services.people import Profile
from bot.services.programme_cache import ProgrammeSnapshot
from bot.services.programme_rules import FormErrors
from bot.services.programmes import get_programme
from bot.slack.replies import Reply
from bot.slack.routing import FieldErrors, form, step, then
from bot.views import admin as admin_views
from bot.views import signup as views
from bot.views.mrkdwn import mrkdwn
from bot.views.state import form_values
from bot.views.support import erase_confirmation

log = logging.getLogger(__name__)

NO_OPEN_PROGRAMME = (
    "No programme is open for enrolment right now. Your programme lead will announce the next one."
)


async def start_join(ask: Ask) -> None:
    """Open the sign-up form: for the programme asked for, or a picker when several are open."""
    deps, reply, team_id, user_id = ask.deps, ask.reply, ask.team_id, ask.user_id
    programme_id = ask.number
    today = deps.clock.now().date()
    existing = None
    async with deps.db.reads() as session:  # only reads: no BEGIN and COMMIT to wait for
        open_ids = await signup.open_programme_ids(session, team_id=team_id, today=today)
        closed = None
        if programme_id is not None and programme_id not in open_ids:
            closed = await get_programme(session, team_id=team_id, programme_id=programme_id)
        elif programme_id is not None:
            open_ids = [programme_id]
        if closed is None and len(open_ids) == 1:
            existing = await signup.answers_to_edit(
                session, programme_id=open_ids[0], user_id=user_id
            )
    if programme_id is not None and programme_id not in open_ids:
        name = mrkdwn("“{name}”", name=closed.name) if closed else "that programme"
        await reply(mrkdwn("Enrolment for {name} is closed.", name=name))
        return
    # The forms are built from cached snapshots: the join itself reads only ids.
    candidates = [
        snapshot
        for snapshot in [
            await deps.programmes.get(team_id=team_id, programme_id=i) for i in open_ids
        ]
        if snapshot is not None
    ]
    if not candidates:
        await reply(NO_OPEN_PROGRAMME)
    elif len(candidates) == 1:
        await ask.client.views_open(
            trigger_id=ask.trigger_id, view=views.signup_modal(candidates[0], existing)
        )
    else:
        await ask.client.views_open(trigger_id=ask.trigger_id, view=views.picker_modal(candidates))


async def start_edit(ask: Ask) -> None:
    """The sign-up form again, for the programme asked for or the only one still editable."""
    if ask.number is not None:
        await start_join(ask)
        return
    async with ask.deps.db.reads() as session:
        mine = await signup.participations(session, team_id=ask.team_id, user_id=ask.user_id)
    editable = [p for p in mine if p.can_edit]
    if not editable:
        if any(p.status == ParticipantStatus.SIGNED_UP for p in mine):
            await ask.reply("Matching has started, so your answers can no longer be changed.")
        else:
            await ask.reply("You haven't signed up to a programme. Try `/mentoring join`.")
        return
    only = editable[0].programme_id if len(editable) == 1 else None
    await start_join(replace(ask, number=only))


async def show_status(ask: Ask) -> None:
    async with ask.deps.db.reads() as session:
        mine = await signup.participations(session, team_id=ask.team_id, user_id=ask.user_id)
    await ask.reply("Your programmes", views.status_message(mine))


async def confirm_erase(ask: Ask) -> None:
    await ask.reply("Erase your data?", erase_confirmation())


# Every `/mentoring` word, in the help's order: views.PARTICIPANT_WORDS lists exactly these.
PARTICIPANT_WORDS: dict[str, AskWork | None] = {
    "join": start_join,
    "status": show_status,
    "edit": start_edit,
    "checkin": start_checkin,
    "actions": show_actions,
    "concern": start_concern,
    "pause": start_pause,
    "rematch": start_rematch,
    "story": start_story,
    "mydata": send_my_data,
    "delete": confirm_erase,
    "leave": start_leave,
    "help": None,  # answered in the acknowledgement, like a word it does not know
}


def command_word(text: str) -> str:
    return text.strip().split(" ", 1)[0].lower() or "help"


async def ack_command(ack: AsyncAck, command: dict) -> None:
    word = command_word(command.get("text") or "")
    if word == "help":
        await ack(text=admin_views.PARTICIPANT_HELP)
    elif word not in PARTICIPANT_WORDS:
        await ack(
            text=admin_views.unknown_subcommand(
                Command.PARTICIPANT, word, admin_views.PARTICIPANT_HELP
            )
        )
    else:
        await ack()


async def mentoring_command(press: Press) -> None:
    work = PARTICIPANT_WORDS.get(command_word(press.value))
    if work is None:
        return  # answered in the acknowledgement
    await work(ask_of(press))


async def programme_picked(deps: Deps, body: dict, view: dict, context: dict) -> dict | FieldErrors:
    """The sign-up form for the programme picked, in place of the picker."""
    user_id = body["user"]["id"]
    raw = form_values(view).get(Field.PROGRAMME) or ""
    today = deps.clock.now().date()
    team_id = context["team_id"]
    chosen, existing = None, None
    async with deps.db.transaction() as session:
        open_ids = await signup.open_programme_ids(session, team_id=team_id, today=today)
        if raw.isdigit() and int(raw) in open_ids:
            existing = await signup.answers_to_edit(session, programme_id=int(raw), user_id=user_id)
    if raw.isdigit() and int(raw) in open_ids:
        chosen = await deps.programmes.get(team_id=team_id, programme_id=int(raw))
    if chosen is None:
        return FieldErrors({Field.PROGRAMME: "Enrolment for that programme has closed."})
    return views.signup_modal(chosen, existing)


# The programme signed up to and the answers given.
Signup = tuple[ProgrammeSnapshot, signup.SignupInput]


async def check_signup(deps: Deps, body: dict, view: dict, team_id: str) -> Signup | dict[str, str]:
    """The validated answers, or field errors. Pure but for the cached programme snapshot,
    which keeps the database out of the acknowledgement (the save checks enrolment again)."""
    programme_id = views.read_metadata(view.get("private_metadata"))
    programme = None
    if programme_id is not None:
        programme = await deps.programmes.get(team_id=team_id, programme_id=programme_id)
    today = deps.clock.now().date()
    if programme is None or not signup.is_open_for_enrolment(programme, today=today):
        return {Field.ROLE: "Enrolment for this programme has closed."}
    result = signup.validate_signup(
        form_values(view), programme=programme, user_id=body["user"]["id"]
    )
    return result.errors if isinstance(result, FormErrors) else (programme, result)


async def signup_submitted(
    deps: Deps, checked: Signup, body: dict, client: AsyncWebClient, context: dict
) -> None:
    team_id, user = context["team_id"], body["user"]
    programme, answers = checked
    try:
        profile = await deps.profiles.get(client, team_id=team_id, user_id=user["id"])
    except Exception:
        # The answers matter more than the profile; it is refreshed on a later visit.
        log.warning("users.info failed for a sign-up; saving without time zone", exc_info=True)
        profile = Profile(user_id=user["id"], display_name=user.get("name", ""), tz=None)
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        _, created = await signup.sign_up(
            session,
            team_id=team_id,
            programme_id=programme.id,
            profile=profile,
            data=answers,
            now=now,
        )
        home = await queue_home(session, deps, team_id=team_id, profile=profile)
        theirs = (
            await resources.welcome_newcomer(
                session, programme_id=programme.id, side=answers.role, user_id=user["id"], now=now
            )
            if created
            else []
        )

    await client.chat_postMessage(
        channel=user["id"], text=views.signed_up_message(programme, created=created)
    )
    await send_homes(deps, [home])
    await invite_newcomer(deps, client, theirs, user["id"])


async def leave_confirmed(click: Click) -> None:
    deps, client, user_id = click.deps, click.client, click.user_id
    programme, endings = await click.apply(signup.withdraw, programme_id=click.number)
    await click.reply(
        mrkdwn(
            "You've left “{name}”. Thank you for your interest; you're welcome back "
            "while enrolment is open.",
            name=programme.name,
        ),
        replace_original=True,
    )
    for ending in endings:
        await announce(client, ending, decider=ending.pair.member(user_id))
    await leave_spaces(
        deps, client, team_id=click.team_id, programme_id=programme.id, user_id=user_id
    )
    await publish_home(deps, client, team_id=click.team_id, user_id=user_id)


async def leave_cancelled(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
    user_id = body["user"]["id"]
    reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
    await reply("Great, you're staying in.", replace_original=True)


def register(app: AsyncApp) -> None:
    on_command(app.command(Command.PARTICIPANT), mentoring_command, ack=ack_command)
    like_its_word(app.action(Action.JOIN), start_join)
    like_its_word(app.shortcut(Shortcut.JOIN), start_join)
    like_its_word(app.action(matching(Action.EDIT_SIGNUP)), start_edit)
    step(app.view(View.SIGNUP_PICK), check=programme_picked)
    form(app.view(View.SIGNUP), check=check_signup, tells_refusals=True)(signup_submitted)
    button(app.action(Action.LEAVE_CONFIRM), replace=True)(leave_confirmed)
    then(app.action(Action.LEAVE_CANCEL))(leave_cancelled)
