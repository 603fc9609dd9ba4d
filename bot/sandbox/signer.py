"""Sends requests to the app the way Slack does: over HTTP, signed with the signing secret (by
slack_sdk's own signing code) and encoded as Slack encodes them, or over the app's Socket Mode
connection to the double, in envelopes; with trigger ids and response URLs issued by a
SlackDouble. Every request is built the same way whichever transport carries it.

After a view_submission is acknowledged the modal moves in the double as it would in
Slack (closed, updated, pushed, or kept open with errors).
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.double.block_kit import block_elements
from bot.sandbox.double.interaction_payloads import (
    Actor,
    action_entry,
    block_actions_payload,
    event_envelope,
    shortcut_payload,
    slash_command_form,
    view_closed_payload,
    view_submission_payload,
    view_with_state,
)
from bot.sandbox.double.socket_mode import ACK_DEADLINE_SECONDS, Ack
from bot.sandbox.double.team_side import TeamSide
from bot.sandbox.double.view_state import (
    MISSING,
    STATE_KEYS,
    ValueChecker,
    match_values,
    state_values,
    stateful_elements,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Socket Mode's envelope types for what Slack sends.
COMMAND, INTERACTION, EVENT = "slash_commands", "interactive", "events_api"


class SignedResponse:
    """The app's answer to one request, and what was sent."""

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        text: str,
        elapsed: float,
        payload: Any,
        sent: tuple[bytes, dict[str, str]] = (b"", {}),
        kind: str = "",
    ) -> None:
        self.status = status
        self.headers = headers
        self.text = text
        self.elapsed = elapsed
        # The payload (or form fields) sent, e.g. to read the trigger_id or event_id used.
        self.payload = payload
        # The exact bytes and headers posted, to send the very same request again.
        self.sent_body, self.sent_headers = sent
        self.kind = kind  # COMMAND, INTERACTION or EVENT; "" for a raw body sent
        # Set for view submissions when Slack would show an error instead of moving on.
        self.view_ack_error: str | None = None
        # Real seconds (time.perf_counter) from sending to the answer, whatever clock
        # `elapsed` follows: a sandbox on a fake clock measures Slack's deadline on that clock.
        self.real_seconds = 0.0

    @classmethod
    def of_ack(cls, ack: Ack, payload: Any, kind: str) -> SignedResponse:
        """An acknowledgement over Socket Mode, read like an HTTP answer: 200 with the ack's
        payload as the body, or status 0 when none came."""
        text = json.dumps(ack.payload) if ack.payload is not None else ""
        return cls(200 if ack.received else 0, {}, text, ack.elapsed, payload, kind=kind)

    def json(self) -> Any:
        return json.loads(self.text) if self.text.strip() else None

    @property
    def acked_in_time(self) -> bool:
        return self.status != 0 and self.elapsed <= ACK_DEADLINE_SECONDS

    def __repr__(self) -> str:
        return f"SignedResponse(status={self.status}, text={self.text[:200]!r})"


@dataclass
class _UsedOn:
    """Where a block action happens: an open view, or a message in `channel_id`."""

    blocks: list[dict[str, Any]]
    container: dict[str, Any]
    remembered: dict[tuple[str, str], Any]  # input the user gave before, by (block, action)
    view: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    channel_id: str = ""
    is_ephemeral: bool = False


