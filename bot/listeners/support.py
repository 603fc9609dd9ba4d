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


def register(app: AsyncApp, deps: Deps) -> None:
    def who(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> tuple[str, Reply]:
        user_id = body["user"]["id"]
        return user_id, Reply(client=client, user_id=user_id, respond=respond, body=body)

    def opens(action: str, starter: FormStarter) -> None:
        async def clicked(
            body: dict, client: AsyncWebClient, respond: AsyncRespond, context: dict
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

    opens(Action.RAISE_CONCERN, start_concern)
    opens(Action.HOME_PAUSE, start_pause)

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
