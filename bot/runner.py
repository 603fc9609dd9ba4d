"""Starting the bot for real: schema check, bot identity, then Socket Mode or HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.app import create_app
from bot.clock import Clock
from bot.collector import tune_garbage_collector
from bot.config import Settings
from bot.db import Database
from bot.deps import Deps, build_deps
from bot.flows.home import home_builder
from bot.jobs.scheduler import build_sweeps, start_scheduler
from bot.migrate import schema_state, upgrade_head
from bot.slack.client import build_web_client
from bot.slack.identity import BotIdentity
from bot.web import build_web_app, start_web_app

log = logging.getLogger("bot")


class StartupError(SystemExit):
    """One clear line for the operator instead of a traceback."""


async def prepare_database(settings: Settings) -> Database:
    """The embedded SQLite default migrates itself; any other database must already be at head."""
    db = Database(settings.database_url)
    state = await schema_state(db)
    if state.up_to_date:
        return db
    if settings.is_sqlite:
        log.info("Migrating the SQLite database to %s", state.head)
        await upgrade_head(db)
        return db
    await db.dispose()
    raise StartupError(
        f"The database is at revision {state.current or 'none'} but this version needs "
        f"{state.head}. Run `python -m bot migrate` first."
    )


async def load_identity(settings: Settings) -> BotIdentity:
    token = settings.slack_bot_token.get_secret_value()  # type: ignore[union-attr]
    identity = BotIdentity(token)
    client = build_web_client(settings)
    try:
        who = await identity.load(client)
    except SlackApiError as exc:
        raise StartupError(
            f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}). Check the token."
        ) from None
    log.info("Connected to Slack workspace %s as %s", who.get("team"), who.get("user"))
    return identity


async def start_app(
    settings: Settings, *, needs: str, clock: Clock | None = None
) -> tuple[Database, Deps, AsyncApp]:
    """What both ways of running start with: the settings they need (the bot token, unless
    OAuth is set up, and `needs`), the database, the bot's identity and the app (on `clock`,
    the system's by default)."""
    settings.require(needs)
    if not settings.oauth_enabled:  # OAuth mode takes each workspace's token from its install
        settings.require("slack_bot_token")
    db = await prepare_database(settings)
    identity = None if settings.oauth_enabled else await load_identity(settings)
    deps = build_deps(settings, db, clock)
    app = create_app(settings, db, identity=identity, deps=deps)
    return db, deps, app


async def serve(settings: Settings, *, host: str = "0.0.0.0") -> None:
    db, deps, app = await start_app(settings, needs="slack_signing_secret")
    tune_garbage_collector()
    secret = settings.slack_signing_secret.get_secret_value()  # type: ignore[union-attr]
    web_app = build_web_app(app, signing_secret=secret, deps=deps)
    runner = await start_web_app(web_app, host=host, port=settings.port)
    log.info("Listening on http://%s:%s/slack/events", host, settings.port)
    await run_until_stopped(db, deps, close=runner.cleanup)


async def run_until_stopped(
    db: Database, deps: Deps, *, close: Callable[[], Awaitable[None]]
) -> None:
    """Run the scheduler's sweeps beside the app until the process stops, then `close` how
    Slack reaches the app and the database."""
    scheduler = start_scheduler(build_sweeps(deps, homes=home_builder(deps)))
    warming = asyncio.create_task(warm_engine(deps))
    if deps.handoff is not None:
        await deps.handoff.start()  # the first hand-off must not wait for a worker to load
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
        await close()
        if deps.handoff is not None:
            await deps.handoff.close()  # after what they were handed is done
        await asyncio.gather(warming, return_exceptions=True)
        await deps.engine.close()
        await deps.http.close()
        await db.dispose()


async def warm_engine(deps: Deps) -> None:
    """Start the matching engine's worker process now, so a lead's first match does not wait
    for it to load SciPy; a failure here is tried again by that match."""
    try:
        await deps.engine.start()
    except Exception:
        log.warning("The matching engine's process did not start", exc_info=True)


async def connect_socket_mode(app: AsyncApp, settings: Settings) -> AsyncSocketModeHandler:
    """Open the app's Socket Mode connection (`close_async()` ends it). The first URL is asked
    for here, so a refused SLACK_APP_TOKEN stops start-up with one line rather than the
    client's endless retries."""
    token = settings.slack_app_token.get_secret_value()  # type: ignore[union-attr]
    handler = AsyncSocketModeHandler(app, token)
    try:
        opened = await app.client.apps_connections_open(app_token=token)
    except SlackApiError as exc:
        await handler.close_async()
        raise StartupError(
            f"Slack refused SLACK_APP_TOKEN ({exc.response.get('error')}). Check the token."
        ) from None
    handler.client.wss_uri = opened["url"]
    await handler.connect_async()
    return handler


async def run_socket_mode(settings: Settings) -> None:
    db, deps, app = await start_app(settings, needs="slack_app_token")
    tune_garbage_collector()
    handler = await connect_socket_mode(app, settings)
    log.info("Connected to Slack over Socket Mode")
    await run_until_stopped(db, deps, close=handler.close_async)


async def run_job(settings: Settings, name: str) -> str:
    """`python -m bot jobs run NAME`: one sweep now, for operators."""
    if not settings.oauth_enabled:
        settings.require("slack_bot_token")
    db = await prepare_database(settings)
    try:
        deps = build_deps(settings, db)
        return await build_sweeps(deps, homes=home_builder(deps)).run(name)
    finally:
        await db.dispose()
