"""Free text is purged a set number of days (the programme's setting, 90 by default) after the
programme closes: every word anyone typed in it goes, from every table; dates, counts and
ratings stay, so the report still adds up."""

from __future__ import annotations

from sqlalchemy import func, select, text

from bot.clock import FakeClock
from bot.models import ActionItem, PrivateNote, Programme, SessionLog, SurveyResponse
from bot.sandbox import Sandbox
from tests.test_data_rights_flows import (  # noqa: F401  (the fixture)
    EVE,
    FLO,
    LEADS,
    MIA,
    found_in_database,
    names,
    typed_everywhere,
)
from tests.test_momentum_flows import at, tick
from tests.test_privacy import SECRETS, full  # noqa: F401  (the fixture)


async def stored_text(box: Sandbox) -> dict[str, object]:
    async with box.db.transaction() as session:
        log = await session.scalar(select(SessionLog))
        assert log is not None
        return {
            "goal": log.goal,
            "private notes": await session.scalar(select(func.count()).select_from(PrivateNote)),
            "actions": list(await session.scalars(select(ActionItem.text))),
            "comments": list(await session.scalars(select(SurveyResponse.comment))),
            "sessions": await session.scalar(select(func.count()).select_from(SessionLog)),
        }


async def test_free_text_is_purged_after_the_set_days(
    full: Sandbox,  # noqa: F811  (the fixture, imported)
    clock: FakeClock,
) -> None:
    box = full
    for day in ("07-01", "07-15"):  # the end date, then the end review closes
        await tick(box, clock, at(day, 12), "programmes")
    async with box.db.transaction() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None and programme.purge_after_days == 90
        closed = programme.closed_at
    assert closed is not None

    await tick(box, clock, at("10-12", 12), "programmes")  # 89 days on: all still there
    before = await stored_text(box)
    assert before["goal"] == SECRETS["goal"] and before["private notes"] == 1

    await tick(box, clock, at("10-13", 12, 1), "programmes")  # 90 days on
    after = await stored_text(box)
    assert after == {
        "goal": "",
        "private notes": 0,
        "actions": [""],
        "comments": ["", ""],
        "sessions": before["sessions"],
    }
    rows = []
    async with box.db.transaction() as session:
        tables = ("session_log", "action_item", "survey_response", "participant", "concern_message")
        for table in tables:
            rows += (await session.execute(text(f"SELECT * FROM {table}"))).all()
    dump = " ".join(str(row) for row in rows)
    assert [name for name, secret in SECRETS.items() if secret in dump] == []


async def test_the_purge_leaves_no_typed_word_in_any_table(
    typed_everywhere: Sandbox,  # noqa: F811  (the fixture, imported)
    clock: FakeClock,
) -> None:
    box = typed_everywhere
    everyone = {
        **{f"Mia's {k}": v for k, v in MIA.items()},
        **{f"Flo's {k}": v for k, v in FLO.items()},
        **{f"Eve's {k}": v for k, v in EVE.items()},
        **{f"the lead's {k}": v for k, v in LEADS.items()},
    }
    for day in ("07-01", "07-15"):  # the end date, then the end review closes
        await tick(box, clock, at(day, 12), "programmes")
    await tick(box, clock, at("10-12", 12), "programmes")  # 89 days on: all still there
    assert names(await found_in_database(box, everyone)) == set(everyone) - {"Mia's will"}
    async with box.db.transaction() as session:
        counts = {
            model.__tablename__: await session.scalar(select(func.count()).select_from(model))
            for model in (SessionLog, ActionItem, SurveyResponse)
        }

    await tick(box, clock, at("10-13", 12, 1), "programmes")  # 90 days on
    assert await found_in_database(box, everyone) == set()
    async with box.db.transaction() as session:
        assert counts == {
            model.__tablename__: await session.scalar(select(func.count()).select_from(model))
            for model in (SessionLog, ActionItem, SurveyResponse)
        }  # the report's figures stay
