"""The real app wired to the Slack double on loopback: used by tests, the demo and benchmarks.

Over HTTP by default; with `socket_mode=True` the app starts as `python -m bot run` starts it
and takes Slack's requests over its Socket Mode connection to the double instead.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import create_app
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.deps import Deps, build_deps
from bot.flows.home import home_builder
from bot.jobs.scheduler import build_sweeps
from bot.jobs.sweeps import Sweeps
from bot.runner import connect_socket_mode, start_app
from bot.sandbox.double import USE_DEFAULT_CONTRACTS, ContractsDir, SlackDouble, Workspace
from bot.sandbox.double.oauth import OAuthApp
from bot.sandbox.double.server import SavedDouble
from bot.sandbox.signer import SlackRequestSigner
from bot.slack.inflight import wait_for_listeners
from bot.slack.installations import REDIRECT_PATH
from bot.web import SLACK_PATH, bound_port, build_web_app, start_web_app

SIGNING_SECRET = "sandbox-signing-secret"
# The app's OAuth credentials in OAuth mode (Slack knows them too: the double checks them).
CLIENT_ID = "1000000001.2000000002"
CLIENT_SECRET = "sandbox-client-secret"
STATE_SECRET = "sandbox-state-secret"
PERSON_PACE_SECONDS = 1.0


@dataclass(frozen=True)
class SavedSandbox:
    double: SavedDouble
    person_seconds: float


class Sandbox:
    def __init__(
        self,
        workspace: Workspace,
        *,
        database_url: str,
        db: Database | None = None,
        lead_user_ids: frozenset[str] = frozenset(),
        clock: Clock | None = None,
        contracts_dir: ContractsDir = USE_DEFAULT_CONTRACTS,
        latency: float = 0.0,
        rate_limits: bool = True,
        oauth: bool = False,
        token_rotation: bool = False,
        socket_mode: bool = False,
        app_settings: Mapping[str, Any] | None = None,
    ) -> None:
        """With `oauth`, the app runs in OAuth mode (no bot token: each workspace installs it
        through GET /slack/install); `host` adds workspaces beside the first; with
        `token_rotation` too, the app is told (SLACK_TOKEN_ROTATION) that Slack rotates its
        tokens, which the double does once its OAuth app has `rotation_seconds`. With
        `socket_mode`, it takes Slack's requests over Socket Mode (with the workspace's
        app-level token) instead of HTTP. `app_settings` are more of the app's Settings.
        Over HTTP the app uses `db` if given (its owner disposes of it), else its own engine
        on `database_url`."""
        if socket_mode and (oauth or workspace.app_token is None):
            raise ValueError("Socket Mode here needs an app-level token and no OAuth")
        self.workspace = workspace
        self.oauth = oauth
        self.token_rotation = token_rotation
        self.socket_mode = socket_mode
        # Slack's clocks follow the app's: scheduled messages fall due with it, and trigger
        # ids, response URLs and rate windows run out only as that clock moves, plus a
        # second for each request a person sends (nobody clicks faster), never by real time.
        self._person_seconds = 0.0
        epoch = (lambda: clock.now().timestamp()) if clock is not None else None
        slack_time = (lambda: clock.now().timestamp() + self._person_seconds) if clock else None
        self._slack_time = slack_time
        self.double = SlackDouble(
            workspace,
            **({"clock": slack_time} if slack_time is not None else {}),
            contracts_dir=contracts_dir,
            latency=latency,
            rate_limits=rate_limits,
            epoch=epoch,
        )
        self._database_url = database_url
        self._given_db = db
        self._app_settings = dict(app_settings or {})
        self._lead_user_ids = lead_user_ids
        self._clock = clock
        self._runner: web.AppRunner | None = None
        self._handler: AsyncSocketModeHandler | None = None
        self.db: Database | None = None
        self.deps: Deps | None = None
        self.sweeps: Sweeps
        self.signer: SlackRequestSigner | None = None
        self.app_url = ""
        self.web_url = ""  # the app's HTTP root, for a browser's install
        self._team_signers: list[SlackRequestSigner] = []

    async def start(self) -> Sandbox:
        await self.double.start()
        app_token = self.workspace.app_token
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]  # BaseSettings takes it; pydantic's typed __init__ hides it
            slack_bot_token=None if self.oauth else SecretStr(self.workspace.bot_token),
            slack_signing_secret=SecretStr(SIGNING_SECRET),
            slack_app_token=SecretStr(app_token) if app_token else None,
            slack_api_url=self.double.api_url,
            database_url=self._database_url,
            lead_user_ids=self._lead_user_ids,
            **self._oauth_settings(),
            **self._app_settings,
        )
        if self.socket_mode:
            await self._start_over_socket(settings)
        else:
            await self._start_over_http(settings)
        assert self.deps is not None
        # The sender never sleeps here: what must wait stays queued for a later run.
        self.sweeps = build_sweeps(self.deps, homes=home_builder(self.deps), max_wait=0.0)
        clock = self.deps.clock
        # Slack signs with its wall clock, which here follows the app's clock.
        self.signer = SlackRequestSigner(
            signing_secret=SIGNING_SECRET,
            app_url=self.app_url,
            double=self.double,
            clock=lambda: clock.now().timestamp(),
            timer=self._slack_time or time.perf_counter,  # the signer's default without a clock
            socket_mode=self.socket_mode,
        )
        return self

    async def _start_over_http(self, settings: Settings) -> None:
        self.db = self._given_db or Database(settings.database_url)
        self.deps = build_deps(settings, self.db, self._clock)
        app = create_app(settings, self.db, deps=self.deps)
        web_app = build_web_app(app, signing_secret=SIGNING_SECRET, deps=self.deps)
        self._runner = await start_web_app(web_app, host="127.0.0.1", port=0)
        self.web_url = f"http://127.0.0.1:{bound_port(self._runner)}"
        self.app_url = f"{self.web_url}{SLACK_PATH}"
        if self.oauth:
            redirect = f"{self.web_url}{REDIRECT_PATH}"
            self.double.oauth.register(OAuthApp(CLIENT_ID, CLIENT_SECRET, redirect))

    async def _start_over_socket(self, settings: Settings) -> None:
        """The production start-up: schema check, the bot's identity, the app, then the
        Socket Mode connection (the scheduler is the sandbox's own, run on demand)."""
        self.db, self.deps, app = await start_app(
            settings, needs="slack_app_token", clock=self._clock
        )
        self._handler = await connect_socket_mode(app, settings)

    def _oauth_settings(self) -> dict[str, Any]:
        if not self.oauth:
            return {}
        return {
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": SecretStr(CLIENT_SECRET),
            "slack_state_secret": SecretStr(STATE_SECRET),
            "slack_token_rotation": self.token_rotation,
        }

    def host(self, workspace: Workspace) -> Sandbox:
        """Another workspace on the same Slack and app: the sandbox as seen from it (its
        people's requests, DMs and Home tabs); jobs and the database are shared."""
        self.double.host(workspace)
        return self.team(workspace.team_id)

    def team(self, team_id: str) -> Sandbox:
        assert self.signer is not None, "start() the sandbox first"
        view = copy.copy(self)
        view.double = self.double.team(team_id)  # type: ignore[assignment]  # the same calls
        view.workspace = view.double.workspace
        view.signer = self.signer.for_double(view.double)
        self._team_signers.append(view.signer)
        return view

    async def stop(self) -> None:
        await self.settle()
        for signer in [self.signer, *self._team_signers]:
            if signer:
                await signer.close()
        if self._handler:
            await self._handler.close_async()
        if self._runner:
            await self._runner.cleanup()
        if self.deps and self.deps.handoff:
            await self.deps.handoff.close()
        if self.deps:
            await self.deps.engine.close()
            await self.deps.http.close()
        if self.db and self.db is not self._given_db:
            await self.db.dispose()
        await self.double.stop()

    def saved(self) -> SavedSandbox:
        """What Slack's side remembers now, to `restore` into a fresh sandbox: the database is
        the caller's to copy (the app keeps nothing else that a cache would not refetch)."""
        return SavedSandbox(self.double.saved(), self._person_seconds)

    def restore(self, saved: SavedSandbox) -> None:
        """Take up a saved Slack side; only a sandbox that has served no request yet can."""
        assert self._person_seconds == 0, "restore() into a sandbox that has served nobody"
        self.double.restore(saved.double)
        self.workspace = self.double.workspace
        self._person_seconds = saved.person_seconds

    async def run_job(self, name: str) -> str:
        """One scheduler sweep, as `python -m bot jobs run NAME` runs it."""
        summary = await self.sweeps.run(name)
        await self.settle()
        return summary

    async def settle(self) -> None:
        """Wait until every listener has finished the work it does after acknowledging."""
        await wait_for_listeners()

    @property
    def _signer(self) -> SlackRequestSigner:
        """The signer, for one more request from a person: a second later in Slack's time."""
        assert self.signer is not None, "start() the sandbox first"
        self._person_seconds += PERSON_PACE_SECONDS
        return self.signer

    async def command(self, user_id: str, command: str, text: str = "", **kwargs: Any) -> Any:
        response = await self._signer.slash_command(user_id, command, text, **kwargs)
        await self.settle()
        return response

    async def click(
        self, user_id: str, action_id: str, value: str | None = None, **kwargs: Any
    ) -> Any:
        response = await self._signer.block_action(user_id, action_id, value, **kwargs)
        await self.settle()
        return response

    async def submit(self, user_id: str, view_id: str, values: dict[str, Any]) -> Any:
        response = await self._signer.submit_view(user_id, view_id, values)
        await self.settle()
        return response

    async def event(self, event: dict[str, Any], **kwargs: Any) -> Any:
        response = await self._signer.event(event, **kwargs)
        await self.settle()
        return response

    async def resend(self, earlier: Any) -> Any:
        """The very same signed request again, as a replay or Slack's duplicate delivery."""
        response = await self._signer.resend(earlier)
        await self.settle()
        return response

    async def shortcut(self, user_id: str, callback_id: str) -> Any:
        response = await self._signer.global_shortcut(user_id, callback_id)
        await self.settle()
        return response

    def modal(self, user_id: str) -> dict[str, Any] | None:
        """The modal on top of the user's stack, as Slack shows it, or None."""
        stack = self.double.open_modals(user_id)
        return stack[-1] if stack else None

    def field_errors(self, user_id: str) -> dict[str, str]:
        """The errors the user's top modal shows under its inputs, by block_id."""
        modal = self.modal(user_id)
        return self.double.state.views.field_errors.get(modal["id"], {}) if modal else {}

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        return self.double.messages(self.double.dm_channel(user_id))

    def last_dm(self, user_id: str) -> str:
        messages = self.dms(user_id)
        return messages[-1]["text"] if messages else ""

    def last_ephemeral(self, user_id: str) -> dict[str, Any]:
        """The newest message only this user can see (slash command answers, button replies)."""
        shown = [
            m
            for messages in self.double.state.ephemeral.values()
            for m in messages
            if m["recipient"] == user_id
        ]
        if not shown:
            raise AssertionError(f"{user_id} was shown no ephemeral message")
        return max(shown, key=lambda m: float(m["ts"]))

    async def press(self, user_id: str, message: dict[str, Any], action_id: str) -> Any:
        """Press the button whose action_id is, or is keyed from, `action_id` in a message."""
        for block in message.get("blocks", []):
            elements = [*list(block.get("elements", [])), block.get("accessory") or {}]
            for element in elements:
                found = element.get("action_id", "")
                if element.get("type") == "button" and found.split(":")[0] == action_id:
                    return await self.click(
                        user_id,
                        found,
                        element.get("value"),
                        message={"channel": message["channel"], "ts": message["ts"]},
                    )
        raise AssertionError(f"no {action_id} button in {message.get('text')!r}")

    def replies(self, user_id: str) -> list[dict[str, Any]]:
        """Everything the app sent through response URLs made for this user."""
        posts = self.double.response_posts
        return [body for url, body in posts if self.double.response_url_user(url) == user_id]
