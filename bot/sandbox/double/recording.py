"""What the double keeps about each Web API call, and faults queued for coming calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordedCall:
    method: str
    # Arguments as the app sent them, JSON-valued ones (blocks, view, ...) decoded.
    args: dict[str, Any]
    token: str | None
    http_status: int
    response: dict[str, Any]
    # The double's clock when the call was handled.
    at: float
    # The client's end of the TCP connection the call came over (host, port).
    connection: tuple[str, int] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass(frozen=True)
class Fault:
    error: str
    status: int
    retry_after: int | None

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
