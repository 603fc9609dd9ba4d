"""`/mentoring concern` (or the Home button): a confidential message to the programme's leads
and neutral supporter, and the replies between them, each checked against who may take part."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Action, Field, View
from bot.services import concerns
from bot.services.concerns import ConcernError, Thread
from bot.slack.replies import Reply
from bot.slack.routing import FieldErrors, form, then
from bot.views import concerns as views
from bot.views.mrkdwn import escape
from bot.views.state import form_values


async def tell_helpers(
    client: AsyncWebClient, thread: Thread, text: str, author_id: str, *, first: bool
) -> None:
    heading, blocks = views.to_helpers(thread, text, author_id=author_id, first=first)
    for helper in thread.helpers:
        if helper != author_id:
            await client.chat_postMessage(channel=helper, text=heading, blocks=blocks)


async def check_text(view: dict) -> str | FieldErrors:
    """The concern or reply, once it says enough."""
    text = str(form_values(view).get(Field.CONCERN_TEXT) or "")
    problem = concerns.check_text(text)
    return FieldErrors({Field.CONCERN_TEXT: problem}) if problem else text


async def concern_submitted(
    deps: Deps, checked: str, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    text = checked
    raw = str(form_values(view).get(Field.PROGRAMME) or view.get("private_metadata") or "")
    user_id = body["user"]["id"]
    if not raw.isdigit():
        return
    try:
        async with deps.db.transaction() as session:
            thread = await concerns.raise_concern(
                session,
                team_id=context["team_id"],
                user_id=user_id,
                programme_id=int(raw),
                text=text,
                now=deps.clock.now(),
            )
    except ConcernError as exc:
        await client.chat_postMessage(channel=user_id, text=escape(exc))
        return
    await tell_helpers(client, thread, text, user_id, first=True)
    await client.chat_postMessage(channel=user_id, text=views.raised(thread.programme))


async def allowed_thread(
    deps: Deps,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> tuple[Thread, Reply] | None:
    user_id = body["user"]["id"]
    reply = Reply(client=client, user_id=user_id, respond=respond, body=body)
    value = action.get("value") or ""
    try:
        if not value.isdigit():
            raise ConcernError("That button is not valid any more.")
        async with deps.db.transaction() as session:
            thread = await concerns.thread(
                session, team_id=context["team_id"], concern_id=int(value)
            )
        if user_id != thread.participant_user and user_id not in thread.helpers:
            raise ConcernError("This conversation is not yours to join.")
    except ConcernError as exc:
        await reply(escape(exc))
        return None
    return thread, reply


async def reply_clicked(
    deps: Deps,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    found = await allowed_thread(deps, action, body, client, respond, context)
    if found is not None:
        await client.views_open(trigger_id=body["trigger_id"], view=views.reply_modal(found[0]))


async def reply_submitted(
    deps: Deps, checked: str, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    text = checked
    raw = view.get("private_metadata") or ""
    user_id = body["user"]["id"]
    if not raw.isdigit():
        return
    try:
        async with deps.db.transaction() as session:
            thread = await concerns.reply(
                session,
                team_id=context["team_id"],
                concern_id=int(raw),
                user_id=user_id,
                text=text,
                now=deps.clock.now(),
            )
    except ConcernError as exc:
        await client.chat_postMessage(channel=user_id, text=escape(exc))
        return
    await tell_helpers(client, thread, text, user_id, first=False)
    if user_id != thread.participant_user:
        heading, blocks = views.to_participant(thread, text, author_id=user_id)
        await client.chat_postMessage(channel=thread.participant_user, text=heading, blocks=blocks)
    await client.chat_postMessage(channel=user_id, text="Your reply is sent.")


async def close_clicked(
    deps: Deps,
    action: dict,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    found = await allowed_thread(deps, action, body, client, respond, context)
    if found is None:
        return
    thread, reply = found
    user_id = body["user"]["id"]
    try:
        async with deps.db.transaction() as session:
            await concerns.close(
                session,
                team_id=context["team_id"],
                concern_id=thread.concern_id,
                user_id=user_id,
                now=deps.clock.now(),
            )
    except ConcernError as exc:
        await reply(escape(exc))
        return
    words = views.closed(thread, user_id)
    for person in {thread.participant_user, *thread.helpers}:
        await client.chat_postMessage(channel=person, text=words)


def register(app: AsyncApp, deps: Deps) -> None:
    form(app.view(View.CONCERN), check=check_text)(concern_submitted)
    then(app.action(Action.CONCERN_REPLY))(reply_clicked)
    form(app.view(View.CONCERN_REPLY), check=check_text)(reply_submitted)
    then(app.action(Action.CONCERN_CLOSE))(close_clicked)
