"""Slack's request signature, checked on the exact bytes received before anything reads them."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from slack_sdk import signature
from slack_sdk.signature import SignatureVerifier

from bot.clock import Clock

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
# Slack's advice: refuse a request signed more than five minutes from now (replays).
MAX_SKEW_SECONDS = 5 * 60


class _Seconds(signature.Clock):
    """The app's clock as SignatureVerifier reads one: seconds since the epoch."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now().timestamp()


class _BytesVerifier(SignatureVerifier):
    """Hashes the body as received: the SDK decodes bytes as UTF-8 first, which raises on
    any other body instead of refusing it."""

    def generate_signature(self, *, timestamp: str, body: str | bytes) -> str:
        raw = body if isinstance(body, bytes) else body.encode()
        base = b"v0:" + timestamp.encode() + b":" + raw
        digest = hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
        return f"v0={digest}"


class RequestSignature:
    """Why a request is not Slack's (a short reason, never its content), or None when it is."""

    def __init__(self, signing_secret: str, clock: Clock) -> None:
        self._seconds = _Seconds(clock)
        self._verifier = _BytesVerifier(signing_secret, self._seconds)

    def header_problem(self, headers: Mapping[str, str]) -> str | None:
        """What is wrong with the signature headers alone, so a body is not read for nothing."""
        timestamp, signature = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
        if timestamp is None or signature is None:
            return "no signature headers"
        if not signature.isascii():
            return "malformed signature"  # hmac.compare_digest raises on anything else
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return "malformed timestamp"
        offset = round(int(timestamp) - self._seconds.now())
        if abs(offset) > MAX_SKEW_SECONDS:
            side = "behind" if offset < 0 else "ahead of"
            return f"timestamp {abs(offset)} s {side} this server's clock"
        return None

    def body_problem(self, body: bytes, headers: Mapping[str, str]) -> str | None:
        """Checks the signature of headers that passed header_problem against the body."""
        timestamp, signature = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
        if not self._verifier.is_valid(body, timestamp, signature):
            return "wrong signature"
        return None
