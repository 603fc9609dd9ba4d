"""Socket Mode as Slack plays it: `apps.connections.open` hands out a one-use WebSocket URL on
loopback; on that connection the double says hello, sends envelopes (slash_commands,
interactive, events_api) and checks each acknowledgement: a known envelope id, answered within
3 s on the double's clock. It can ask the app to reconnect (`disconnect`, `refresh_requested`)
and then sends only on the new connection, while acknowledgements may still come on any.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

LINK_PATH = "/link/"
# Slack gives up on an acknowledgement after 3 seconds.
ACK_DEADLINE_SECONDS = 3.0
# A guard, in real time, so an app that never answers fails a test instead of hanging it;
# Slack's deadline is checked on the double's clock.
GIVE_UP_SECONDS = 10.0
DEBUG_INFO = {"host": "applink-double"}


@dataclass(frozen=True)
class Ack:
    """The app's acknowledgement of one envelope (or its absence)."""

    envelope_id: str
    payload: Any  # what the acknowledgement carried, None without one
    elapsed: float  # seconds on the double's clock from sending to acknowledgement
    received: bool = True

    @property
    def in_time(self) -> bool:
        return self.received and self.elapsed <= ACK_DEADLINE_SECONDS


@dataclass
class _Pending:
    envelope: dict[str, Any]
    sent_at: float
    answer: asyncio.Future[Ack]


def accepts_response_payload(kind: str, payload: dict[str, Any]) -> bool:
    """Whether Slack reads a payload in the acknowledgement: a command's reply, a submitted
    modal's response_action, an options request's options; never for events or clicks."""
    if kind == "slash_commands":
        return True
    return kind == "interactive" and payload.get("type") in ("view_submission", "block_suggestion")


class SocketModeLink:
    """The app's Socket Mode connections to the double, and the envelopes sent over them."""

    def __init__(self, clock: Callable[[], float], app_id: str) -> None:
        self.clock = clock
        self.app_id = app_id
        self.connections_opened = 0
        # What Slack would count against the app: late, unknown or malformed acknowledgements.
        self.failures: list[str] = []
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._refreshing: set[web.WebSocketResponse] = set()
        self._changed = asyncio.Condition()
        self._pending: dict[str, _Pending] = {}
        self._refresh_after_next = False
        self._counter = itertools.count(1)

    def issue_url(self, base_ws_url: str) -> str:
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        return f"{base_ws_url}{LINK_PATH}?ticket={ticket}&app_id={self.app_id}"

    @property
    def open_connections(self) -> int:
        return len(self._sockets)

    # -- the app's side of a connection ---------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid_ticket")
        self._tickets.discard(ticket)
        socket = web.WebSocketResponse()  # answers pings itself, as Slack does
        await socket.prepare(request)
        self.connections_opened += 1
        await socket.send_json(self._hello())
        async with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._take_ack(message.data)
        finally:
            self._sockets.remove(socket)
            self._refreshing.discard(socket)
        return socket

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._sockets) + 1,
            "debug_info": {**DEBUG_INFO, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }

    def _take_ack(self, text: str) -> None:
        try:
            ack = json.loads(text)
        except ValueError:
            self.failures.append("an acknowledgement that is not JSON")
            return
        envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
        pending = self._pending.pop(envelope_id, None) if isinstance(envelope_id, str) else None
        if pending is None or not isinstance(envelope_id, str):
            self.failures.append(f"an acknowledgement for no envelope waiting: {envelope_id!r}")
            return
        elapsed = self.clock() - pending.sent_at
        if elapsed > ACK_DEADLINE_SECONDS:
            self.failures.append(f"envelope {envelope_id} acknowledged after {elapsed:g} s")
        pending.answer.set_result(Ack(envelope_id, ack.get("payload"), elapsed))

    # -- Slack's side --------------------------------------------------------------------

    async def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> Ack:
        """Send one envelope on the newest connection (waiting for the app to connect if it
        has none) and wait for its acknowledgement."""
        envelope: dict[str, Any] = {
            "envelope_id": f"{next(self._counter):04d}-{secrets.token_hex(12)}",
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload(kind, payload),
        }
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        envelope_id = envelope["envelope_id"]
        pending = _Pending(envelope, 0.0, asyncio.get_running_loop().create_future())
        self._pending[envelope_id] = pending
        try:
            async with asyncio.timeout(GIVE_UP_SECONDS):
                await self._send_envelope(pending)
                return await asyncio.shield(pending.answer)
        except TimeoutError:
            self._pending.pop(envelope_id, None)
            self.failures.append(f"envelope {envelope_id} ({kind}) was never acknowledged")
            return Ack(envelope_id, None, self.clock() - pending.sent_at, received=False)

    async def _send_envelope(self, pending: _Pending) -> None:
        while True:
            socket = await self._usable_socket()
            pending.sent_at = self.clock()
            try:
                await socket.send_json(pending.envelope)
            except ConnectionError:
                continue  # it closed as we chose it: the app reconnects, send on the next
            if self._refresh_after_next:
                self._refresh_after_next = False
                await self._ask_to_reconnect(socket, "refresh_requested")
            return

    async def _usable_socket(self) -> web.WebSocketResponse:
        def usable() -> list[web.WebSocketResponse]:
            return [s for s in self._sockets if s not in self._refreshing and not s.closed]

        async with self._changed:
            await self._changed.wait_for(lambda: bool(usable()))
            return usable()[-1]

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect on every connection, as Slack does before it moves one;
        new envelopes wait for a new connection."""
        for socket in list(self._sockets):
            await self._ask_to_reconnect(socket, reason)

    def refresh_after_next_envelope(self) -> None:
        """Send `disconnect` right after the next envelope, while the app is still handling it."""
        self._refresh_after_next = True

    async def _ask_to_reconnect(self, socket: web.WebSocketResponse, reason: str) -> None:
        self._refreshing.add(socket)
        await socket.send_json({"type": "disconnect", "reason": reason, "debug_info": DEBUG_INFO})

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
