"""The participant's support buttons on the App Home: raise a concern, pause the pair, ask for
a new partner, leave. Each opens the same flow as its `/mentoring` word."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.concerns import start_concern
from bot.flows.participation import start_leave
from bot.flows.pauses import start_pause
from bot.flows.rematch import start_rematch
from bot.ids import Action
from bot.slack.replies import Reply
from bot.slack.routing import then

FormStarter = Callable[..., Awaitable[None]]


def who(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> tuple[str, Reply]:
    user_id = body["user"]["id"]
    return user_id, Reply(client=client, user_id=user_id, respond=respond, body=body)


def opens(app: AsyncApp, action: str, starter: FormStarter) -> None:
    """A Home button that opens the same form as its `/mentoring` word."""

    async def clicked(
        deps: Deps, body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
    ) -> None:
        user_id, reply = who(body, client, respond)
        await starter(
            deps,
            client,
            reply,
            team_id=context["team_id"],
            user_id=user_id,
            trigger_id=body["trigger_id"],
        )

    clicked.__name__ = f"{action}_clicked"
    then(app.action(action))(clicked)


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
    opens(app, Action.RAISE_CONCERN, start_concern)
    opens(app, Action.HOME_PAUSE, start_pause)
    then(app.action(Action.HOME_REMATCH))(rematch_clicked)
    then(app.action(Action.HOME_LEAVE))(leave_clicked)
