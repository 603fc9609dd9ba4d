"""The participant's App Home offers the support paths: raise a concern, pause the pair, ask
for a new partner, leave; each opens the same flow as its `/mentoring` word."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.ids import Action, View
from bot.sandbox import Sandbox
from tests.conftest import EXEC
from tests.flows import EXEC3, agree, confirm_pairs
from tests.scenarios import play


async def reach_agreed(sandbox: Sandbox, clock: FakeClock) -> None:
    await agree(sandbox, await play(sandbox, clock, confirm_pairs))


@pytest.fixture
async def agreed(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_agreed)
    return sandbox


async def press_home(box: Sandbox, user: str, action: str) -> None:
    await box.event({"type": "app_home_opened", "user": user, "tab": "home"})
    home = box.double.home_view(user)
    assert home is not None
    buttons = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]]
    found = [e for e in buttons if e["action_id"] == action]
    assert found, f"no {action} on {user}'s Home"
    await box.click(user, action, found[0].get("value"), view_id=home["id"])


async def test_the_home_buttons_open_each_support_path(agreed: Sandbox) -> None:
    box = agreed
    await press_home(box, EXEC, Action.RAISE_CONCERN)
    modal = box.modal(EXEC)
    assert modal is not None and modal["callback_id"] == View.CONCERN

    await press_home(box, EXEC, Action.HOME_PAUSE)
    modal = box.modal(EXEC)
    assert modal is not None and modal["callback_id"] == View.PAUSE_SELF

    await press_home(box, EXEC, Action.HOME_REMATCH)
    assert "Ask for a new partner" in str(box.dms(EXEC)[-1]["blocks"])

    await press_home(box, EXEC, Action.HOME_LEAVE)
    assert "Yes, leave" in str(box.dms(EXEC)[-1]["blocks"])


async def test_someone_without_a_pair_sees_no_pair_buttons(agreed: Sandbox) -> None:
    box = agreed
    await box.event({"type": "app_home_opened", "user": EXEC3, "tab": "home"})  # left over
    home = box.double.home_view(EXEC3)
    assert home is not None
    ids = {e["action_id"] for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert Action.RAISE_CONCERN in ids and Action.HOME_LEAVE in ids
    assert Action.HOME_PAUSE not in ids and Action.HOME_REMATCH not in ids
