"""deploy/: the alert rules name only metrics the app exports (renaming one fails here rather
than silencing an alert in production), and the stack migrates once before it serves."""

from __future__ import annotations

import re

from bot.observe.metrics import Metrics
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
OUR_METRIC = re.compile(r"\b(?:slack|outbox|sweep|matching)_[a-z_]+\b")


def exported_names() -> set[str]:
    """Every series name the app's registry can write, labelled ones with no series yet too."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    return {
        family.name + suffix
        for family in Metrics().registry.collect()
        for suffix in suffixes[family.type]
    }


def test_the_alert_rules_name_only_exported_metrics() -> None:
    rules = (DEPLOY / "alerts.yaml").read_text()
    named = set(OUR_METRIC.findall(rules))
    assert {"outbox_oldest_due_age_seconds", "slack_api_ratelimited_total"} <= named
    assert "sweep_runs_total" in named and "sweep_item_failures_total" in named
    assert named <= exported_names()


def test_the_stack_migrates_once_then_serves_and_prometheus_reads_the_rules() -> None:
    compose = (DEPLOY / "compose.yaml").read_text()
    assert 'command: ["python", "-m", "bot", "migrate"]' in compose
    assert "condition: service_completed_successfully" in compose
    assert 'command: ["python", "-m", "bot", "serve"]' in compose
    assert "/readyz" in compose
    prometheus = (DEPLOY / "prometheus.yml").read_text()
    assert "/etc/prometheus/alerts.yaml" in prometheus and "metrics_path: /metrics" in prometheus
