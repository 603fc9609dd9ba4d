"""The participant's support buttons on the App Home: raise a concern, pause the pair, ask for
a new partner, leave. Each opens the same flow as its `/mentoring` word."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.ids import Action
from bot.listeners.concerns import start_concern
from bot.listeners.participant import start_leave
from bot.listeners.pauses import start_pause
from bot.listeners.rematch import start_rematch
from bot.listeners.replies import Reply
from bot.listeners.routing import then


def register(app: AsyncApp, deps: Deps) -> None:
    def who(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> tuple[str, Reply]:
        user_id = body["user"]["id"]
        return user_id, Reply(client=client, user_id=user_id, respond=respond, body=body)

    @then(app.action(Action.RAISE_CONCERN))
    async def concern_clicked(
        body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
    ) -> None:
        user_id, reply = who(body, client, respond)
        await start_concern(
            deps,
            client,
            reply,
            team_id=context["team_id"],
            user_id=user_id,
            trigger_id=body["trigger_id"],
        )

    @then(app.action(Action.HOME_PAUSE))
    async def pause_clicked(
        body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
    ) -> None:
        user_id, reply = who(body, client, respond)
        await start_pause(
            deps,
            client,
            reply,
            team_id=context["team_id"],
            user_id=user_id,
            trigger_id=body["trigger_id"],
        )

    @then(app.action(Action.HOME_REMATCH))
    async def rematch_clicked(
        body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
    ) -> None:
        user_id, reply = who(body, client, respond)
        await start_rematch(deps, client, reply, team_id=context["team_id"], user_id=user_id)

    @then(app.action(Action.HOME_LEAVE))
    async def leave_clicked(
        body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
    ) -> None:
        user_id, reply = who(body, client, respond)
        await start_leave(deps, reply, team_id=context["team_id"], user_id=user_id)
