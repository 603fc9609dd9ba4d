"""GET /metrics as Prometheus scrapes it, after people, sweeps and Slack's refusals have
moved it: acknowledgements by kind, Web API calls and 429s by method, the outbox's backlog,
the work queued after acknowledgements, sweeps and match runs. Each app counts in its own
registry, so every test starts at zero."""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text, update

from bot.clock import FakeClock
from bot.ids import Command, Shortcut
from bot.models import Programme
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.sandbox.seed import seed_active_pairs
from tests.conftest import LEAD, MENTOR
from tests.flows import create_programme, enrolled_cohort
from tests.scenarios import play

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
PAIRS = 5


async def scrape(box: Sandbox) -> Samples:
    url = box.app_url.replace("/slack/events", "/metrics")
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def queue_nudges(box: Sandbox, clock: FakeClock) -> list[str]:
    """PAIRS pairs due a nudge, and the momentum sweep's two messages for each, queued."""
    assert box.db is not None
    seeded = await seed_active_pairs(box.db, pairs=PAIRS, due=PAIRS, now=clock.now())
    for user_id in seeded.user_ids:
        box.workspace.add_user(User(id=user_id, name=user_id.lower(), tz="Europe/London"))
    assert (await box.run_job("momentum")).startswith(
        f"momentum: {PAIRS} pairs looked at, {2 * PAIRS} messages queued"
    )
    return seeded.user_ids


async def test_acknowledgements_are_timed_by_kind_and_web_api_calls_counted_by_method(
    sandbox: Sandbox,
) -> None:
    before = await scrape(sandbox)
    assert value(before, "slack_ack_seconds_count", kind="command") == 0

    await create_programme(sandbox, LEAD)  # a command that opens a form, then its submission
    await sandbox.event({"type": "app_home_opened", "user": MENTOR, "tab": "home"})
    await sandbox.shortcut(MENTOR, Shortcut.JOIN)

    after = await scrape(sandbox)
    for kind in ("command", "view_submission", "event", "shortcut"):
        assert value(after, "slack_ack_seconds_count", kind=kind) == 1, kind
        assert value(after, "slack_ack_seconds_bucket", kind=kind, le="+Inf") == 1, kind
    assert value(after, "slack_ack_seconds_count", kind="action") == 0
    # Every call Slack received, counted under its method.
    received = Counter(call.method for call in sandbox.double.calls)
    assert received["views.open"] >= 1 and received["views.publish"] >= 1
    counted = {method: value(after, "slack_api_calls_total", method=method) for method in received}
    assert counted == received
    assert value(after, "slack_api_ratelimited_total", method="views.open") == 0


async def test_a_429_from_slack_is_counted_for_its_method_and_the_message_waits(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await queue_nudges(sandbox, clock)
    sandbox.double.fail_next("chat.postMessage", status=429, retry_after=1)
    assert (await sandbox.run_job("deliver")).startswith(
        f"deliver: {2 * PAIRS - 1} sent, 0 to retry, 1 rate-limited"
    )
    scraped = await scrape(sandbox)
    assert value(scraped, "slack_api_ratelimited_total", method="chat.postMessage") == 1
    assert value(scraped, "slack_api_calls_total", method="chat.postMessage") == 2 * PAIRS
    # The throttled message waits for Retry-After: queued, not yet due.
    assert value(scraped, "outbox_depth") == 1
    assert value(scraped, "outbox_oldest_due_age_seconds") == 0


async def test_outbox_depth_and_the_oldest_due_message_s_age_follow_the_queue(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    assert value(await scrape(sandbox), "outbox_depth") == 0
    await queue_nudges(sandbox, clock)
    scraped = await scrape(sandbox)
    assert value(scraped, "outbox_depth") == 2 * PAIRS
    assert value(scraped, "outbox_oldest_due_age_seconds") == 0  # due this very moment

    clock.advance(seconds=90)  # no sender ran: the queue has waited a minute and a half
    assert value(await scrape(sandbox), "outbox_oldest_due_age_seconds") == 90

    assert (await sandbox.run_job("deliver")).startswith(f"deliver: {2 * PAIRS} sent")
    scraped = await scrape(sandbox)
    assert value(scraped, "outbox_depth") == 0
    assert value(scraped, "outbox_oldest_due_age_seconds") == 0


async def test_work_queued_after_acknowledgements_is_counted_while_it_waits(
    sandbox: Sandbox,
) -> None:
    gate = sandbox.deps.after_ack
    assert value(await scrape(sandbox), "after_ack_queued") == 0
    release = asyncio.Event()
    pieces = [asyncio.ensure_future(gate.admit(release.wait())) for _ in range(gate.limit + 2)]
    for _ in range(100):  # every piece reaches the gate; no time passes
        await asyncio.sleep(0)
    assert value(await scrape(sandbox), "after_ack_queued") == 2  # beyond the limit's places
    release.set()
    await asyncio.gather(*pieces)
    assert value(await scrape(sandbox), "after_ack_queued") == 0


async def test_sweeps_are_timed_with_the_items_they_handled(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await queue_nudges(sandbox, clock)
    await sandbox.run_job("deliver")
    scraped = await scrape(sandbox)
    assert value(scraped, "sweep_duration_seconds_count", sweep="momentum") == 1
    assert value(scraped, "sweep_runs_total", sweep="momentum", outcome="ok") == 1
    assert value(scraped, "sweep_items_total", sweep="momentum") == PAIRS
    assert value(scraped, "sweep_items_total", sweep="deliver") == 2 * PAIRS
    assert value(scraped, "sweep_item_failures_total", sweep="momentum") == 0


async def test_an_item_a_sweep_fails_on_is_counted(sandbox: Sandbox, clock: FakeClock) -> None:
    assert sandbox.db is not None
    seeded = await seed_active_pairs(sandbox.db, pairs=2, due=0, now=clock.now())
    async with sandbox.db.transaction() as session:
        await session.execute(update(Programme).values(ends_on=clock.now().date()))
        # A pair status this release does not know: the programme's review cannot be made.
        await session.execute(
            text("UPDATE pair SET status = 'archived' WHERE programme_id = :id"),
            {"id": seeded.programme_id},
        )
    assert (await sandbox.run_job("programmes")).endswith(" 1 failed")
    scraped = await scrape(sandbox)
    assert value(scraped, "sweep_item_failures_total", sweep="programmes") == 1
    assert value(scraped, "sweep_runs_total", sweep="programmes", outcome="ok") == 1


async def test_a_sweep_that_fails_as_a_whole_is_counted_as_an_error(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    await queue_nudges(sandbox, clock)
    await sandbox.double.stop()  # Slack unreachable: the leads' time zones cannot be read
    clock.advance(days=1)
    try:
        await sandbox.run_job("momentum")
    except aiohttp.ClientError:
        pass
    else:
        raise AssertionError("the momentum sweep ran without Slack")
    scraped = await scrape(sandbox)
    assert value(scraped, "sweep_runs_total", sweep="momentum", outcome="error") == 1
    assert value(scraped, "sweep_runs_total", sweep="momentum", outcome="ok") == 1
    assert value(scraped, "sweep_duration_seconds_count", sweep="momentum") == 2


async def test_a_match_run_is_timed(sandbox: Sandbox, clock: FakeClock) -> None:
    await play(sandbox, clock, enrolled_cohort)
    assert value(await scrape(sandbox), "matching_run_seconds_count") == 0
    await sandbox.command(LEAD, Command.ADMIN, "match")
    assert value(await scrape(sandbox), "matching_run_seconds_count") == 1
