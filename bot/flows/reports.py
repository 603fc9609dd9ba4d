"""`/mentoring-admin report [name]`: the programme against its objectives as Block Kit, then
the chart (PNG), the per-pair CSV and the retention CSV uploaded to the lead's DM with the app."""

from __future__ import annotations

import asyncio
import logging
import re

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.models import ProgrammeStatus
from bot.services import audit
from bot.services.programmes import find_programmes
from bot.services.reports import Report, build_report
from bot.slack.replies import Reply
from bot.slack.uploads import Upload, send_files
from bot.views.charts import trends_png
from bot.views.mrkdwn import join, mrkdwn
from bot.views.report import pairs_csv, report_blocks, retention_csv

log = logging.getLogger(__name__)


def file_stem(report: Report) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", report.programme.lower()).strip("-") or "programme"
    return f"{name}-{report.made_on.isoformat()}"


def report_files(report: Report, chart: bytes) -> list[Upload]:
    stem = file_stem(report)
    return [
        Upload(f"{stem}-trends.png", f"{report.programme}: trends", chart),
        Upload(f"{stem}-pairs.csv", f"{report.programme}: pairs (metadata)", pairs_csv(report)),
        Upload(
            f"{stem}-retention.csv",
            f"{report.programme}: retention (shares only)",
            retention_csv(report),
        ),
    ]


async def report_command(
    deps: Deps, client: AsyncWebClient, reply: Reply, *, team_id: str, lead_id: str, name: str
) -> None:
    now = deps.clock.now()
    async with deps.db.transaction() as session:
        found = await find_programmes(session, team_id=team_id, name=name or None, lead_id=lead_id)
        if not name:
            found = [p for p in found if p.status != ProgrammeStatus.DRAFT]
        if len(found) != 1:
            await _which(reply, name, [p.name for p in found])
            return
        report = await build_report(session, programme=found[0], today=now.date(), now=now)
        await audit.record(
            session,
            team_id=team_id,
            lead_id=lead_id,
            view=audit.View.REPORT,
            programme_id=report.programme_id,
            participant_ids=[i for pair in report.pairs for i in pair.people],
            now=now,
        )
    await reply(mrkdwn("Report: {name}", name=report.programme), report_blocks(report))
    chart = await asyncio.to_thread(trends_png, report)  # matplotlib is CPU-bound
    try:
        await send_files(
            deps.db, client, team_id=team_id, user_id=lead_id, files=report_files(report, chart)
        )
    except SlackApiError as exc:
        log.warning("report files not uploaded: %s", exc.response.get("error"))
        await reply(
            mrkdwn(
                "The chart and the CSV could not be uploaded ({error}). Try again in a minute.",
                error=exc.response.get("error", "unknown error"),
            )
        )


async def _which(reply: Reply, name: str, names: list[str]) -> None:
    if name:
        await reply(mrkdwn("No programme is called “{name}”.", name=name))
    elif not names:
        await reply("There is no programme to report on yet.")
    else:
        listed = join(", ", (mrkdwn("“{name}”", name=n) for n in names))
        await reply(
            mrkdwn("Which programme? `/mentoring-admin report NAME` ({listed}).", listed=listed)
        )
