"""Acknowledgement latency on loopback, over HTTP or Socket Mode: the real app against a bare
Bolt app over the same transport.

Prints p50/p99 of `/mentoring join` and of a sign-up submission sent at a steady rate, for the
real app and for a Bolt app whose listeners only call ack() (with process_before_response=True,
so without Bolt's 10 ms polling), and the ratio; then, with the Slack double delaying every Web
API call by 1 s, how fast 50 simultaneous sign-ups are acknowledged. The real app runs once per
AFTER_ACK_PROCESSES value given: 0, its work after acknowledgements on its own event loop; N,
that work handed to N worker processes (bot/slack/handoff.py), whose CPU is counted too.
Each phase also says how long after its last request that work finished, and which of the
app's Web API calls Slack refused (an expired trigger id: work more than 3 s behind), and,
over HTTP, the mean time from a request's arrival to its acknowledgement inside each app (its
own slack_ack_seconds): the app's part of the latency, without the loopback or the client;
and how long the web process's event loop was ready to run but waiting for a core, per
request (Linux schedstat), which is what the processes after the acknowledgement take from it.

    .venv/bin/python bench/ack.py [--rate 100] [--seconds 30] [--transport http|socket|both]
        [--after-ack-processes 0,1]

Three processes, as in production: the app (real or bare), the Slack double, and this load
generator, which mints trigger ids and tells the double about them ahead of use. Over HTTP the
generator posts signed requests to the app and times them; over Socket Mode, as with Slack,
the double sends the envelopes on the app's connection (the generator asks it to, one request
at a time) and times each from sending it to reading its acknowledgement. The double's
rate limiting is off: 3,000 new people in 30 s would exceed users.info's tier on real Slack too,
and the retries that follow come after the acknowledgement, which is what this measures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _double import APP_TOKEN, TEAM, bench_workspace  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.ids import Command, Field  # noqa: E402
from bot.migrate import upgrade_head  # noqa: E402
from bot.sandbox.double.interaction_payloads import slash_command_form  # noqa: E402
from bot.sandbox.signer import SignedResponse, SlackRequestSigner  # noqa: E402
from bot.services import programmes  # noqa: E402
from bot.services.programme_rules import ProgrammeInput, validate_programme  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
FORM = "application/x-www-form-urlencoded"
COMMAND, INTERACTION = "slash_commands", "interactive"  # Socket Mode's envelope types
APP_CPUS: set[int] | None = None  # --pin: the app alone on the last CPU, the rest elsewhere
ANSWERS = {
    Field.ROLE: "mentor",
    Field.DEPARTMENT: "Marketing",
    Field.GRADE: "2",
    Field.TOPICS: ["AI"],
    Field.PERSONALITY: "either",
    Field.PREFERRED_MEDIUM: "video",
    Field.GOALS: "Share how we work.",
    Field.CONSENT: ["accepted"],
}


async def seed(url: str) -> None:
    """A migrated SQLite database with one programme open for enrolment."""
    db = Database(url)
    await upgrade_head(db)
    today = datetime.now(UTC).date()
    data = validate_programme(
        {
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
        },
        today=today,
    )
    assert isinstance(data, ProgrammeInput)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        programme = await programmes.create_programme(
            session, team_id=TEAM, lead_id="U0LEAD", data=data, now=now
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
    await db.dispose()


async def spawn(*args: str, cpus: set[int] | None = None) -> tuple[Any, list[str]]:
    # A process group of its own: ending it ends the app's worker processes too, which would
    # otherwise finish their queued work during the next measurement.
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=asyncio.subprocess.PIPE, start_new_session=True
    )
    if cpus:
        os.sched_setaffinity(process.pid, cpus)
    assert process.stdout is not None
    return process, (await process.stdout.readline()).decode().split()[1:]


@contextlib.contextmanager
def scratch_database(kind: str, tmp: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp}/bench.db"
        return
    name = f"mentoring_bench_{secrets.token_hex(4)}"
    admin = "postgresql://postgres@127.0.0.1:5432/test"
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE "{name}" WITH (FORCE)'], check=True)


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def waited_seconds(pid: int) -> float:
    """Time the process's main thread (the web process's event loop) has been ready to run
    but waiting for a core (Linux /proc schedstat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


def tree_cpu_seconds(pid: int) -> float:
    """As cpu_seconds, for the process and every process below it that is running now (the
    app's fork server and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            total += cpu_seconds(current)
        todo += children.get(current, [])
    return total


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Generator:
    def __init__(
        self, transport: str, app_url: str, double_url: str, control_url: str, people: int
    ) -> None:
        self.transport = transport
        self.app_url = app_url
        self.signer = SlackRequestSigner(signing_secret=SECRET, app_url=app_url, double=None)  # type: ignore[arg-type]
        self.double_url = double_url
        self.control_url = control_url
        self.workspace = bench_workspace(people, TOKEN)
        self.session = aiohttp.ClientSession()

    async def control(self, path: str, body: Any) -> dict[str, Any]:
        async with self.session.post(self.control_url + path, json=body) as response:
            return await response.json()

    async def join_forms(self, users: list[str]) -> list[dict[str, str]]:
        """`/mentoring join` as each user sends it; their trigger ids are registered now."""
        triggers = [f"{i}.{secrets.token_hex(12)}" for i in range(len(users))]
        await self.control("/triggers", [[t, u] for t, u in zip(triggers, users, strict=True)])
        return [
            slash_command_form(
                self.workspace,
                token="",
                user_id=user,
                command=Command.PARTICIPANT,
                text="join",
                channel_id="C0GENERAL",
                channel=self.workspace.channels["C0GENERAL"],
                trigger_id=trigger,
                response_url=f"{self.double_url}/response/bench",
            )
            for user, trigger in zip(users, triggers, strict=True)
        ]

    async def deliver(self, kind: str, payload: dict[str, Any]) -> SignedResponse:
        """One request as Slack sends it over the transport measured: a signed POST (encoded
        beforehand), or an envelope the double sends on the app's connection."""
        if self.transport == "socket":
            answer = await self.control("/envelope", {"kind": kind, "payload": payload})
            return SignedResponse(
                answer["status"], {}, answer["text"], answer["elapsed"], payload, kind=kind
            )
        fields = {"payload": json.dumps(payload)} if kind == INTERACTION else payload
        return await self.signer.send(urlencode(fields), FORM)

    async def calls(self) -> dict[str, Any]:
        """The double's count of the app's calls so far, and of those Slack refused, by error
        (an expired trigger id is work that fell more than 3 s behind its request)."""
        async with self.session.get(self.control_url + "/calls") as response:
            return await response.json()

    async def refused(self) -> Counter[str]:
        return Counter((await self.calls())["refused"])

    async def handled(self) -> dict[str, tuple[float, float]]:
        """The app's own count of requests and their seconds from arrival to acknowledgement,
        by kind (its slack_ack_seconds, from /metrics): the time spent in the app, without the
        loopback, the client or waiting for a core. Empty over Socket Mode (no HTTP port)."""
        if not self.app_url:
            return {}
        metrics = self.app_url.removesuffix("/slack/events") + "/metrics"
        async with self.session.get(metrics) as response:
            text = await response.text()
        places = {"slack_ack_seconds_count": 0, "slack_ack_seconds_sum": 1}
        found: dict[str, list[float]] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name in places:
                    kind = sample.labels["kind"]
                    found.setdefault(kind, [0.0, 0.0])[places[sample.name]] = sample.value
        return {kind: (count, seconds) for kind, (count, seconds) in found.items()}

    async def quiet(self) -> float:
        """Wait until the app has made no Web API call for a second; returns how long after
        this was called it made its last one (how far its work after acknowledgements lagged
        behind the requests)."""
        start = time.perf_counter()
        last, changed = -1, start
        while time.perf_counter() - changed < 1:
            calls = (await self.calls())["calls"]
            if calls != last:
                last, changed = calls, time.perf_counter()
            await asyncio.sleep(0.05)
        return changed - start

    async def close(self) -> None:
        await self.signer.close()
        await self.session.close()


async def steady(
    rate: float,
    count: int,
    send: Callable[[int], Awaitable[SignedResponse]],
    before_second: Callable[[int], Awaitable[None]] | None = None,
) -> list[float]:
    """Start one request every 1/rate seconds without waiting for answers; latencies in ms."""
    # What the generator holds from earlier phases is frozen, so its own collector does not
    # scan it mid-phase and add its pauses to the latencies it times.
    gc.collect()
    gc.freeze()
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    per_second = int(rate)
    for i in range(count):
        if before_second and i % per_second == 0:
            await before_second(i)
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i)))
    responses = await asyncio.gather(*tasks)
    failed = [(r.status, r.text[:80]) for r in responses if r.status != 200]
    if failed:
        raise SystemExit(f"{len(failed)} requests failed, for example {failed[0]}")
    return [r.elapsed * 1000 for r in responses]


