"""Report figures: the lead's report for a programme of 5,000 participants (2,500 pairs, six
sessions each with ratings, three pulse rounds, the end review and objective re-ratings), on
SQLite and PostgreSQL: the time to build the figures, the Block Kit, the CSV and the chart.

    .venv/bin/python bench/report.py [--people 5000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.db import Database  # noqa: E402
from bot.migrate import upgrade_head  # noqa: E402
from bot.models import (  # noqa: E402
    Medium,
    Objective,
    ObjectiveRating,
    Pair,
    Programme,
    RatingPhase,
    Role,
    SessionLog,
    SessionRating,
    Survey,
    SurveyKind,
    SurveyResponse,
)
from bot.sandbox.seed import seed_active_pairs  # noqa: E402
from bot.services.reports import build_report  # noqa: E402
from bot.views.charts import trends_png  # noqa: E402
from bot.views.report import pairs_csv, report_blocks  # noqa: E402

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def seed(db: Database, people: int, now: datetime) -> int:
    rng = random.Random(7)
    seeded = await seed_active_pairs(db, pairs=people // 2, due=0, now=now)
    today = now.date()
    async with db.transaction() as session:
        pid = seeded.programme_id
        objectives = []
        for n, title in enumerate(("Confidence with social media", "Understanding of AI")):
            objective = Objective(programme_id=pid, position=n, title=title, measure="1-5")
            session.add(objective)
            objectives.append(objective)
        await session.flush()
        pairs = (await session.execute(select(Pair.id, Pair.mentor_id, Pair.mentee_id))).all()
        logs = [
            {
                "pair_id": pair_id,
                "held_on": today - timedelta(days=14 * k + rng.randint(0, 5)),
                "minutes": 60,
                "medium": Medium.VIDEO,
                "topics": ["AI"],
                "logged_by": mentor,
                "created_at": now,
                "updated_at": now,
            }
            for pair_id, mentor, _ in pairs
            for k in range(6)
        ]
        ids = (await session.execute(insert(SessionLog).returning(SessionLog.id), logs)).scalars()
        await session.execute(
            insert(SessionRating),
            [
                {"session_id": i, "participant_id": pairs[0][2], "rating": rng.randint(2, 5)}
                for i in ids
            ],
        )
        for number in (1, 2, 3):
            survey = Survey(
                programme_id=pid,
                kind=SurveyKind.PULSE,
                number=number,
                opens_on=today - timedelta(days=28 * (4 - number)),
                closes_at=now,
                created_at=now,
            )
            session.add(survey)
            await session.flush()
            await session.execute(
                insert(SurveyResponse),
                [
                    {
                        "id": secrets.token_hex(16),
                        "survey_id": survey.id,
                        "role": Role.MENTOR,
                        "value": rng.randint(1, 5),
                        "balance": rng.randint(1, 5),
                        "openness": rng.randint(1, 5),
                        "breadth": rng.randint(1, 5),
                        "comment": "",
                    }
                    for _ in range(people * 3 // 5)
                ],
            )
        end = Survey(
            programme_id=pid,
            kind=SurveyKind.END,
            number=0,
            opens_on=today,
            closes_at=now,
            created_at=now,
        )
        session.add(end)
        await session.flush()
        await session.execute(
            insert(SurveyResponse),
            [
                {
                    "id": secrets.token_hex(16),
                    "survey_id": end.id,
                    "role": Role.MENTEE,
                    "would_recommend": rng.randint(4, 10),
                    "actions_implemented": rng.choice(("none", "some", "most", "all")),
                    "comment": "",
                }
                for _ in range(people // 2)
            ],
        )
        participants = [m for _, m, _ in pairs] + [e for _, _, e in pairs]
        await session.execute(
            insert(ObjectiveRating),
            [
                {
                    "participant_id": person,
                    "objective_id": objective.id,
                    "phase": phase,
                    "rating": rng.randint(1, 5),
                    "rated_at": now,
                }
                for person in participants
                for objective in objectives
                for phase in (RatingPhase.BASELINE, RatingPhase.END)
            ],
        )
    return seeded.programme_id


async def figures(name: str, url: str, people: int) -> None:
    db = Database(url)
    await upgrade_head(db)
    now = datetime.now(UTC)
    started = time.perf_counter()
    programme_id = await seed(db, people, now)
    seeded = time.perf_counter() - started
    async with db.engine.connect() as conn:
        if not db.is_sqlite:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
        else:
            await conn.execute(text("ANALYZE"))
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        async with db.transaction() as session:
            programme = await session.get(Programme, programme_id)
            assert programme is not None
            report = await build_report(session, programme=programme, today=now.date(), now=now)
        built = time.perf_counter()
        blocks = report_blocks(report)
        table = pairs_csv(report)
        chart = await asyncio.to_thread(trends_png, report)
        timings.append((built - started, time.perf_counter() - started))
    await db.dispose()
    figures_s, total_s = min(timings)
    print(
        f"{name:<10} {report.people:,} participants, {len(report.pairs):,} pairs, "
        f"{report.held:,} sessions (seeded in {seeded:.0f} s): figures {figures_s:.2f} s, "
        f"with Block Kit ({len(blocks)} blocks), CSV ({len(table) // 1024} KiB) and chart "
        f"({len(chart) // 1024} KiB) {total_s:.2f} s (best of 3; the first, importing "
        f"matplotlib, {timings[0][1]:.2f} s)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as folder:
            await figures("SQLite", f"sqlite+aiosqlite:///{folder}/report.db", args.people)
    if "postgresql" in backends:
        name = f"bench_report_{uuid.uuid4().hex[:8]}"
        admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            await figures("PostgreSQL", PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", args.people)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
