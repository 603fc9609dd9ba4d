"""A participant's own data, sent to them as a file."""

from __future__ import annotations

import json
import logging

from slack_sdk.errors import SlackApiError

from bot.flows.access import Ask
from bot.services.data_rights import export_for
from bot.slack.uploads import Upload, send_files

log = logging.getLogger(__name__)


async def send_my_data(ask: Ask) -> None:
    deps, client, reply, user_id = ask.deps, ask.client, ask.reply, ask.user_id
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        document = await export_for(session, team_id=ask.team_id, user_id=user_id, now=now)
    if document is None:
        await reply("Nothing is stored about you: you have not joined a programme.")
        return
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    upload = Upload(f"my-mentoring-data-{now:%Y-%m-%d}.json", "Your mentoring data", content)
    try:
        await send_files(deps.db, client, team_id=ask.team_id, user_id=user_id, files=[upload])
    except SlackApiError as exc:
        log.warning("data export not uploaded: %s", exc.response.get("error"))
        await reply("Your data could not be sent just now. Please try again in a minute.")
        return
    await reply(
        "Your data is in your DM with the app, as a file: your answers, your pairs, the "
        "sessions and notes you share with your partner, and your own private notes."
    )
