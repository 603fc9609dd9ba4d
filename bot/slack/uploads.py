"""Files for a person, through Slack's external upload (getUploadURLExternal, the upload,
completeUploadExternal), which slack_sdk's files_upload_v2 performs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient


@dataclass(frozen=True)
class Upload:
    filename: str
    title: str
    content: bytes


async def send_files(client: AsyncWebClient, *, user_id: str, files: list[Upload]) -> list[str]:
    """Share the files in the person's DM with the app; returns the file ids."""
    opened = await client.conversations_open(users=user_id)
    return await share_files(client, channel=opened["channel"]["id"], files=files)


async def share_files(
    client: AsyncWebClient, *, channel: str, files: list[Upload], comment: str | None = None
) -> list[str]:
    """Share the files in a conversation the app is in, with a comment (mrkdwn) if given;
    returns the file ids."""
    done = await client.files_upload_v2(
        channel=channel,
        file_uploads=[
            {"content": f.content, "filename": f.filename, "title": f.title} for f in files
        ],
        initial_comment=comment,
    )
    shared: list[dict[str, Any]] = done.get("files", [])
    return [f["id"] for f in shared]
