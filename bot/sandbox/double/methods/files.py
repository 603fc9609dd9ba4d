"""files.getUploadURLExternal and files.completeUploadExternal (the upload itself goes to
the double's /upload/<file id> route)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.errors import SlackError, invalid_arguments
from bot.sandbox.double.method_registry import CallContext, handles
from bot.sandbox.double.methods.chat import postable_channel
from bot.sandbox.double.workspace import Channel

MAX_ALT_TEXT = 1000


@handles("files.getUploadURLExternal")
def get_upload_url(ctx: CallContext) -> dict[str, Any]:
    filename = ctx.require("filename")
    length = ctx.integer("length", -1)
    if length < 0:
        raise invalid_arguments("[ERROR] missing required field: length")
    if len(ctx.text("alt_txt") or "") > MAX_ALT_TEXT:
        raise SlackError("alt_txt_too_large")
    file_id = ctx.state.new_id("F")
    ctx.state.files[file_id] = {
        "id": file_id,
        "name": filename,
        "title": filename,
        "size": length,
        "content": None,
        "completed": False,
        "user": ctx.grant.user_id,
        "channels": [],
    }
    return {"upload_url": f"{ctx.base_url}/upload/{file_id}", "file_id": file_id}


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in ("content", "completed")}


@handles("files.completeUploadExternal")
def complete_upload(ctx: CallContext) -> dict[str, Any]:
    files = ctx.json_value("files", error="invalid_arguments")
    if not isinstance(files, list) or not files:
        raise invalid_arguments("[ERROR] files must be a non-empty array")
    entries = []
    for item in files:
        file_id = item.get("id") if isinstance(item, dict) else None
        entry = ctx.state.files.get(file_id or "")
        # A file that was never uploaded cannot be completed.
        if entry is None or entry["content"] is None:
            raise SlackError("file_not_found")
        entries.append((entry, item))
    targets: list[Channel] = []
    channel_id = ctx.text("channel_id")
    if channel_id or ctx.text("channels"):
        ids = [channel_id] if channel_id else []
        ids += [c.strip() for c in (ctx.text("channels") or "").split(",") if c.strip()]
        targets = [postable_channel(ctx, channel_id) for channel_id in ids]
    for entry, item in entries:
        entry["completed"] = True
        if item.get("title"):
            entry["title"] = item["title"]
        entry["channels"] = [c.id for c in targets]
    for channel in targets:
        ctx.state.add_message(
            channel.id,
            {
                "type": "message",
                "subtype": "file_share",
                "ts": ctx.state.next_ts(),
                "channel": channel.id,
                "text": ctx.text("initial_comment") or "",
                "blocks": [],
                "thread_ts": ctx.text("thread_ts"),
                "user": ctx.grant.user_id,
                "files": [_shown(entry) for entry, _ in entries],
            },
        )
    return {"files": [_shown(entry) for entry, _ in entries]}
