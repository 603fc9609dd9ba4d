"""Retention in the lead's report: who is still in the workspace, learnt from Slack's
`user_change` events and a daily pass through users.list, shown for the programme's mentors
and mentees beside the whole workspace, and only for groups of at least the programme's
minimum (5 here). The cohort (Mia and Max mentoring Eve, Ed and Flo) runs from 1 Feb to
1 Jul 2026; four more people join it straight from the database (two mentors, two mentees),
so its mentors are four (too few to show) and its mentees five."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

import bot.slack.members
from bot.clock import FakeClock
from bot.ids import Command
from bot.models import MemberListing, WorkspaceMember
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.views.report import RETENTION_HEADER
from tests.conftest import EXEC, LEAD, TEAM
from tests.flows import EXEC2, close_enrolment, enrolling_cohort, seed_people
from tests.scenarios import play
from tests.test_data_rights_flows import exported
from tests.test_momentum_flows import at
from tests.test_report_flows import report_text

SEEDED = [f"U{n:08d}" for n in range(4)]  # mentor, mentee, mentor, mentee
OTHERS = [f"U0STAFF{n:02d}" for n in range(12)]  # in the workspace, not in the programme
GUEST, HELPER_BOT = "U0GUEST", "U0HELPER"


async def reach_listed(sandbox: Sandbox, clock: FakeClock) -> None:
    """The cohort enrolled, four more joined, and the workspace's first pass done on 6 Jan."""
    box = sandbox
    await play(box, clock, enrolling_cohort)
    assert box.db is not None
    await seed_people(box.db, 4)
    await close_enrolment(box, LEAD)
    for n, user in enumerate(SEEDED):
        box.workspace.add_user(User(id=user, name=f"p{n}", real_name=f"Person {n}"))
    for n, user in enumerate(OTHERS):
        box.workspace.add_user(User(id=user, name=f"s{n}", real_name=f"Staff {n}"))
    box.workspace.add_user(User(id=GUEST, name="gus", real_name="Gus Guest", is_restricted=True))
    box.workspace.add_user(User(id=HELPER_BOT, name="helper", is_bot=True, bot_id="B0HELPER"))
    clock.set(at("01-06", 3))
    await box.run_job("programmes")


@pytest.fixture
async def listed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_listed)
    return sandbox


async def member(box: Sandbox, user_id: str) -> WorkspaceMember | None:
    assert box.db is not None
    async with box.db.transaction() as session:
        return await session.get(WorkspaceMember, (TEAM, user_id))


async def listing(box: Sandbox) -> MemberListing:
    assert box.db is not None
    async with box.db.transaction() as session:
        found = await session.scalar(select(MemberListing))
    assert found is not None
    return found


def counted_people(box: Sandbox) -> set[str]:
    """The workspace's full members as the double has them: no bots, no guests."""
    users = box.workspace.users.values()
    return {u.id for u in users if not (u.is_bot or u.is_restricted)}


async def test_the_first_pass_records_everyone_and_counts_only_full_members(
    listed: Sandbox,
) -> None:
    box = listed
    calls = box.double.calls_to("users.list")
    assert len(calls) == 1 and calls[0].ok and calls[0].args["limit"] == "200"
    assert box.workspace.users.keys() == {
        m.user_id
        for m in [await member(box, u) for u in box.workspace.users]
        if m is not None and m.left_at is None
    }
    assert not (await member(box, GUEST)).counted  # type: ignore[union-attr]
    assert not (await member(box, HELPER_BOT)).counted  # type: ignore[union-attr]
    assert (await member(box, EXEC)).counted  # type: ignore[union-attr]
    done = await listing(box)
    assert done.first_listed_at == at("01-06", 3) and done.cursor is None
    # The next pass is a day away: the sweeps in between leave Slack alone.
    await box.run_job("programmes")
    assert len(box.double.calls_to("users.list")) == 1


async def test_a_deactivation_event_is_recorded_and_a_reactivation_clears_it(
    listed: Sandbox, clock: FakeClock
) -> None:
    box = listed
    clock.set(at("03-10", 12))
    left = box.double.set_active(EXEC2, active=False)
    sent = await box.event(left)
    assert sent.status == 200
    ed = await member(box, EXEC2)
    assert ed is not None and ed.left_at == at("03-10", 12)
    # Slack's retry of the same event, and the same signed request again: nothing new.
    clock.set(at("03-11", 12))
    await box.event(left, retry_num=1, event_id=sent.payload["event_id"])
    await box.resend(sent)
    assert (await member(box, EXEC2)).left_at == at("03-10", 12)  # type: ignore[union-attr]

    back = box.double.set_active(EXEC2, active=True)
    await box.event(back)
    assert (await member(box, EXEC2)).left_at is None  # type: ignore[union-attr]
    # The deactivation arriving late, as a new delivery: older than what is recorded.
    await box.event(left)
    assert (await member(box, EXEC2)).left_at is None  # type: ignore[union-attr]


async def test_a_user_change_without_a_user_is_answered_and_changes_nothing(
    listed: Sandbox,
) -> None:
    box = listed
    for garbage in ({"type": "user_change", "user": LEAD}, {"type": "user_change"}):
        response = await box.event(garbage)
        assert response.status == 200
    assert (await member(box, LEAD)).left_at is None  # type: ignore[union-attr]


