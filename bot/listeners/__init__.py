"""Every Slack route of the app, wired in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from bot.listeners import (
    admin,
    agreements,
    checkins,
    chemistry,
    concerns,
    data_rights,
    errors,
    guarded_ack,
    home,
    matching,
    momentum,
    participant,
    pauses,
    rematch,
    resources,
    spaces,
    stories,
    support,
    surveys,
    workspace_events,
)


def register(app: AsyncApp, deps: Deps) -> None:
    errors.register(app)

    @app.middleware
    async def with_deps(context: dict, next_: Callable[[], Awaitable[None]]) -> None:
        # Handlers are module-level functions: Bolt passes them `deps` by name from here.
        context["deps"] = deps
        await next_()

    app.use(guarded_ack.install)
    # Bolt tries routes in this order for every request: the busiest go first.
    participant.register(app, deps)
    checkins.register(app, deps)
    surveys.register(app, deps)
    chemistry.register(app, deps)
    agreements.register(app, deps)
    home.register(app, deps)
    admin.register(app, deps)
    matching.register(app, deps)
    momentum.register(app, deps)
    stories.register(app, deps)
    concerns.register(app, deps)
    data_rights.register(app, deps)
    spaces.register(app, deps)
    resources.register(app, deps)
    rematch.register(app, deps)
    pauses.register(app, deps)
    support.register(app, deps)
    workspace_events.register(app, deps)