class SlackRequestSigner:
    def __init__(
        self,
        signing_secret: str,
        app_url: str,
        double: TeamSide,
        clock: Callable[[], float] = time.time,
        *,
        verification_token: str = "legacy-verification-token",
        timer: Callable[[], float] = time.perf_counter,
        socket_mode: bool = False,
    ) -> None:
        """`clock` is Slack's wall clock (the signature's timestamp); `timer` measures how long
        the app took to answer, for Slack's 3-second deadline (tests give their own clock).
        With `socket_mode`, requests go over the app's connection to the double instead, timed
        by the double's clock."""
        self.signing_secret = signing_secret
        self._verifier = SignatureVerifier(signing_secret)
        self.app_url = app_url
        self.double = double
        self.clock = clock
        self.verification_token = verification_token
        self.timer = timer
        self._session: aiohttp.ClientSession | None = None
        self._event_ids = itertools.count(1)
        self.socket_mode = socket_mode

    def for_double(self, double: TeamSide) -> SlackRequestSigner:
        """The same Slack signing for another workspace it hosts (`double.team(...)`)."""
        return SlackRequestSigner(
            self.signing_secret,
            self.app_url,
            double,
            self.clock,
            verification_token=self.verification_token,
            timer=self.timer,
            socket_mode=self.socket_mode,
        )

    # -- signing and sending ------------------------------------------------------------

    def sign(self, body: str | bytes, timestamp: int) -> str:
        """The X-Slack-Signature for body, computed by slack_sdk's own code. It reads the body
        as UTF-8 text, as every body Slack sends is; other bytes raise UnicodeDecodeError."""
        signature = self._verifier.generate_signature(timestamp=str(timestamp), body=body)
        assert signature is not None  # None only when the timestamp is None
        return signature

    def signed_headers(self, body: str | bytes) -> dict[str, str]:
        timestamp = int(self.clock())
        return {
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": self.sign(body, timestamp),
        }

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        payload: Any = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SignedResponse:
        """POST a raw body to the app, signed."""
        headers = {"Content-Type": content_type, **self.signed_headers(body)}
        headers.update(extra_headers or {})
        return await self._post(body.encode(), headers, payload)

    async def resend(self, earlier: SignedResponse) -> SignedResponse:
        """Post the very bytes and headers of an earlier request again, signature included:
        a replay, or Slack delivering the same request twice (in Socket Mode: the same payload
        in a new envelope)."""
        if self.socket_mode:
            return await self._over_socket(earlier.kind, earlier.payload)
        return await self._post(earlier.sent_body, earlier.sent_headers, earlier.payload)

    async def _deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        body: str,
        content_type: str,
        retry: tuple[int, str] | None = None,
    ) -> SignedResponse:
        """Deliver a request Slack sends (`body` is its HTTP encoding) by the signer's
        transport; `retry` is an event's retry number and reason."""
        if self.socket_mode:
            return await self._over_socket(kind, payload, retry)
        headers = {}
        if retry is not None:
            headers = {"X-Slack-Retry-Num": str(retry[0]), "X-Slack-Retry-Reason": retry[1]}
        response = await self.send(body, content_type, payload=payload, extra_headers=headers)
        response.kind = kind
        return response

    async def _over_socket(
        self, kind: str, payload: Any, retry: tuple[int, str] | None = None
    ) -> SignedResponse:
        # Slack numbers an event's first delivery 0, with no reason.
        attempt, reason = retry or (0, "")
        started = time.perf_counter()
        ack = await self.double.socket_mode.send(
            kind, payload, retry_attempt=attempt, retry_reason=reason
        )
        response = SignedResponse.of_ack(ack, payload, kind)
        response.real_seconds = time.perf_counter() - started
        return response

    async def _post(self, raw: bytes, headers: dict[str, str], payload: Any) -> SignedResponse:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        started, really_started = self.timer(), time.perf_counter()
        async with self._session.post(self.app_url, data=raw, headers=headers) as resp:
            text = await resp.text()
            elapsed = self.timer() - started
            response = SignedResponse(
                resp.status, resp.headers, text, elapsed, payload, (raw, headers)
            )
            response.real_seconds = time.perf_counter() - really_started
            return response

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _send_interaction(self, payload: dict[str, Any]) -> SignedResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self._deliver(INTERACTION, payload, body, FORM)

    def _actor(self, user_id: str) -> Actor:
        return Actor(self.double.workspace, self.verification_token, user_id)

    def _action_ts(self) -> str:
        return f"{self.clock():.6f}"

    def _checker(self) -> ValueChecker:
        ws = self.double.workspace
        return ValueChecker(ws.users, ws.channels)

    # -- slash commands and shortcuts ---------------------------------------------------

    async def slash_command(
        self, user_id: str, command: str, text: str = "", *, channel_id: str | None = None
    ) -> SignedResponse:
        """Run `command` as `user_id` in `channel_id` (default: the user's IM with the bot)."""
        double = self.double
        channel_id = channel_id or double.dm_channel(user_id)
        form = slash_command_form(
            double.workspace,
            token=self.verification_token,
            user_id=user_id,
            command=command,
            text=text,
            channel_id=channel_id,
            channel=double.workspace.channels.get(channel_id),
            trigger_id=double.new_trigger_id(user_id),
            response_url=double.new_response_url(channel_id, user_id),
        )
        return await self._deliver(COMMAND, form, urlencode(form), FORM)

    async def global_shortcut(self, user_id: str, callback_id: str) -> SignedResponse:
        payload = shortcut_payload(
            self._actor(user_id),
            callback_id=callback_id,
            trigger_id=self.double.new_trigger_id(user_id),
            action_ts=self._action_ts(),
        )
        return await self._send_interaction(payload)

    async def message_shortcut(
        self, user_id: str, callback_id: str, *, channel: str, ts: str
    ) -> SignedResponse:
        double = self.double
        channel_id = double.dm_channel(channel) if channel in double.workspace.users else channel
        message = double.find_message(channel_id, ts)
        if message is None:
            raise ValueError(f"no message {ts} in {channel_id}")
        payload = shortcut_payload(
            self._actor(user_id),
            callback_id=callback_id,
            trigger_id=double.new_trigger_id(user_id),
            action_ts=self._action_ts(),
            message=message,
            channel=double.workspace.channels[channel_id],
            response_url=double.new_response_url(channel_id, user_id, ts),
        )
        return await self._send_interaction(payload)

    # -- block actions --------------------------------------------------------------------

    async def block_action(
        self,
        user_id: str,
        action_id: str,
        value: Any = None,
        *,
        block_id: str | None = None,
        message: dict[str, str] | None = None,
        view_id: str | None = None,
        selected_option: Any = None,
    ) -> SignedResponse:
        """The user uses an element of a stored message ({channel, ts}) or of a view.

        `value` overrides a button's value, or is what the user picks or types for other
        elements (option values for selects, user ids, dates, ...); `selected_option` is
        the same for selects, by option value.
        """
        if (message is None) == (view_id is None):
            raise ValueError("give exactly one of message={'channel', 'ts'} or view_id")
        given = selected_option if selected_option is not None else value
        given = MISSING if given is None else given
        if view_id is not None:
            used = self._view_used(user_id, view_id)
        else:
            assert message is not None
            used = self._message_used(user_id, message)
        block, element = _find_element(used.blocks, action_id, block_id)
        checker = self._checker()
        action = action_entry(checker, block, element, given, action_ts=self._action_ts())
        if element.get("type") in STATE_KEYS and given is not MISSING:
            used.remembered[(block["block_id"], element["action_id"])] = given
        state = state_values(used.blocks, checker, used.remembered)
        payload = block_actions_payload(
            self._actor(user_id),
            trigger_id=self.double.new_trigger_id(user_id),
            action=action,
            container=used.container,
            state=state,
            **self._where_used(used, user_id, state),
        )
        return await self._send_interaction(payload)

    def _view_used(self, user_id: str, view_id: str) -> _UsedOn:
        view = self._view_of(user_id, view_id)
        return _UsedOn(
            blocks=view["blocks"],
            container={"type": "view", "view_id": view_id},
            # A view remembers what the user put in its inputs until it is submitted or closed.
            remembered=self.double.state.views.user_input.setdefault(view_id, {}),
            view=view,
        )

    def _message_used(self, user_id: str, message: dict[str, str]) -> _UsedOn:
        found, channel_id, is_ephemeral = self._message_for(user_id, message)
        return _UsedOn(
            blocks=found["blocks"],
            container={
                "type": "message",
                "message_ts": found["ts"],
                "channel_id": channel_id,
                "is_ephemeral": is_ephemeral,
            },
            remembered={},
            message=found,
            channel_id=channel_id,
            is_ephemeral=is_ephemeral,
        )

    def _where_used(self, used: _UsedOn, user_id: str, state: dict[str, Any]) -> dict[str, Any]:
        """The block_actions fields that say where the action happened: the view (its state
        inside it) or the message, its channel and a response URL."""
        if used.view is not None:
            return {"view": view_with_state(used.view, state)}
        assert used.message is not None
        return {
            "message": None if used.is_ephemeral else used.message,
            "channel": self.double.workspace.channels.get(used.channel_id),
            "response_url": self.double.new_response_url(
                used.channel_id, user_id, used.message["ts"]
            ),
        }

    def _view_of(self, user_id: str, view_id: str) -> dict[str, Any]:
        view = self.double.views.get(view_id)
        if view is None or not self.double.state.views.is_open(view_id):
            raise ValueError(f"view {view_id} is not open")
        if view["user_id"] != user_id:
            raise ValueError(f"view {view_id} belongs to {view['user_id']}, not {user_id}")
        return view

    def _message_for(
        self, user_id: str, message: dict[str, str]
    ) -> tuple[dict[str, Any], str, bool]:
        double = self.double
        channel = message["channel"]
        channel_id = double.dm_channel(channel) if channel in double.workspace.users else channel
        found = double.state.find_message(channel_id, message["ts"])
        if found is not None:
            return found, channel_id, False
        found = double.state.find_ephemeral(channel_id, message["ts"])
        if found is None:
            raise ValueError(f"no message {message['ts']} in {channel_id}")
        if found["recipient"] != user_id:
            raise ValueError(f"ephemeral message {message['ts']} was shown to someone else")
        return found, channel_id, True

    # -- modals ---------------------------------------------------------------------------

    def _top_modal(self, user_id: str, view_id: str) -> dict[str, Any]:
        stack = self.double.open_modals(user_id)
        if not stack or stack[-1]["id"] != view_id:
            top = stack[-1]["id"] if stack else None
            raise ValueError(f"view {view_id} is not {user_id}'s top modal (that is {top})")
        return stack[-1]

    def view_submission(
        self, user_id: str, view_id: str, values: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The view_submission payload Slack would send for the user's top modal (not sent)."""
        view = self._top_modal(user_id, view_id)
        items = list(stateful_elements(view["blocks"]))
        given = {
            **self.double.state.views.user_input.get(view_id, {}),
            **match_values(items, values or {}),
        }
        state = state_values(view["blocks"], self._checker(), given, require_inputs=True)
        return view_submission_payload(
            self._actor(user_id),
            trigger_id=self.double.new_trigger_id(user_id),
            view=view_with_state(view, state),
        )

    async def submit_view(
        self, user_id: str, view_id: str, values: dict[str, Any] | None = None
    ) -> SignedResponse:
        """Submit the user's top modal. `values` are keyed by block_id or action_id; inputs
        not given keep their initial value (or stay empty, as in Slack)."""
        payload = self.view_submission(user_id, view_id, values)
        response = await self._send_interaction(payload)
        if not response.acked_in_time:
            response.view_ack_error = f"no acknowledgement within {ACK_DEADLINE_SECONDS:g} s"
            return response
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        response.view_ack_error = self.double.apply_view_submission_ack(
            user_id, view_id, response.status, body
        )
        return response

    async def close_view(self, user_id: str, view_id: str) -> SignedResponse | None:
        """The user closes their top modal. The app hears of it (view_closed) only when the
        view has notify_on_close; otherwise this returns None."""
        view = self._top_modal(user_id, view_id)
        given = self.double.state.views.user_input.get(view_id, {})
        state = state_values(view["blocks"], self._checker(), given)
        shown = view_with_state(view, state)
        cleared = bool(view.get("clear_on_close"))
        self.double.close_modal(user_id, clear=cleared)
        if not view.get("notify_on_close"):
            return None
        payload = view_closed_payload(self._actor(user_id), view=shown, is_cleared=cleared)
        return await self._send_interaction(payload)

    # -- Events API -----------------------------------------------------------------------

    async def event(
        self,
        event: dict[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        event_id: str | None = None,
    ) -> SignedResponse:
        """Deliver an event. Pass the first delivery's `event_id` with `retry_num` to send a
        retry of it, as Slack does when an event was not acknowledged in time."""
        event = {**event}
        event.setdefault("event_ts", f"{self.clock():.6f}")
        envelope = event_envelope(
            self.double.workspace,
            event,
            token=self.verification_token,
            event_id=event_id or self._new_event_id(),
            event_time=int(self.clock()),
        )
        retry = None if retry_num is None else (retry_num, retry_reason or "http_timeout")
        return await self._deliver(EVENT, envelope, json.dumps(envelope), JSON, retry)

    def _new_event_id(self) -> str:
        # Unique across signers, as Slack's are: another replica's sandbox must not reuse one.
        return f"Ev{next(self._event_ids):04d}{secrets.token_hex(4).upper()}"

    async def url_verification(self, challenge: str) -> SignedResponse:
        body = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return await self.send(json.dumps(body), JSON, payload=body)


def _find_element(
    blocks: list[dict[str, Any]], action_id: str, block_id: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    found = [
        (block, element)
        for block in blocks
        if block_id is None or block.get("block_id") == block_id
        for _, element in block_elements(block)
        if element.get("action_id") == action_id
    ]
    if not found:
        where = f" in block {block_id!r}" if block_id else ""
        raise ValueError(f"no element with action_id {action_id!r}{where}")
    if len(found) > 1:
        raise ValueError(f"several elements have action_id {action_id!r}; give block_id")
    return found[0]
