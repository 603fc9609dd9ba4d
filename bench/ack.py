"""Acknowledgement latency over HTTP on loopback: the real app against a bare Bolt app.

Prints p50/p99 of `/mentoring join` and of a sign-up submission at a steady rate, for the real
app and for a Bolt app that only calls ack(), and the ratio; then, with the Slack double delaying
every Web API call by 1 s, how fast 50 simultaneous sign-ups are acknowledged.

    .venv/bin/python bench/ack.py [--rate 100] [--seconds 30]

The app runs in its own process (as in production); this process sends the signed requests and
hosts the Slack double. The double's rate limiting is off here: 3,000 new people in 30 s would
exceed users.info's tier on real Slack too, and the retries that follow happen after the
acknowledgement, which is what this measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import Database  # noqa: E402
from bot.ids import Command, Field  # noqa: E402
from bot.migrate import upgrade_head  # noqa: E402
from bot.services import programmes  # noqa: E402
from bot.services.programme_rules import validate_programme  # noqa: E402
from bot.slack.double import Channel, SlackDouble, User, Workspace  # noqa: E402
from bot.slack.signer import SlackRequestSigner  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TEAM = "T0BENCH"
FORM = "application/x-www-form-urlencoded"


def workspace(people: int) -> Workspace:
    manifest = json.loads((ROOT / "manifests" / "socket-mode.json").read_text())
    ws = Workspace(
        team_id=TEAM,
        team_name="Bench",
        domain="bench",
        bot_user_id="U0BOT",
        bot_id="B0BOT",
        app_id="A0BENCH",
        bot_token=TOKEN,
        bot_scopes=set(manifest["oauth_config"]["scopes"]["bot"]),
    )
    for i in range(people):
        ws.add_user(
            User(id=f"U{i:05d}", name=f"user{i}", real_name=f"User {i}", tz="Europe/London")
        )
    ws.add_channel(Channel(id="C0GENERAL", name="general", members=set(ws.users)))
    return ws


async def seed(url: str) -> int:
    db = Database(url)
    await upgrade_head(db)
    today = datetime.now(UTC).date()
    form = {
        Field.NAME: "Bench cohort",
        Field.OBJECTIVES: "Confidence | self-rating 1-5",
        Field.TOPICS: "AI, Social media",
        Field.SESSIONS: "6",
        Field.CADENCE: "21",
        Field.LENGTH: "60",
        Field.MEDIUM: "video",
        Field.CAPACITY: "1",
        Field.GRACE: "7",
        Field.PULSE: "4",
        Field.QUIET_START: "19",
        Field.QUIET_END: "8",
        Field.BUDGET: "3",
        Field.GROUND_RULES: "Confidential.",
        Field.DEADLINE: str(today + timedelta(days=14)),
        Field.STARTS: str(today + timedelta(days=30)),
        Field.MIDPOINT: str(today + timedelta(days=90)),
        Field.ENDS: str(today + timedelta(days=180)),
    }
    data = validate_programme(form, today=today)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        programme = await programmes.create_programme(
            session,
            team_id=TEAM,
            lead_id="U0LEAD",
            data=data,
            now=now,  # type: ignore[arg-type]
        )
        await session.flush()
        await programmes.open_enrolment(
            session,
            team_id=TEAM,
            programme_id=programme.id,
            channel_id="C0GENERAL",
            announcement_ts=None,
            now=now,
        )
        programme_id = programme.id
    await db.dispose()
    return programme_id


async def start_server(mode: str, api_url: str, database_url: str) -> tuple[Any, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "_serve.py"),
        mode,
        "--api-url",
        api_url,
        "--database-url",
        database_url,
        "--secret",
        SECRET,
        "--token",
        TOKEN,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await process.stdout.readline()).decode().split()
    return process, f"http://127.0.0.1:{line[1]}/slack/events"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def steady(rate: float, seconds: float, send: Any) -> list[float]:
    """Start one request every 1/rate seconds (not waiting for answers); return latencies in ms."""
    loop = asyncio.get_running_loop()
    total = int(rate * seconds)
    start = loop.time()
    tasks = []
    for i in range(total):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i)))
    responses = await asyncio.gather(*tasks)
    bad = [r.status for r in responses if r.status != 200]
    if bad:
        raise SystemExit(f"{len(bad)} requests failed: {bad[:5]}")
    return [r.elapsed * 1000 for r in responses]


def submission_body(template: dict[str, Any], user_id: str) -> str:
    payload = json.loads(json.dumps(template))
    payload["user"] = {**payload["user"], "id": user_id, "username": user_id, "name": user_id}
    return urlencode({"payload": json.dumps(payload)})


async def submission_template(
    double: SlackDouble, signer: SlackRequestSigner, programme_id: int
) -> dict:
    """A real view_submission payload of the sign-up form, captured from the real app's modal."""
    user = "U99999"
    double.workspace.add_user(User(id=user, name="template", tz="Europe/London"))
    await signer.slash_command(user, Command.PARTICIPANT, "join")
    for _ in range(200):
        if double.open_modals(user):
            break
        await asyncio.sleep(0.01)
    modal = double.open_modals(user)[-1]
    values = {
        Field.ROLE: "mentor",
        Field.DEPARTMENT: "Marketing",
        Field.GRADE: "2",
        Field.TOPICS: ["AI"],
        Field.PERSONALITY: "either",
        Field.PREFERRED_MEDIUM: "video",
        Field.GOALS: "Share.",
        Field.CONSENT: ["accepted"],
    }
    for block in modal["blocks"]:
        if block.get("block_id", "").startswith("baseline_"):
            values[block["block_id"]] = "3"
    response = await signer.submit_view(user, modal["id"], values)
    return response.payload


