"""SlackDouble: a Slack Web API on loopback that the real slack_sdk clients talk to."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import pickle
import socket
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

import bot.sandbox.double.methods  # noqa: F401  (registers the method handlers)
from bot.sandbox.double.arg_groups import ArgGroup, check_groups, groups_for, is_given
from bot.sandbox.double.block_kit import check_message_blocks, with_generated_ids
from bot.sandbox.double.contracts import (
    ENV_VAR,
    ContractBook,
    MethodContract,
    contracts_location,
    default_contracts_dir,
)
from bot.sandbox.double.errors import SlackError, missing_field
from bot.sandbox.double.grid import workspace_of_call
from bot.sandbox.double.method_registry import HANDLERS, CallContext
from bot.sandbox.double.oauth import OAUTH_ACCESS, OAUTH_EXCHANGE, OAuthApps
from bot.sandbox.double.rate_limits import RateLimiter
from bot.sandbox.double.recording import Fault, RecordedCall
from bot.sandbox.double.request_args import read_call
from bot.sandbox.double.response_urls import ResponseTarget, ResponseUrlRegistry
from bot.sandbox.double.socket_mode import LINK_PATH, SocketModeLink
from bot.sandbox.double.state import DoubleState
from bot.sandbox.double.team_side import TeamSide, TeamView
from bot.sandbox.double.triggers import TriggerRegistry
from bot.sandbox.double.workspace import TokenGrant, Workspace

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024 * 1024
# Methods that take an app-level token (and only one): every other method refuses it.
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})
# What a double remembers between calls: the attributes a saved copy holds.
REMEMBERED = (
    "state",
    "hosted",
    "triggers",
    "response_urls",
    "limiter",
    "calls",
    "response_posts",
    "_faults",
)


class _Pickler(pickle.Pickler):
    """Pickles the memory, with the objects it must share rather than hold (Slack's reference,
    the clocks) as references by name."""

    def __init__(self, file: io.BytesIO, shared: dict[int, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared

    def persistent_id(self, obj: Any) -> str | None:
        return self.shared.get(id(obj))


class _Unpickler(pickle.Unpickler):
    """Loads a pickled memory, taking up this double's own objects for the shared ones."""

    def __init__(self, data: bytes, ours: dict[str, object]) -> None:
        super().__init__(io.BytesIO(data))
        self.ours = ours

    def persistent_load(self, pid: Any) -> object:
        return self.ours[pid]


# What pickling raises for a live object (a future, a lock, a local function).
_UNPICKLABLE = (TypeError, AttributeError, pickle.PicklingError)


def unpicklable_path(
    value: Any, shared: dict[int, str], path: str = "double", depth: int = 12
) -> str:
    """Where in `value` the first part that cannot be pickled is, as an access path."""
    try:
        _Pickler(io.BytesIO(), shared).dump(value)
        return ""
    except _UNPICKLABLE:
        pass
    if depth == 0:
        return path
    if isinstance(value, dict):
        parts = [(f"{path}[{key!r}]", item) for key, item in value.items()]
    elif isinstance(value, list | tuple | set | deque):
        parts = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
    else:
        parts = (
            [(f"{path}.{name}", item) for name, item in vars(value).items()]
            if hasattr(value, "__dict__")
            else []
        )
    for inner, item in parts:
        found = unpicklable_path(item, shared, inner, depth - 1)
        if found:
            return found
    return f"{path} ({type(value).__name__})"


@dataclass(frozen=True)
class SavedDouble:
    # Pickled: bytes cannot change after saving, and loading them is one call into C, where a
    # deep copy visits every object in Python (it cost scenario-based tests a twentieth of
    # their time).
    memory: bytes


class _UseDefaultContracts:
    def __repr__(self) -> str:
        return "USE_DEFAULT_CONTRACTS"


# Passing nothing looks the contracts up (SLACK_CONTRACTS_DIR, then ../shared); passing
# None runs without them.
USE_DEFAULT_CONTRACTS = _UseDefaultContracts()
ContractsDir = Path | str | _UseDefaultContracts | None

# Tests and the demo start many doubles: running without the reference is said once a process.
_said_contracts_off = False


def _say_contracts_off(looked_in: Path | None) -> None:
    global _said_contracts_off
    if _said_contracts_off:
        return
    _said_contracts_off = True
    where = f" (none at {looked_in})" if looked_in is not None else ""
    log.info(
        "Slack double: no Slack method reference%s, so argument and scope checks from Slack's "
        "reference are off; the double's built-in checks and rate tiers still apply. To turn "
        "them on, set %s to a slack-contracts directory (one with methods/).",
        where,
        ENV_VAR,
    )


