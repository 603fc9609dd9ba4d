"""Every Slack route of the app, wired in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.deps import Deps
from bot.listeners import (
    admin,
    agreements,
    balance,
    checkins,
    chemistry,
    choosing,
    concerns,
    data_rights,
    errors,
    guarded_ack,
    home,
    matching,
    members,
    momentum,
    participant,
    pauses,
    preparation,
    rematch,
    resources,
    socials,
    spaces,
    sponsors,
    stories,
    support,
    surveys,
    workspace_events,
)
from bot.slack.routing import every_request


def register(app: AsyncApp, deps: Deps) -> None:
    errors.register(app)

    async def with_deps(req: AsyncBoltRequest, next_: Callable[[], Awaitable[None]]) -> None:
        # Handlers are module-level functions: Bolt passes them `deps` by name from here.
        req.context["deps"] = deps
        await next_()

    every_request(app, with_deps)
    every_request(app, guarded_ack.install(deps.http))
    # Bolt tries routes in this order for every request: the busiest go first.
    for feature in (
        participant,
        checkins,
        balance,
        surveys,
        chemistry,
        agreements,
        home,
        admin,
        matching,
        choosing,
        momentum,
        stories,
        concerns,
        data_rights,
        spaces,
        resources,
        preparation,
        socials,
        rematch,
        pauses,
        sponsors,
        support,
        members,
        workspace_events,
    ):
        feature.register(app)