async def measure(
    transport: str,
    mode: str,
    db_url: str,
    rate: float,
    seconds: float,
    people: int,
    first_user: int,
    template: dict[str, Any] | None = None,
    processes: int = 0,
) -> dict[str, Any]:
    double, (api_port, control_port) = await spawn(
        str(ROOT / "bench" / "_double.py"), "--people", str(people), "--token", TOKEN
    )
    double_url = f"http://127.0.0.1:{api_port}"
    over_socket = ["--app-token", APP_TOKEN] if transport == "socket" else []
    app, app_ports = await spawn(
        str(ROOT / "bench" / "_serve.py"),
        mode,
        "--api-url",
        f"{double_url}/api/",
        "--database-url",
        db_url,
        "--secret",
        SECRET,
        "--token",
        TOKEN,
        *over_socket,
        "--after-ack-processes",
        str(processes),
        cpus=APP_CPUS,
    )
    gen = Generator(
        transport,
        f"http://127.0.0.1:{app_ports[0]}/slack/events" if app_ports else "",
        double_url,
        f"http://127.0.0.1:{control_port}",
        people,
    )
    count = int(rate * seconds)
    users = [f"U{first_user + i:05d}" for i in range(count + 50)]
    try:
        # The bare app opens no form: it replays the real app's submission payload.
        template = template or await submission_template(gen, "U00000")
        forms: dict[int, dict[str, str]] = {}

        async def mint(i: int) -> None:
            chunk = users[i : i + int(rate)]
            forms.update(zip(range(i, i + len(chunk)), await gen.join_forms(chunk), strict=True))

        async def join(i: int) -> SignedResponse:
            return await gen.deliver(COMMAND, forms.pop(i))

        async def submit(i: int, user: str | None = None) -> SignedResponse:
            return await gen.deliver(INTERACTION, submission(template, user or users[i]))

        # Warm up connections and first-call caches on both sides.
        await steady(rate, int(rate), lambda i: submit(i, "U00001"))
        cpu, web = tree_cpu_seconds(app.pid), cpu_seconds(app.pid)
        waited = waited_seconds(app.pid)
        refused_before = await gen.refused()
        handled_before = await gen.handled()
        joins = await steady(rate, count, join, before_second=mint)
        waited_join = waited_seconds(app.pid) - waited
        lag_join = await gen.quiet()
        cpu_join, web_join = tree_cpu_seconds(app.pid) - cpu, cpu_seconds(app.pid) - web
        refused_join = await gen.refused()
        waited = waited_seconds(app.pid)
        signups = await steady(rate, count, submit)
        waited_signup = waited_seconds(app.pid) - waited
        handled = await gen.handled()
        lag_signup = await gen.quiet()
        refused_signup = await gen.refused()
        cpu_signup = tree_cpu_seconds(app.pid) - cpu - cpu_join
        web_signup = cpu_seconds(app.pid) - web - web_join
        await gen.quiet()  # the burst is its own scenario: let the steady phases' work finish
        await gen.control("/latency", {"seconds": 1.0})
        fresh = users[count : count + 50]
        responses = await asyncio.gather(*(submit(0, user) for user in fresh))
        burst = [r.elapsed * 1000 for r in responses]
        return {
            "join": joins,
            "signup": signups,
            "burst": burst,
            "template": template,
            "cpu_ms": {"join": cpu_join / count * 1000, "signup": cpu_signup / count * 1000},
            "web_cpu_ms": {"join": web_join / count * 1000, "signup": web_signup / count * 1000},
            "lag_s": {"join": lag_join, "signup": lag_signup},
            "waited_ms": {
                "join": waited_join / count * 1000,
                "signup": waited_signup / count * 1000,
            },
            "refused": {
                "join": refused_join - refused_before,
                "signup": refused_signup - refused_join,
            },
            "processes": processes,
            "handler_ms": {
                key: in_handler(handled_before, handled, kind)
                for key, kind in (("join", "command"), ("signup", "view_submission"))
            },
        }
    finally:
        await gen.close()
        for process in (app, double):
            os.killpg(process.pid, signal.SIGTERM)
            await process.wait()
            while _group_alive(process.pid):
                await asyncio.sleep(0.05)


