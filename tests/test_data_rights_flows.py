"""`/mentoring mydata`: a participant gets their own data as a file in their DM: their answers,
their pair's shared notes and their own private notes, never their partner's private note."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.models import ActionItem, Pair, PairStatus, Participant, PrivateNote, SessionLog
from bot.sandbox import Sandbox
from tests.conftest import EXEC, MENTOR, OUTSIDER
from tests.flows import agree, confirm_pairs, replay_as
from tests.test_momentum_flows import at
from tests.test_pair_work_flows import log_session

MINE = "I was nervous about the first session"
THEIRS = "My mentor talks too fast"
SHARED = "Try the prompt library together"
ACTION_BY_MIA = "Send Eve the prompt library"


@pytest.fixture
async def noted(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    box = sandbox
    await agree(box, await confirm_pairs(box, clock))
    clock.set(at("01-20", 12))
    await log_session(
        box,
        MENTOR,
        **{
            Field.HELD_ON: "2026-01-20",
            Field.GOAL: SHARED,
            Field.PRIVATE_NOTE: MINE,
            "action_0_text": ACTION_BY_MIA,
        },
    )
    await log_session(
        box, EXEC, **{Field.HELD_ON: "2026-01-20", Field.GOAL: "", Field.PRIVATE_NOTE: THEIRS}
    )
    return box


def exported(box: Sandbox, user: str) -> dict:
    files = [f for f in box.double.state.files.values() if f["name"].startswith("my-mentoring")]
    assert len(files) == 1 and files[0]["channels"] == [box.double.dm_channel(user)]
    return json.loads(files[0]["content"])


async def test_my_data_holds_mine_and_not_my_partners_private_note(noted: Sandbox) -> None:
    box = noted
    await box.command(MENTOR, Command.PARTICIPANT, "concern")
    concern = box.modal(MENTOR)
    assert concern is not None
    await box.submit(MENTOR, concern["id"], {Field.CONCERN_TEXT: "Sessions keep moving"})
    await box.command(MENTOR, Command.PARTICIPANT, "mydata")
    assert "Your data is in your DM" in box.replies(MENTOR)[-1]["text"]
    data = exported(box, MENTOR)
    (programme,) = data["programmes"]
    assert programme["programme"] == "Digital cohort"
    assert programme["sign_up"]["role"] == "mentor"
    assert programme["sign_up"]["goals"]
    (pair,) = programme["pairs"]
    assert pair["partner"] == "Eve Exec"
    (held,) = pair["sessions"]
    assert held["notes_shared_with_the_pair"]["goal"] == SHARED
    assert held["my_private_note"] == MINE
    assert THEIRS not in json.dumps(data)
    (concern,) = programme["concerns"]
    assert concern["messages"][0]["text"] == "Sessions keep moving"
    assert "Survey answers" in data["not_included"]


async def test_someone_with_no_data_is_told_so(noted: Sandbox) -> None:
    box = noted
    await box.command(OUTSIDER, Command.PARTICIPANT, "mydata")
    assert box.replies(OUTSIDER)[-1]["text"].startswith("Nothing is stored about you")
    assert box.double.calls_to("files.getUploadURLExternal") == []


async def test_delete_asks_first_then_erases_mine_and_keeps_my_partners(
    noted: Sandbox, clock: FakeClock
) -> None:
    box = noted
    clock.set(at("01-27", 12))
    await log_session(
        box,
        EXEC,
        **{
            Field.HELD_ON: "2026-01-27",
            Field.GOAL: "Eve's own agenda",
            "action_0_text": "Eve's action",
            "action_0_due": "2026-03-01",
        },
    )
    await box.command(MENTOR, Command.PARTICIPANT, "delete")
    asked = box.last_ephemeral(MENTOR)
    assert "cannot be undone" in str(asked["blocks"])
    async with box.db.transaction() as session:
        assert await session.scalar(select(Participant).where(Participant.user_id == MENTOR))

    pressed = await box.press(MENTOR, asked, Action.ERASE_CONFIRM)
    assert box.replies(MENTOR)[-1]["text"].startswith("Your data is erased")
    assert "left" in box.last_dm(EXEC)  # the partner hears the pairing ended
    async with box.db.transaction() as session:
        assert (
            await session.scalar(select(Participant).where(Participant.user_id == MENTOR)) is None
        )
        erased = await session.scalar(
            select(Participant).where(Participant.display_name == "Erased participant")
        )
        assert erased is not None and erased.goals == "" and erased.department == ""
        notes = list(await session.scalars(select(PrivateNote.text)))
        goals = {s.held_on.isoformat(): s.goal for s in await session.scalars(select(SessionLog))}
        actions = list(await session.scalars(select(ActionItem.text)))
        pair = await session.scalar(select(Pair).where(Pair.mentor_id == erased.id))
    assert THEIRS in notes and MINE not in notes  # Eve's private notes stay, Mia's goes
    assert goals == {"2026-01-20": "", "2026-01-27": "Eve's own agenda"}
    assert "Eve's action" in actions and ACTION_BY_MIA not in actions
    assert pair is not None and pair.status == PairStatus.DISSOLVED

    # The same press delivered again (a double click) finds nothing left to erase.
    await replay_as(box, pressed, MENTOR)
    assert box.replies(MENTOR)[-1]["text"] == "Nothing is stored about you."
    await box.command(MENTOR, Command.PARTICIPANT, "mydata")
    assert box.replies(MENTOR)[-1]["text"].startswith("Nothing is stored about you")


async def test_keeping_my_data_changes_nothing(noted: Sandbox) -> None:
    box = noted
    await box.command(MENTOR, Command.PARTICIPANT, "delete")
    await box.press(MENTOR, box.last_ephemeral(MENTOR), Action.ERASE_CANCEL)
    assert box.replies(MENTOR)[-1]["text"] == "Nothing is erased."
    async with box.db.transaction() as session:
        assert await session.scalar(select(Participant).where(Participant.user_id == MENTOR))
