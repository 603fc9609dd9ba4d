"""Command line: start | run | serve | migrate | demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import MissingSetting, Settings
from bot.observe import logs

USAGE = """
start    run with Slack when SLACK_BOT_TOKEN is set (Socket Mode if SLACK_APP_TOKEN is set,
         else HTTP), otherwise play the sandbox demo
run      Socket Mode (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN)
serve    HTTP mode on PORT: POST /slack/events, GET /healthz, /readyz and /metrics
migrate  upgrade the database to the latest revision
demo     the sandbox: a simulated workspace against a local Slack double
jobs run NAME
         run one scheduler sweep now: momentum, reminders, surveys, programmes, resources or deliver
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["start", "run", "serve", "migrate", "demo", "jobs"])
    parser.add_argument("job", nargs="*", help="jobs: run NAME")
    parser.add_argument("--people", type=int, default=36, help="demo: people in the workspace")
    args = parser.parse_args(argv)

    settings = Settings()
    logs.configure(level=settings.log_level, json_lines=settings.log_format == "json")
    command = args.command
    if command == "start":
        if not settings.has_slack_credentials:
            print("No SLACK_BOT_TOKEN set: playing the sandbox demo. See README to connect Slack.")
            command = "demo"
        else:
            command = "run" if settings.slack_app_token else "serve"
    if command == "jobs" and (len(args.job) != 2 or args.job[0] != "run"):
        parser.error(
            "usage: python -m bot jobs run NAME "
            "(momentum, reminders, surveys, programmes, resources, deliver)"
        )
    try:
        if command == "jobs":
            from bot.runner import run_job

            try:
                print(asyncio.run(run_job(settings, args.job[1])))
            except KeyError as exc:
                print(exc.args[0], file=sys.stderr)
                return 2
        elif command == "migrate":
            from bot.db import Database
            from bot.migrate import schema_state, upgrade_head

            async def _migrate() -> None:
                db = Database(settings.database_url)
                await upgrade_head(db)
                print(f"Database is at revision {(await schema_state(db)).current}.")
                await db.dispose()

            asyncio.run(_migrate())
        elif command == "serve":
            settings.require("slack_bot_token", "slack_signing_secret")
            from bot.runner import serve

            asyncio.run(serve(settings))
        elif command == "run":
            settings.require("slack_bot_token", "slack_app_token")
            from bot.runner import run_socket_mode

            asyncio.run(run_socket_mode(settings))
        else:
            return demo(people=args.people)
    except MissingSetting as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


def demo(*, people: int) -> int:
    """The sandbox demo. Imported here, never at module level: production code does not load
    the sandbox (tests/test_sandbox_boundary.py allows this one function)."""
    from bot.sandbox.demo.play import play

    # The transcript is the demo's output: the schema's upgrade steps would only bury its start.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return asyncio.run(play(people=people))


if __name__ == "__main__":
    sys.exit(main())