async def test_the_daily_pass_finds_who_left_without_an_event(
    listed: Sandbox, clock: FakeClock
) -> None:
    box = listed
    clock.set(at("03-10", 12))
    box.double.set_active(OTHERS[0], active=False)  # the event never reaches the app
    box.workspace.users.pop(OTHERS[1])  # gone from the list altogether
    clock.set(at("03-11", 4))
    await box.run_job("programmes")
    assert (await member(box, OTHERS[0])).left_at == at("03-10", 12)  # type: ignore[union-attr]
    assert (await member(box, OTHERS[1])).left_at == at("03-11", 4)  # type: ignore[union-attr]
    assert (await member(box, OTHERS[2])).left_at is None  # type: ignore[union-attr]


async def test_the_pass_pages_at_users_lists_pace_and_goes_on_where_it_stopped(
    listed: Sandbox, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = listed
    monkeypatch.setattr(bot.slack.members, "PAGE", 1)  # a page a person: more than a minute's
    people = len(box.workspace.users)
    assert people > 20
    before = len(box.double.calls_to("users.list"))
    clock.set(at("01-07", 4))
    await box.run_job("programmes")
    calls = box.double.calls_to("users.list")[before:]
    assert len(calls) == 20 and all(c.ok for c in calls)  # Tier 2: 20 a minute, no 429
    assert [c.args.get("cursor") for c in calls[1:]] == [
        c.response["response_metadata"]["next_cursor"] for c in calls[:-1]
    ]
    halfway = await listing(box)
    assert halfway.cursor and halfway.listed_at == at("01-06", 3)
    clock.set(at("01-07", 4, 2))
    await box.run_job("programmes")
    calls = box.double.calls_to("users.list")[before:]
    assert len(calls) == people and all(c.ok for c in calls)
    done = await listing(box)
    assert done.cursor is None and done.listed_at == at("01-07", 4, 2)


async def test_retention_beside_the_workspace_with_small_groups_hidden(
    listed: Sandbox, clock: FakeClock
) -> None:
    box = listed
    text = await report_text(box)
    assert "*Retention:* the first figures come when the programme starts (01 Feb 2026)." in text

    everyone = counted_people(box)
    clock.set(at("03-10", 12))
    await box.event(box.double.set_active(EXEC2, active=False))  # a mentee leaves
    box.double.set_active(OTHERS[0], active=False)  # and someone outside the programme
    text = await report_text(box)
    # Ed has left; the other's leaving is not known until the next pass.
    assert (
        "• So far (10 Mar 2026): mentors too few to show, mentees 80%, workspace "
        f"{round(100 * (len(everyone) - 1) / len(everyone))}%"
    ) in text
    assert "_A group of fewer than 5 people shows no figure._" in text
    assert "Next figures on 01 Jul 2026." in text

    clock.set(at("09-01", 12))
    box.double.set_active(SEEDED[1], active=False)  # a mentee, two months after the end
    clock.set(at("10-02", 4))
    await box.run_job("programmes")
    text = await report_text(box)
    workspace_at_end = round(100 * (len(everyone) - 2) / len(everyone))
    workspace_later = round(100 * (len(everyone) - 3) / len(everyone))
    assert (
        "• At the end (01 Jul 2026): mentors too few to show, mentees 80%, "
        f"workspace {workspace_at_end}%"
    ) in text
    assert (
        "• 3 months after (01 Oct 2026): mentors too few to show, mentees 60%, "
        f"workspace {workspace_later}%"
    ) in text
    assert "Next figures on 01 Jan 2027." in text
    retention = text.split("*Retention*")[1]
    for person in (EXEC2, SEEDED[1], OTHERS[0], "Ed Exec", "Person 1", "Staff 0"):
        assert person not in retention  # nothing names who left

    rows = retention_rows(box)
    assert [r["point"] for r in rows] == ["at the end", "3 months after"]
    assert rows[1] == {
        "point": "3 months after",
        "date": "2026-10-01",
        "mentors": "4",
        "mentors_still_active_pct": "",  # too few to show
        "mentees": "5",
        "mentees_still_active_pct": "60.0",
        "workspace_members": str(len(everyone)),
        "workspace_still_active_pct": f"{100 * (len(everyone) - 3) / len(everyone):.1f}",
    }
    for column in ("mentors", "mentees", "workspace_members"):
        assert all(r[column].isdigit() for r in rows), column
    for column in ("mentees_still_active_pct", "workspace_still_active_pct"):
        places = {len(r[column].partition(".")[2]) for r in rows}
        assert places == {1}, (column, [r[column] for r in rows])


async def test_someone_who_comes_back_counts_as_never_having_left(
    listed: Sandbox, clock: FakeClock
) -> None:
    box = listed
    clock.set(at("03-10", 12))
    await box.event(box.double.set_active(EXEC, active=False))
    assert "mentees 80%" in await report_text(box)
    clock.set(at("04-10", 12))
    await box.event(box.double.set_active(EXEC, active=True))
    clock.set(at("07-02", 12))
    text = await report_text(box)
    assert "• At the end (01 Jul 2026): mentors too few to show, mentees 100%" in text


def retention_rows(box: Sandbox) -> list[dict[str, str]]:
    """The newest retention CSV the lead received."""
    files = [f for f in box.double.state.files.values() if f["name"].endswith("-retention.csv")]
    rows = list(csv.reader(io.StringIO(files[-1]["content"].decode())))
    assert tuple(rows[0]) == RETENTION_HEADER
    return [dict(zip(RETENTION_HEADER, r, strict=True)) for r in rows[1:]]


async def test_a_persons_own_export_holds_what_retention_knows_of_them(listed: Sandbox) -> None:
    box = listed
    await box.command(EXEC, Command.PARTICIPANT, "mydata")
    assert exported(box, EXEC)["in_the_workspace"] == {
        "first_seen_at": at("01-06", 3).isoformat(),
        "last_seen_at": at("01-06", 3).isoformat(),
        "left_at": None,
    }
