"""Reading a Web API call the way Slack does: token, then arguments from the query string,
a form body, or a JSON body (JSON only for methods that accept it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.double.errors import SlackError

# Arguments whose values are JSON documents sent as strings; they are decoded so handlers
# and recorded calls see Python objects.
JSON_VALUED_ARGS = ("blocks", "view", "attachments", "metadata", "files")


@dataclass
class IncomingCall:
    args: dict[str, Any]
    token: str | None
    # JSON-valued arguments that were not valid JSON (kept as the raw string in `args`).
    undecodable: set[str] = field(default_factory=set)


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def read_call(request: web.Request, *, json_input_supported: bool) -> IncomingCall:
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/x-www-form-urlencoded":
            args.update((k, v) for k, v in (await request.post()).items() if isinstance(v, str))
        elif content_type == "multipart/form-data":
            raise SlackError("invalid_form_data")
        elif content_type == "application/json":
            raw = await request.read()
            # Slack ignores JSON bodies for methods that do not take them, so their
            # arguments simply go missing.
            if json_input_supported and raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    raise SlackError("invalid_json") from exc
                if not isinstance(body, dict):
                    raise SlackError("invalid_json")
                # A token inside a JSON body is not read; it must come in the header.
                body.pop("token", None)
                args.update(body)
    token = bearer_token(request)
    arg_token = args.pop("token", None)
    if token is None and isinstance(arg_token, str) and arg_token:
        token = arg_token
    call = IncomingCall(args=args, token=token)
    for name in JSON_VALUED_ARGS:
        value = args.get(name)
        if isinstance(value, str) and value.strip():
            try:
                args[name] = json.loads(value)
            except ValueError:
                call.undecodable.add(name)
    return call
