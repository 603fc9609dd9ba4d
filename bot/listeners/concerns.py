"""`/mentoring concern` (or the Home button): a confidential message to the programme's leads
and neutral supporter, and the replies between them, each checked against who may take part."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import Click, apply_as_sender, button
from bot.ids import Action, Field, View
from bot.services import concerns
from bot.services.concerns import ConcernError, Thread
from bot.slack.routing import FieldErrors, form
from bot.views import concerns as views
from bot.views.state import form_values


async def tell_helpers(
    client: AsyncWebClient, thread: Thread, text: str, author_id: str, *, first: bool
) -> None:
    heading, blocks = views.to_helpers(thread, text, author_id=author_id, first=first)
    for helper in thread.helpers:
        if helper != author_id:
            await client.chat_postMessage(channel=helper, text=heading, blocks=blocks)


async def written(
    deps: Deps,
    context: dict,
    client: AsyncWebClient,
    rule: Callable[..., Awaitable[Thread]],
    text: str,
    *,
    first: bool,
    **named: Any,
) -> Thread:
    """The sender's text written into a conversation by `rule` (raise or reply), and passed
    on to its helpers."""
    thread = await apply_as_sender(deps, context, rule, text=text, **named)
    await tell_helpers(client, thread, text, context["user_id"], first=first)
    return thread


async def check_text(view: dict) -> str | FieldErrors:
    """The concern or reply, once it says enough."""
    text = str(form_values(view).get(Field.CONCERN_TEXT) or "")
    problem = concerns.check_text(text)
    return FieldErrors({Field.CONCERN_TEXT: problem}) if problem else text


async def concern_submitted(
    deps: Deps, checked: str, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    raw = str(form_values(view).get(Field.PROGRAMME) or view.get("private_metadata") or "")
    user_id = body["user"]["id"]
    if not raw.isdigit():
        return
    thread = await written(
        deps, context, client, concerns.raise_concern, checked, first=True, programme_id=int(raw)
    )
    await client.chat_postMessage(channel=user_id, text=views.raised(thread.programme))


async def allowed_thread(click: Click) -> Thread:
    """The conversation behind a button, if this person takes part in it."""
    async with click.deps.db.transaction() as session:
        thread = await concerns.thread(session, team_id=click.team_id, concern_id=click.number)
    if click.user_id != thread.participant_user and click.user_id not in thread.helpers:
        raise ConcernError("This conversation is not yours to join.")
    return thread


async def reply_clicked(click: Click) -> None:
    thread = await allowed_thread(click)
    await click.client.views_open(trigger_id=click.trigger_id, view=views.reply_modal(thread))


async def reply_submitted(
    deps: Deps, checked: str, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    text = checked
    raw = view.get("private_metadata") or ""
    user_id = body["user"]["id"]
    if not raw.isdigit():
        return
    thread = await written(
        deps, context, client, concerns.reply, text, first=False, concern_id=int(raw)
    )
    if user_id != thread.participant_user:
        heading, blocks = views.to_participant(thread, text, author_id=user_id)
        await client.chat_postMessage(channel=thread.participant_user, text=heading, blocks=blocks)
    await client.chat_postMessage(channel=user_id, text="Your reply is sent.")


async def close_clicked(click: Click) -> None:
    thread = await allowed_thread(click)
    await click.apply(concerns.close, concern_id=thread.concern_id)
    words = views.closed(thread, click.user_id)
    for person in {thread.participant_user, *thread.helpers}:
        await click.client.chat_postMessage(channel=person, text=words)


def register(app: AsyncApp) -> None:
    form(app.view(View.CONCERN), check=check_text, tells_refusals=True)(concern_submitted)
    button(app.action(Action.CONCERN_REPLY))(reply_clicked)
    form(app.view(View.CONCERN_REPLY), check=check_text, tells_refusals=True)(reply_submitted)
    button(app.action(Action.CONCERN_CLOSE))(close_clicked)
