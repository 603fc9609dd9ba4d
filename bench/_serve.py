"""Serve the real app, or a bare Bolt app that only acknowledges, for bench/ack.py (own process),
over HTTP or over a Socket Mode connection to the Slack double."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import create_app
from bot.collector import tune_garbage_collector
from bot.config import Settings
from bot.db import Database
from bot.deps import build_deps
from bot.ids import Command, View
from bot.runner import connect_socket_mode
from bot.web import bound_port, build_web_app, start_web_app


def bare_app(settings: Settings) -> AsyncApp:
    """The floor: Bolt with the same server and signature checks, listeners that only ack()."""

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token="xoxb-bench",
            bot_id="B0BOT",
            bot_user_id="U0BOT",
        )

    app = AsyncApp(
        authorize=authorize,
        client=AsyncWebClient(base_url=settings.slack_api_url),
        request_verification_enabled=False,
        # Answer as soon as ack() returns, as the bot does: by default Bolt polls for the ack
        # every 10 ms, which would make the floor 10 ms higher than Bolt can go.
        process_before_response=True,
    )

    @app.command(Command.PARTICIPANT)
    async def command(ack):
        await ack()

    @app.view(View.SIGNUP)
    async def submission(ack):
        await ack()

    return app


def start_profiling(path: str) -> None:
    """Profile the whole run; the stats are written when the benchmark stops this process."""
    import cProfile
    import signal

    profiler = cProfile.Profile(time.process_time)  # CPU time, not time spent waiting
    profiler.enable()

    def dump(*_: object) -> None:
        profiler.disable()
        profiler.dump_stats(path)
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["real", "bare"])
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--app-token", help="connect over Socket Mode with it instead of HTTP")
    parser.add_argument("--after-ack-processes", type=int, default=0)
    args = parser.parse_args()
    if os.environ.get("BENCH_PROFILE"):
        start_profiling(f"{os.environ['BENCH_PROFILE']}.{args.mode}")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=args.token,
        slack_signing_secret=args.secret,
        slack_api_url=args.api_url,
        database_url=args.database_url,
        slack_app_token=args.app_token,
        after_ack_processes=args.after_ack_processes,
    )
    db = Database(settings.database_url)
    deps = build_deps(settings, db)
    app = create_app(settings, db, deps=deps) if args.mode == "real" else bare_app(settings)
    # As `python -m bot serve` and `run` do; the bare anchor too, so its tail is Bolt's own and
    # not the collector's.
    tune_garbage_collector()
    if args.mode == "real" and deps.handoff is not None:
        await deps.handoff.start()  # as they do: workers up before the first request
    if args.app_token:
        await connect_socket_mode(app, settings)  # as `python -m bot run` does
        print("CONNECTED", flush=True)
        await asyncio.Event().wait()
    web_app = build_web_app(app, signing_secret=args.secret, deps=deps)
    runner = await start_web_app(web_app, host="127.0.0.1", port=0)
    print(f"PORT {bound_port(runner)}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
