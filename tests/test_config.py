"""Settings: OAuth is on only when all three of its settings are given."""

from __future__ import annotations

import pytest

from bot.config import Settings

OAUTH = {
    "SLACK_CLIENT_ID": "123.456",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_STATE_SECRET": "state-secret",
}


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name in (*OAUTH, "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_oauth_needs_all_three_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch, **OAUTH).oauth_enabled
    assert settings(monkeypatch, **OAUTH).has_slack_credentials
    for left_out in OAUTH:
        partial = {k: v for k, v in OAUTH.items() if k != left_out}
        assert not settings(monkeypatch, **partial).oauth_enabled


def test_one_bot_token_is_the_mode_without_oauth(monkeypatch: pytest.MonkeyPatch) -> None:
    single = settings(monkeypatch, SLACK_BOT_TOKEN="xoxb-1")
    assert single.has_slack_credentials and not single.oauth_enabled
    assert not settings(monkeypatch).has_slack_credentials


def test_the_install_page_is_beside_the_web_api(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).slack_authorize_url == "https://slack.com/oauth/v2/authorize"
    local = settings(monkeypatch, SLACK_API_URL="http://127.0.0.1:9/api")
    assert local.slack_authorize_url == "http://127.0.0.1:9/oauth/v2/authorize"
