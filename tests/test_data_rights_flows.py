"""`/mentoring mydata`: a participant gets their own data as a file in their DM: their answers,
their pair's shared notes and their own private notes, never their partner's private note."""

from __future__ import annotations

import json

import pytest

from bot.clock import FakeClock
from bot.ids import Command, Field
from bot.sandbox import Sandbox
from tests.conftest import EXEC, MENTOR, OUTSIDER
from tests.flows import agree, confirm_pairs
from tests.test_momentum_flows import at
from tests.test_pair_work_flows import log_session

MINE = "I was nervous about the first session"
THEIRS = "My mentor talks too fast"
SHARED = "Try the prompt library together"


@pytest.fixture
async def noted(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    box = sandbox
    await agree(box, await confirm_pairs(box, clock))
    clock.set(at("01-20", 12))
    await log_session(
        box,
        MENTOR,
        **{Field.HELD_ON: "2026-01-20", Field.GOAL: SHARED, Field.PRIVATE_NOTE: MINE},
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