def in_handler(
    before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]], kind: str
) -> float | None:
    """Mean milliseconds in the app's handler for the requests of `kind` between the two."""
    if kind not in after:
        return None
    count, seconds = after[kind]
    count_before, seconds_before = before.get(kind, (0.0, 0.0))
    return (seconds - seconds_before) / (count - count_before) * 1000


async def submission_template(gen: Generator, user: str) -> dict[str, Any]:
    """A real submission of the sign-up form the real app opens (built once, reused per user)."""
    [form] = await gen.join_forms([user])
    await gen.deliver(COMMAND, form)
    for _ in range(300):
        answer = await gen.control("/submission", {"user": user, "values": dict(ANSWERS)})
        if answer.get("ok"):
            payload = answer["payload"]
            break
        await asyncio.sleep(0.01)
    else:
        raise SystemExit(f"the sign-up form never opened: {answer}")
    return payload


def submission(template: dict[str, Any], user_id: str) -> dict[str, Any]:
    payload = dict(template)
    payload["user"] = {**template["user"], "id": user_id, "username": user_id, "name": user_id}
    # Each submission is a request of its own, with its own trigger id, as Slack sends it;
    # the same one again would be answered as a replay and do nothing.
    payload["trigger_id"] = f"9.{secrets.randbelow(10**10):010d}.{secrets.token_hex(16)}"
    return payload