class SlackDouble(TeamSide):
    def __init__(
        self,
        workspace: Workspace,
        contracts_dir: ContractsDir = USE_DEFAULT_CONTRACTS,
        clock: Callable[[], float] = time.monotonic,
        latency: float = 0.0,
        rate_limits: bool = True,
        epoch: Callable[[], float] | None = None,
    ) -> None:
        """`clock` drives rate limits and expiries; `epoch`, if given, is Slack's wall clock
        (message timestamps, scheduled messages), for example an app's injected clock."""
        looked_in = None
        if isinstance(contracts_dir, _UseDefaultContracts):
            contracts_dir = default_contracts_dir()
            looked_in = contracts_location()
        if contracts_dir is None:
            _say_contracts_off(looked_in)
        self.clock = clock
        self.latency = latency
        self._held: asyncio.Event | None = None  # set: calls go on; None: nothing held
        self.held_calls = 0  # Web API calls waiting for release_calls()
        self._more_held = asyncio.Event()
        self.rate_limits = rate_limits
        self.contracts = ContractBook(Path(contracts_dir) if contracts_dir is not None else None)
        self.state = DoubleState(workspace, clock, epoch)
        # Every workspace it hosts, by team id; the first is `state`.
        self.hosted: dict[str, DoubleState] = {workspace.team_id: self.state}
        self._link_orgs()
        self.oauth = OAuthApps(clock)
        self.triggers = TriggerRegistry(clock)
        self.response_urls = ResponseUrlRegistry(clock)
        self.limiter = RateLimiter(clock, self.contracts)
        self.calls: list[RecordedCall] = []
        self.response_posts: list[tuple[str, dict[str, Any]]] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._arg_groups: dict[str, tuple[ArgGroup, ...]] = {}
        self.socket_mode = SocketModeLink(clock, workspace.app_id)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        # Big enough that oversized views reach the view_too_large check and uploads fit.
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{key}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get(LINK_PATH, self.socket_mode.handle)
        app.router.add_get("/oauth/v2/authorize", self._handle_authorize)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        await self.socket_mode.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the Slack double is not started; await double.start() first")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # -- what tests set up and look at ------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    def clear_calls(self) -> None:
        self.calls.clear()

    def fail_next(
        self,
        method: str,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
    ) -> None:
        """Make the next call to `method` fail (calls queue up). Status 429 answers like a
        rate limit: error "ratelimited" and a Retry-After header when `retry_after` is set."""
        error = error or ("ratelimited" if status == 429 else "internal_error")
        self._faults.setdefault(method, deque()).append(Fault(error, status, retry_after))

    def reset_rate_limits(self) -> None:
        self.limiter.reset()

    def saved(self) -> SavedDouble:
        """A copy of all this double remembers (workspace, conversations, views, triggers, rate
        windows, recorded calls), for `restore` into another double later: a scenario played
        once can start many tests."""
        shared = {id(obj): name for name, obj in self._shared().items()}
        remembered = {name: getattr(self, name) for name in REMEMBERED}
        memory = io.BytesIO()
        try:
            _Pickler(memory, shared).dump(remembered)
        except _UNPICKLABLE as exc:  # something live got into the memory: say where
            raise TypeError(f"{exc}, at {unpicklable_path(remembered, shared)}") from exc
        return SavedDouble(memory.getvalue())

    def restore(self, saved: SavedDouble) -> None:
        """Take up a saved memory as this double's own, running on this double's clocks."""
        for name, value in _Unpickler(saved.memory, self._shared()).load().items():
            setattr(self, name, value)
        self._link_orgs()

    def _shared(self) -> dict[str, object]:
        """What the memory refers to but does not hold: Slack's reference (read, not state)
        and the clocks (a restored memory runs on the restoring double's)."""
        shared: dict[str, object] = {"contracts": self.contracts, "clock": self.clock}
        if self.state.epoch is not None:
            shared["epoch"] = self.state.epoch
        return shared

    def deliver_scheduled(self) -> list[dict[str, Any]]:
        """Post the scheduled messages whose time has come, in every workspace; returns them."""
        return [m for state in self.hosted.values() for m in state.deliver_scheduled()]

    def host(self, workspace: Workspace) -> TeamView:
        """Host another workspace beside the first: its own users, channels, messages, views
        and tokens; ids stay unique across both, as Slack's are."""
        state = DoubleState(workspace, self.clock, self.state.epoch, counter=self.state.counter)
        self.hosted[workspace.team_id] = state
        self._link_orgs()
        return self.team(workspace.team_id)

    def _link_orgs(self) -> None:
        """Each hosted workspace finds the others of its Enterprise Grid org through here."""
        for state in self.hosted.values():
            state.org = self._org_of(state)

    def _org_of(self, state: DoubleState) -> list[DoubleState]:
        org = state.workspace.enterprise_id
        if org is None:
            return [state]
        return [s for s in self.hosted.values() if s.workspace.enterprise_id == org]

    def team(self, team_id: str) -> TeamView:
        """What tests look at and a signer plays in one hosted workspace."""
        return TeamView(self, self.hosted[team_id])

    def hold_calls(self) -> None:
        """Web API calls wait, as behind a slow network, until `release_calls()`: tests see
        what the app does meanwhile without any time passing."""
        self._held = asyncio.Event()

    async def until_held(self, count: int) -> None:
        """Return once `count` calls are held: for an app whose calls come from another
        process (a worker), which the test's event loop cannot run to that point."""
        while self.held_calls < count:
            self._more_held.clear()
            await self._more_held.wait()

    def release_calls(self) -> None:
        if self._held is not None:
            self._held.set()
            self._held = None

    # -- the Web API -----------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if self._held is not None:
            held, self.held_calls = self._held, self.held_calls + 1
            self._more_held.set()
            try:
                await held.wait()
            finally:
                self.held_calls -= 1
        at = self.clock()
        connection = _client_end(request)
        token: str | None = None
        args: dict[str, Any] = {}
        headers: dict[str, str] = {}
        try:
            handler = HANDLERS.get(method)
            contract = self.contracts.get(method)
            json_ok = contract.json_input_supported if contract else True
            incoming = await read_call(request, json_input_supported=json_ok)
            token, args = incoming.token, incoming.args
            if method in (OAUTH_ACCESS, OAUTH_EXCHANGE):  # the app's credentials authenticate
                body = {"ok": True, **self._oauth(method, request.headers, token, args)}
                self.calls.append(RecordedCall(method, args, token, 200, body, at, connection))
                return web.json_response(body)
            if handler is None and contract is None:
                raise SlackError("unknown_method")
            if handler is None:
                # Loud on purpose: a test reaching a method the double lacks should say so.
                raise SlackError("not_implemented_in_double", status=501)
            grant, team_id = self._authenticate(token, args)
            if grant.is_app_level != (method in APP_LEVEL_METHODS):
                raise SlackError("not_allowed_token_type")
            self._take_fault(method)
            self._count_call(team_id, method)
            self._check_scope(contract, grant)
            self._check_arguments(method, contract, args)
            context = CallContext(
                method=method,
                args=args,
                grant=grant,
                state=self.hosted[team_id],
                triggers=self.triggers,
                base_url=self.base_url,
                pace_channel=lambda channel_id: self._pace_channel(team_id, channel_id),
                open_socket=self._socket_url,
                undecodable=incoming.undecodable,
            )
            body, status = {"ok": True, **handler(context)}, 200
        except SlackError as err:
            body, status, headers = err.body(), err.status, err.headers
        except Exception as exc:  # a bug in the double: answer, and keep it visible
            log.exception("Slack double failed on %s", method)
            body, status = {"ok": False, "error": "double_internal_error", "detail": repr(exc)}, 500
        self.calls.append(RecordedCall(method, args, token, status, body, at, connection))
        return web.json_response(body, status=status, headers=headers)

    def _oauth(
        self, method: str, headers: Mapping[str, str], token: str | None, args: dict[str, Any]
    ) -> dict[str, Any]:
        if method == OAUTH_EXCHANGE:  # the token is the legacy one to exchange
            return self.oauth.exchange(headers, token, args, self.hosted)
        return self.oauth.access(headers, args, self.hosted)

    def _authenticate(self, token: str | None, args: dict[str, Any]) -> tuple[TokenGrant, str]:
        """The token's grant and the team of the workspace the call is for: the one the token
        belongs to, or for an org-wide token the one the call names."""
        if not token:
            raise SlackError("not_authed")
        accepting = []
        for state in self.hosted.values():
            if token in state.workspace.revoked_tokens:
                raise SlackError("token_revoked")
            grant = state.workspace.grant_for(token)
            if grant is not None:
                if state.workspace.token_expiry.get(token, float("inf")) <= self.clock():
                    raise SlackError("token_expired")
                accepting.append((grant, state))
        if not accepting:
            raise SlackError("invalid_auth")
        grant, state = workspace_of_call(accepting, args, self.triggers)
        return grant, state.workspace.team_id

    def _take_fault(self, method: str) -> None:
        queued = self._faults.get(method)
        if queued:
            fault = queued.popleft()
            raise SlackError(fault.error, status=fault.status, headers=fault.headers())

    def _count_call(self, team_id: str, method: str) -> None:
        if not self.rate_limits:
            return
        retry_after = self.limiter.take_call(team_id, method)
        if retry_after is not None:
            raise SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})

    def _socket_url(self) -> str:
        return self.socket_mode.issue_url(self.base_url.replace("http://", "ws://", 1))

    def _pace_channel(self, team_id: str, channel_id: str) -> int | None:
        if not self.rate_limits:
            return None
        return self.limiter.take_channel_post(team_id, channel_id)

    @staticmethod
    def _check_scope(contract: MethodContract | None, grant: TokenGrant) -> None:
        if contract is None:
            return
        listed = contract.bot_scopes if grant.is_bot else contract.user_scopes
        # Any one of the listed scopes will do.
        if listed and not set(listed) & grant.scopes:
            raise SlackError(
                "missing_scope", needed=listed[0], provided=",".join(sorted(grant.scopes))
            )

    def _check_arguments(
        self, method: str, contract: MethodContract | None, args: dict[str, Any]
    ) -> None:
        if contract is not None:
            for name in contract.required:
                if not is_given(args.get(name)):
                    raise missing_field(name)
        if method not in self._arg_groups:
            self._arg_groups[method] = groups_for(method, contract)
        check_groups(self._arg_groups[method], args)

    # -- response URLs and file uploads ------------------------------------------------

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        target = self.response_urls.get(key)
        if target is None:
            return web.Response(status=404, text="no_service")
        refusal = self.response_urls.refusal(target)
        if refusal:
            return web.Response(status=404, text=refusal)
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        blocks = body.get("blocks")
        if blocks is not None and check_message_blocks(blocks):
            return web.Response(status=400, text="invalid_blocks")
        deleting = bool(body.get("delete_original"))
        if not deleting and not (body.get("text") or blocks or body.get("attachments")):
            return web.Response(status=400, text="no_text")
        target.posts += 1
        self.response_posts.append((f"{self.base_url}/response/{key}", body))
        state = self.hosted.get(target.team_id or "", self.state)
        self._apply_response(state, target, body)
        return web.Response(text="ok")

    @staticmethod
    def _apply_response(state: DoubleState, target: ResponseTarget, body: dict[str, Any]) -> None:
        channel_id, user_id, message_ts = target.channel_id, target.user_id, target.message_ts
        workspace = state.workspace
        content: dict[str, Any] = {"text": str(body.get("text") or "")}
        if body.get("blocks") is not None:
            content["blocks"] = with_generated_ids(body["blocks"])
        if message_ts and body.get("delete_original"):
            state.remove_message(channel_id, message_ts)
            return
        if message_ts and body.get("replace_original"):
            original = state.find_message(channel_id, message_ts) or state.find_ephemeral(
                channel_id, message_ts
            )
            if original is not None:
                original.update({"blocks": [], **content})
                return
        message = {
            "type": "message",
            "ts": state.next_ts(),
            "channel": channel_id,
            "blocks": [],
            **content,
            "thread_ts": body.get("thread_ts"),
            "user": workspace.bot_user_id,
            "bot_id": workspace.bot_id,
            "app_id": workspace.app_id,
            "team": workspace.team_id,
        }
        if body.get("response_type") == "in_channel":
            state.add_message(channel_id, message)
        else:
            state.ephemeral.setdefault(channel_id, []).append({**message, "recipient": user_id})

    async def _handle_authorize(self, request: web.Request) -> web.Response:
        """Slack's approval page, approved at once by whoever `?team=` names (a hosted
        workspace): back to the app's redirect URL with a code and the app's state."""
        return self.oauth.approve(request.query, self.hosted)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        entry = next(
            (st.files[file_id] for st in self.hosted.values() if file_id in st.files), None
        )
        if entry is None:
            return web.Response(status=404, text="file_not_found")
        data = await request.read()
        entry["content"] = data
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")


def _client_end(request: web.Request) -> tuple[str, int] | None:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return (peer[0], peer[1]) if peer else None
