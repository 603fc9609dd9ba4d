"""Settings: the only place that reads environment variables (and an optional `.env`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("mentoring.db")
SLACK_API_URL = "https://slack.com/api/"


class MissingSetting(SystemExit):
    """Raised with one readable line when a required setting is absent."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # OAuth (many workspaces): all three set, installations replace SLACK_BOT_TOKEN.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_state_secret: SecretStr | None = None
    slack_redirect_uri: str | None = None
    # Token rotation is turned on in the app's Slack settings: a bot token installed before
    # (a legacy one, without expiry) is exchanged for a rotating one before it is next used.
    slack_token_rotation: bool = False
    # With token rotation on, a bot token is refreshed this many minutes before it expires
    # (Bolt's default; Slack's tokens last twelve hours).
    slack_token_rotation_minutes: int = Field(default=120, ge=1, le=11 * 60)
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
    slack_api_url: str = SLACK_API_URL
    lead_user_ids: Annotated[frozenset[str], NoDecode] = Field(default_factory=frozenset)
    port: int = 3000
    # Work after form submissions and events, at most this many pieces at once (the rest
    # queue, so new requests are acknowledged ahead of them).
    after_ack_limit: int = Field(default=8, ge=1, le=1000)
    # With more than 0, that work runs in this many worker processes instead, and this
    # process only acknowledges (bot/slack/handoff.py): for a busy workspace on spare cores.
    after_ack_processes: int = Field(default=0, ge=0, le=64)
    log_level: str = "INFO"
    # "json": one JSON object per log line, for a log collector; "text": readable lines.
    log_format: Literal["text", "json"] = "text"

    @field_validator("lead_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # AsyncWebClient appends the method name straight onto the base URL.
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Accept the usual sync URLs and pick the async driver we ship with.
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            return "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if value.startswith("sqlite://") and not value.startswith("sqlite+aiosqlite://"):
            return "sqlite+aiosqlite://" + value.removeprefix("sqlite://")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def oauth_enabled(self) -> bool:
        """Installed by OAuth in any number of workspaces, rather than with one bot token."""
        return bool(self.slack_client_id and self.slack_client_secret and self.slack_state_secret)

    @property
    def has_slack_credentials(self) -> bool:
        return self.slack_bot_token is not None or self.oauth_enabled

    @property
    def slack_authorize_url(self) -> str:
        """Slack's page where a person approves an install; beside the Web API's `api/`."""
        return self.slack_api_url.removesuffix("api/") + "oauth/v2/authorize"

    def require(self, *names: str) -> None:
        """Exit with one clear line naming every missing setting."""
        missing = [name.upper() for name in names if getattr(self, name) is None]
        if missing:
            raise MissingSetting(
                f"Missing setting: set {', '.join(missing)} in the environment or in .env "
                "(see README: 'Create the Slack app')."
            )