async def measure(
    mode: str,
    double: SlackDouble,
    db_url: str,
    programme_id: int,
    rate: float,
    seconds: float,
    offset: int,
) -> dict[str, list[float]]:
    process, app_url = await start_server(mode, double.api_url, db_url)
    signer = SlackRequestSigner(signing_secret=SECRET, app_url=app_url, double=double)
    try:
        template = (
            await submission_template(double, signer, programme_id) if mode == "real" else None
        )
        if template is None:
            template = measure.template  # type: ignore[attr-defined]
        measure.template = template  # type: ignore[attr-defined]
        # Warm up: connections, first auth.test, caches.
        await steady(
            rate, 1, lambda i: signer.slash_command(f"U{i:05d}", Command.PARTICIPANT, "join")
        )
        joins = await steady(
            rate,
            seconds,
            lambda i: signer.slash_command(f"U{offset + i:05d}", Command.PARTICIPANT, "join"),
        )
        signups = await steady(
            rate,
            seconds,
            lambda i: signer.send(submission_body(template, f"U{offset + i:05d}"), FORM),
        )
        burst: list[float] = []
        if mode == "real":
            await asyncio.sleep(2)  # let the steady phase's follow-up work drain first
            double.latency = 1.0
            fresh = [f"U{offset + int(rate * seconds) + i:05d}" for i in range(50)]
            responses = await asyncio.gather(
                *(signer.send(submission_body(template, u), FORM) for u in fresh)
            )
            burst = [r.elapsed * 1000 for r in responses]
            double.latency = 0.0
        return {"join": joins, "signup": signups, "burst": burst}
    finally:
        await signer.close()
        process.terminate()
        await process.wait()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    per_run = int(args.rate * args.seconds) + 200
    double = SlackDouble(workspace(per_run * 2 + 100), rate_limits=False)
    await double.start()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        programme_id = await seed(db_url)
        print(
            f"{args.rate:g} requests/s for {args.seconds:g} s each; app in its own process; "
            "SQLite; loopback HTTP",
            flush=True,
        )
        real = await measure("real", double, db_url, programme_id, args.rate, args.seconds, 100)
        bare = await measure(
            "bare", double, db_url, programme_id, args.rate, args.seconds, 100 + per_run
        )
    await double.stop()

    print(
        f"\n{'request':<22}{'app p50':>10}{'app p99':>10}{'bare p50':>10}{'bare p99':>10}"
        f"{'p99 ratio':>11}"
    )
    for key, label in (("join", "/mentoring join"), ("signup", "sign-up submission")):
        a50, a99 = statistics.median(real[key]), percentile(real[key], 0.99)
        b50, b99 = statistics.median(bare[key]), percentile(bare[key], 0.99)
        print(f"{label:<22}{a50:>8.1f}ms{a99:>8.1f}ms{b50:>8.1f}ms{b99:>8.1f}ms{a99 / b99:>10.2f}x")
    burst = real["burst"]
    within = sum(1 for ms in burst if ms <= 100)
    print(
        f"\n50 simultaneous sign-ups, every Web API call delayed 1 s: {within}/50 acknowledged "
        f"within 100 ms; slowest {max(burst):.1f} ms, median {statistics.median(burst):.1f} ms"
    )
    print("targets: p99 <= 25 ms and <= 1.5x bare; all 50 within 100 ms")


if __name__ == "__main__":
    asyncio.run(main())
