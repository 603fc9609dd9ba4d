"""The error a Web API method answers with: `{"ok": false, "error": ...}` plus extras."""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


def invalid_arguments(*messages: str) -> SlackError:
    return SlackError("invalid_arguments", response_metadata={"messages": list(messages)})


def missing_field(name: str) -> SlackError:
    return invalid_arguments(f"[ERROR] missing required field: {name}")
