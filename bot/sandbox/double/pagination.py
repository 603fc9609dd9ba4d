"""Cursor pagination as the Web API does it: an opaque `next_cursor`, empty on the last page."""

from __future__ import annotations

import base64
import binascii

from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.method_registry import CallContext

MAX_LIMIT = 1000


def encode_cursor(kind: str, next_id: str) -> str:
    return base64.b64encode(f"{kind}:{next_id}".encode()).decode()


def page(
    ctx: CallContext, ids: list[str], *, kind: str, default_limit: int
) -> tuple[list[str], str]:
    """The ids of the page the call's `cursor` and `limit` ask for, and the next cursor."""
    limit = ctx.integer("limit", default_limit, error="invalid_limit")
    if limit < 0:
        raise SlackError("invalid_limit")
    limit = min(limit, MAX_LIMIT) if limit else len(ids)
    start = 0
    cursor = ctx.text("cursor")
    if cursor is not None:
        try:
            found_kind, _, next_id = base64.b64decode(cursor, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise SlackError("invalid_cursor") from exc
        if found_kind != kind or next_id not in ids:
            raise SlackError("invalid_cursor")
        start = ids.index(next_id)
    chosen = ids[start : start + limit]
    rest = ids[start + limit :]
    return chosen, encode_cursor(kind, rest[0]) if rest else ""