async def measure_transport(transport: str, args: argparse.Namespace) -> None:
    """The real app, then the bare one, over one transport, on a database of their own."""
    count = int(args.rate * args.seconds)
    people = 2 * (count + 100) + 10
    with tempfile.TemporaryDirectory() as tmp, scratch_database(args.database, tmp) as db_url:
        over = "HTTP" if transport == "http" else "Socket Mode"
        print(
            f"\n{args.rate:g} requests/s for {args.seconds:g} s per kind; app, Slack double and "
            f"load generator in separate processes; {args.database}; {over} on loopback",
            flush=True,
        )
        await seed(db_url)
        reals, first, template = [], 10, None
        for processes in args.after_ack_processes:
            real = await measure(
                transport,
                "real",
                db_url,
                args.rate,
                args.seconds,
                people,
                first,
                template,
                processes,
            )
            reals.append(real)
            first, template = first + count + 100, real["template"]
            people += count + 100
        bare = await measure(
            transport, "bare", db_url, args.rate, args.seconds, people, first, template
        )
    for real in reals:
        report(real, bare)


def report(real: dict[str, Any], bare: dict[str, Any]) -> None:
    processes = real["processes"]
    where = f"handed to {processes} worker process(es)" if processes else "on the app's event loop"
    limit = os.environ.get("AFTER_ACK_LIMIT") or Settings.model_fields["after_ack_limit"].default
    print(
        f"\nAFTER_ACK_PROCESSES={processes}: the work after acknowledgements {where}"
        + ("" if processes else f", {limit} pieces at once (AFTER_ACK_LIMIT)")
    )
    print(
        f"{'request':<22}{'app p50':>10}{'app p99':>10}{'bare p50':>10}{'bare p99':>10}"
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
    print(
        "\napp CPU per request, including the work after the acknowledgement: "
        + ", ".join(f"{k} {v:.1f} ms" for k, v in real["cpu_ms"].items())
        + " (of which the web process: "
        + " / ".join(f"{v:.1f}" for v in real["web_cpu_ms"].values())
        + f" ms; bare: {bare['cpu_ms']['join']:.1f} / {bare['cpu_ms']['signup']:.1f} ms)"
    )
    handler = [
        f"{label} {real['handler_ms'][key]:.2f} ms (bare {bare['handler_ms'][key]:.2f})"
        for key, label in (("join", "join"), ("signup", "sign-up"))
        if real["handler_ms"][key] is not None and bare["handler_ms"][key] is not None
    ]
    if handler:
        print("mean time in the handler, arrival to acknowledgement: " + ", ".join(handler))
    print(
        "the web process's event loop waited for a core, per request: "
        + ", ".join(
            f"{label} {real['waited_ms'][key]:.2f} ms (bare {bare['waited_ms'][key]:.2f})"
            for key, label in (("join", "join"), ("signup", "sign-up"))
        )
    )
    print(
        "work after the acknowledgements done, after the last request: "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in real["lag_s"].items())
    )
    refused = [
        f"{key} {counts.total()} ("
        + ", ".join(f"{error} {n}" for error, n in counts.most_common())
        + ")"
        for key, counts in real["refused"].items()
        if counts
    ]
    print("the app's Web API calls Slack refused: " + (", ".join(refused) or "none"))
    for key in ("join", "signup"):
        tail = " ".join(
            f"p{q * 100:g} {percentile(real[key], q):.1f}" for q in (0.9, 0.95, 0.98, 0.99, 0.995)
        )
        print(f"app {key} latency tail (ms): {tail}, max {max(real[key]):.1f}")
    print("targets: p99 <= 2x bare; all 50 within 100 ms", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="postgresql uses a scratch database on 127.0.0.1:5432 (dropped afterwards)",
    )
    parser.add_argument(
        "--transport",
        choices=["http", "socket", "both"],
        default="http",
        help="how Slack's requests reach the app: signed HTTP posts, Socket Mode envelopes, "
        "or one after the other",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="give the app a CPU of its own (the double, load generator and database share the "
        "others), as when Slack and the database are other machines",
    )
    parser.add_argument(
        "--after-ack-processes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[0, 1],
        help="the app's AFTER_ACK_PROCESSES, one run of the real app per value",
    )
    args = parser.parse_args()
    if args.pin:
        global APP_CPUS
        cpus = sorted(os.sched_getaffinity(0))
        APP_CPUS = {cpus[-1]}
        os.sched_setaffinity(0, set(cpus[:-1]))
    for transport in ("http", "socket") if args.transport == "both" else (args.transport,):
        await measure_transport(transport, args)


if __name__ == "__main__":
    asyncio.run(main())
