"""The participant's support buttons on the App Home: raise a concern, pause the pair, ask for
a new partner, leave. Each opens the same flow as its `/mentoring` word."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import opens_form
from bot.flows.concerns import start_concern
from bot.flows.participation import start_leave
from bot.flows.pauses import start_pause
from bot.flows.rematch import start_rematch
from bot.ids import Action
from bot.slack.replies import Reply
from bot.slack.routing import then


def who(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> tuple[str, Reply]:
    user_id = body["user"]["id"]
    return user_id, Reply(client=client, user_id=user_id, respond=respond, body=body)


async def rematch_clicked(
    deps: Deps, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
) -> None:
    user_id, reply = who(body, client, respond)
    await start_rematch(deps, client, reply, team_id=context["team_id"], user_id=user_id)


async def leave_clicked(
    deps: Deps, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
) -> None:
    user_id, reply = who(body, client, respond)
    await start_leave(deps, reply, team_id=context["team_id"], user_id=user_id)


def register(app: AsyncApp, deps: Deps) -> None:
    opens_form(app.action(Action.RAISE_CONCERN), start_concern)
    opens_form(app.action(Action.HOME_PAUSE), start_pause)
    then(app.action(Action.HOME_REMATCH))(rematch_clicked)
    then(app.action(Action.HOME_LEAVE))(leave_clicked)
