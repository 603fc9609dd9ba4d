"""What an operator scrapes at GET /metrics: acknowledgement latency, Web API calls and 429s,
the outbox's backlog, sweeps and match runs, in Prometheus' text format.

Each app instance has its own registry (never prometheus_client's global one), so tests and
several apps in one process each count their own. Durations are measured on the process's
monotonic timer: they say how long the work took, whatever time the app's clock says it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Slack gives up on an acknowledgement after 3 s: the buckets are finest well below that.
ACK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
SWEEP_BUCKETS = (0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0)
MATCH_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


@dataclass(frozen=True)
class Swept:
    """What one run of a sweep did: its summary for people, its counts for the metrics."""

    summary: str
    handled: int  # items it acted on: pairs looked at, messages queued or sent, ...
    failed: int  # items that failed on their own (the sweep went on with the rest)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()

        def counter(name: str, doc: str, *labels: str) -> Counter:
            return Counter(name, doc, labels, registry=registry)

        def histogram(name: str, doc: str, buckets: tuple[float, ...], *labels: str) -> Histogram:
            return Histogram(name, doc, labels, buckets=buckets, registry=registry)

        self.ack_seconds = histogram(
            "slack_ack_seconds",
            "Time from a Slack request's arrival to its acknowledgement, by kind of request",
            ACK_BUCKETS,
            "kind",
        )
        self.api_calls = counter(
            "slack_api_calls", "Web API requests sent, retries included, by method", "method"
        )
        self.api_ratelimited = counter(
            "slack_api_ratelimited", "Web API requests Slack refused with HTTP 429", "method"
        )
        self.outbox_depth = Gauge(
            "outbox_depth",
            "Queued messages not yet sent (waiting or being sent)",
            registry=registry,
        )
        self.outbox_oldest_due_age = Gauge(
            "outbox_oldest_due_age_seconds",
            "How long the oldest message that is due now has waited past its time (0: none)",
            registry=registry,
        )
        self.sweep_seconds = histogram(
            "sweep_duration_seconds", "How long one run of a sweep took", SWEEP_BUCKETS, "sweep"
        )
        self.sweep_runs = counter(
            "sweep_runs", "Sweep runs: ok, or error when the whole run failed", "sweep", "outcome"
        )
        self.sweep_items = counter("sweep_items", "Items sweeps handled", "sweep")
        self.sweep_item_failures = counter(
            "sweep_item_failures", "Items a sweep failed on (each retried later alone)", "sweep"
        )
        self.after_ack_queued = Gauge(
            "after_ack_queued",
            "Pieces of work after acknowledgements waiting for a place (AFTER_ACK_LIMIT), or "
            "handed to worker processes and not done (AFTER_ACK_PROCESSES)",
            registry=registry,
        )
        self.match_seconds = histogram(
            "matching_run_seconds", "How long the matching engine took for one run", MATCH_BUCKETS
        )

    def swept(self, sweep: str, done: Swept) -> None:
        self.sweep_runs.labels(sweep, "ok").inc()
        self.sweep_items.labels(sweep).inc(done.handled)
        self.sweep_item_failures.labels(sweep).inc(done.failed)

    def outbox(self, *, depth: int, oldest_due: datetime | None, now: datetime) -> None:
        self.outbox_depth.set(depth)
        age = (now - oldest_due).total_seconds() if oldest_due is not None else 0.0
        self.outbox_oldest_due_age.set(max(age, 0.0))

    def count_queued_work(self, queued: Callable[[], int]) -> None:
        """Read the after-acknowledgement queue's length when scraped, not on every change."""
        self.after_ack_queued.set_function(queued)

    def render(self) -> bytes:
        return generate_latest(self.registry)


# A Slack request's kind, as the acknowledgement histogram labels it.
KINDS = {
    "block_actions": "action",
    "interactive_message": "action",
    "view_submission": "view_submission",
    "view_closed": "view_closed",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "block_suggestion": "options",
    "event_callback": "event",
}


def request_kind(body: dict) -> str:
    if "command" in body:
        return "command"
    return KINDS.get(str(body.get("type")), "other")
