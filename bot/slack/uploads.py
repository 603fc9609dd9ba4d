"""Files for a person, through Slack's external upload (getUploadURLExternal, the upload,
completeUploadExternal), which slack_sdk's files_upload_v2 performs, into the app's DM with
them: its id as learnt before (services/direct_channels), or opened once and kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.db import Database
from bot.services import direct_channels


@dataclass(frozen=True)
class Upload:
    filename: str
    title: str
    content: bytes


async def dm_channel(db: Database, client: AsyncWebClient, *, team_id: str, user_id: str) -> str:
    """The app's DM with the person: known already, or opened now and remembered."""
    async with db.transaction() as session:
        known = await direct_channels.known(session, [(team_id, user_id)])
    if (team_id, user_id) in known:
        return known[(team_id, user_id)]
    opened = await client.conversations_open(users=user_id)
    channel: str = opened["channel"]["id"]
    async with db.transaction() as session:
        await direct_channels.remember(session, [direct_channels.Learnt(team_id, user_id, channel)])
    return channel


async def send_files(
    db: Database, client: AsyncWebClient, *, team_id: str, user_id: str, files: list[Upload]
) -> list[str]:
    """Share the files in the person's DM with the app; returns the file ids."""
    channel = await dm_channel(db, client, team_id=team_id, user_id=user_id)
    return await share_files(client, channel=channel, files=files)


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
