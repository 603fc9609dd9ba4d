"""The lead's report: the programme's figures as Block Kit, a PNG chart and a per-pair CSV in
the lead's DM; survey figures only over the programme's minimum of respondents. Mia and Eve
agree on 9 Jan and meet on 20 Jan and 3 Feb; Max and Ed are confirmed but have no agreement;
Flo is left over."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Command, Field
from bot.models import Programme, Role, Survey, SurveyKind, SurveyResponse
from bot.sandbox import Sandbox
from bot.views.admin import NOT_A_LEAD
from bot.views.report import CSV_HEADER
from tests.conftest import EXEC, LEAD, MENTOR, MENTOR2
from tests.flows import agree, confirm_pairs
from tests.scenarios import play
from tests.test_momentum_flows import at
from tests.test_pair_work_flows import log_session

NOTE = "We talked about the reorganisation rumours"
ACTION = "Draft the intranet post together"


async def reach_running(sandbox: Sandbox, clock: FakeClock) -> None:
    box = sandbox
    await agree(box, await play(box, clock, confirm_pairs))
    for day in ("01-20", "02-03"):
        clock.set(at(day, 12))
        await log_session(
            box,
            MENTOR,
            **{
                Field.HELD_ON: f"2026-{day}",
                Field.GOAL: NOTE,
                "action_0_text": ACTION,
                "action_0_due": "2026-04-01",
            },
        )
    clock.set(at("03-10", 12))


@pytest.fixture
async def running(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_running)
    return sandbox


async def pulse_answers(box: Sandbox, answers: list[tuple[int, int, int, int]]) -> None:
    async with box.db.transaction() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None
        survey = await session.scalar(select(Survey).where(Survey.kind == SurveyKind.PULSE))
        if survey is None:
            survey = Survey(
                programme_id=programme.id,
                kind=SurveyKind.PULSE,
                number=1,
                opens_on=date(2026, 3, 1),
                closes_at=datetime(2026, 3, 8, tzinfo=UTC),
                created_at=datetime(2026, 3, 1, tzinfo=UTC),
            )
            session.add(survey)
            await session.flush()
        for value, balance, openness, breadth in answers:
            session.add(
                SurveyResponse(
                    id=secrets.token_hex(16),
                    survey_id=survey.id,
                    role=Role.MENTOR,
                    value=value,
                    balance=balance,
                    openness=openness,
                    breadth=breadth,
                    comment="",
                )
            )


async def report_text(box: Sandbox) -> str:
    await box.command(LEAD, Command.ADMIN, "report")
    reply = box.replies(LEAD)[-1]
    assert reply["text"] == "Report: Digital cohort", reply["text"]
    return "\n".join(
        b.get("text", {}).get("text", "") if b["type"] != "context" else b["elements"][0]["text"]
        for b in reply["blocks"]
    )


async def test_the_report_counts_the_programme(running: Sandbox) -> None:
    text = await report_text(running)
    assert "*Sign-ups:* 2 mentors, 3 mentees" in text
    assert "*Match rate:* 80% of people are in a pair" in text  # 4 of 5
    assert "*Chemistry meetings:* 100% said go (2 of 2 decided)" in text
    # 35 days since 3 Feb: past the cadence (21) plus twice the grace (7), not yet three times.
    assert "*Pairs by momentum:* 1 stalled, 1 no agreement yet" in text
    assert "*Sessions:* 2 held of 6 planned; median 14 days between sessions" in text
    assert "*Actions taken back to the organisation:* 2 (0 done)" in text
    assert "*Pulse surveys:* none yet." in text
    assert NOTE not in text and ACTION not in text


async def test_pulse_averages_appear_only_from_the_minimum_of_answers(
    running: Sandbox,
) -> None:
    box = running
    answers = [(4, 3, 5, 2), (5, 3, 4, 2), (3, 4, 4, 3), (4, 2, 5, 3)]
    await pulse_answers(box, answers)  # 4 answers; the programme's minimum is 5
    text = await report_text(box)
    assert "• #1 (01 Mar): not enough answers yet" in text
    assert "value" not in text.split("Pulse surveys")[1].split("\n")[1]

    answers.append((4, 3, 4, 2))  # exactly the minimum
    await pulse_answers(box, answers[-1:])
    text = await report_text(box)
    means = [sum(a[i] for a in answers) / len(answers) for i in range(4)]
    assert (
        f"• #1 (01 Mar, 5 answers): value {means[0]:.1f}, balance {means[1]:.1f}, "
        f"openness {means[2]:.1f}, breadth {means[3]:.1f}"
    ) in text


async def test_the_chart_and_the_csv_reach_the_lead(running: Sandbox) -> None:
    box = running
    await report_text(box)
    lead_dm = box.double.dm_channel(LEAD)
    uploads = box.double.calls_to("files.completeUploadExternal")
    # (Besides the pairs' calendar files, shared in their own conversations.)
    done = [c for c in uploads if c.args["channel_id"] == lead_dm]
    assert len(done) == 1 and done[0].ok
    files = {f["name"]: f for f in box.double.state.files.values()}
    png = files["digital-cohort-2026-03-10-trends.png"]["content"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(
        csv.reader(io.StringIO(files["digital-cohort-2026-03-10-pairs.csv"]["content"].decode()))
    )
    assert tuple(rows[0]) == CSV_HEADER
    by_mentor: dict[str, Any] = {r[1]: dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]}
    assert set(by_mentor) == {"Mia Mentor", "Max Mentor"}
    mia = by_mentor["Mia Mentor"]
    assert (mia["mentee"], mia["sessions_held"], mia["sessions_planned"]) == ("Eve Exec", "2", "6")
    assert (mia["first_session"], mia["last_session"]) == ("2026-01-20", "2026-02-03")
    assert mia["median_days_between_sessions"] == "14.0"
    everything = png.decode("latin-1") + str(rows)
    assert NOTE not in everything and ACTION not in everything


def csv_rows(box: Sandbox) -> dict[str, dict[str, str]]:
    """The newest CSV the lead received, by mentor."""
    newest = [f for f in box.double.state.files.values() if f["name"].endswith("-pairs.csv")][-1]
    rows = list(csv.reader(io.StringIO(newest["content"].decode())))
    return {r[1]: dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]}


async def test_each_number_column_of_the_csv_has_one_format(
    running: Sandbox, clock: FakeClock
) -> None:
    box = running
    # Max and Ed meet three times (gaps of 14 and 21 days), Mia and Eve twice (one gap of
    # 14): a median of two gaps and a median of one.
    for day, usefulness in (("01-20", "5"), ("02-03", "4"), ("02-24", "4")):
        clock.set(at(day, 12))
        answers = {Field.HELD_ON: f"2026-{day}", Field.USEFULNESS: usefulness}
        await log_session(box, MENTOR2, **answers, action_0_due="2026-04-01")
    clock.set(at("03-10", 12))
    await report_text(box)
    rows = csv_rows(box)
    assert rows["Mia Mentor"]["median_days_between_sessions"] == "14.0"
    assert rows["Max Mentor"]["median_days_between_sessions"] == "17.5"
    assert rows["Max Mentor"]["average_session_rating"] == "4.33"
    assert rows["Mia Mentor"]["average_session_rating"] == "4.00"
    whole = ("pair_id", "sessions_held", "sessions_planned")
    for column in whole:
        assert all(row[column].isdigit() for row in rows.values()), column
    decimals = ("median_days_between_sessions", "average_session_rating")
    for column in decimals:
        places = {len(row[column].partition(".")[2]) for row in rows.values() if row[column]}
        assert len(places) == 1, (column, [row[column] for row in rows.values()])


async def test_only_leads_get_a_report(running: Sandbox) -> None:
    box = running
    await box.command(EXEC, Command.ADMIN, "report")
    assert box.replies(EXEC)[-1]["text"] == NOT_A_LEAD
    uploads = box.double.calls_to("files.getUploadURLExternal")
    assert [c for c in uploads if not c.args["filename"].endswith(".ics")] == []


async def test_the_leads_home_shows_the_figures_and_nobody_elses_does(running: Sandbox) -> None:
    box = running
    await box.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
    home = str(box.double.calls_to("views.publish")[-1].args["view"])
    assert (
        "2 mentors, 3 mentees · match rate 80% · sessions 2/6 · 1 pair stalled or at risk" in home
    )
    assert "/mentoring-admin report Digital cohort" in home
    await box.event({"type": "app_home_opened", "user": EXEC, "tab": "home"})
    mine = box.double.calls_to("views.publish")[-1]
    assert mine.args["user_id"] == EXEC and "match rate" not in str(mine.args["view"])


async def test_after_the_end_momentum_is_as_it_stood_at_the_end(
    running: Sandbox, clock: FakeClock
) -> None:
    box = running
    clock.set(at("06-25", 12))  # a last session a week before the end (1 Jul)
    await log_session(
        box,
        MENTOR,
        **{Field.HELD_ON: "2026-06-25", "action_0_text": ACTION, "action_0_due": "2026-06-30"},
    )
    clock.set(at("11-01", 12))  # months later, nobody is behind: the programme is over
    text = await report_text(box)
    assert "*Pairs by momentum:* 1 on track, 1 no agreement yet" in text
