"""The double's memory is saved for later tests as plain data; when something live gets into
it, the failure says where."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.double import SlackDouble
from tests.conftest import build_test_workspace


async def test_a_live_object_in_the_memory_is_named_by_its_place() -> None:
    double = SlackDouble(build_test_workspace(), contracts_dir=None)
    double.state.messages["C1"] = [
        {"ts": "1.0", "waiting": asyncio.get_running_loop().create_future()}
    ]
    with pytest.raises(
        TypeError, match=r"at double\['state'\]\.messages\['C1'\]\[0\]\['waiting'\]"
    ):
        double.saved()


async def test_plain_memory_is_saved_apart_from_the_double_it_came_from() -> None:
    double = SlackDouble(build_test_workspace(), contracts_dir=None)
    double.state.messages["C1"] = [{"ts": "1.0", "text": "hello"}]
    saved = double.saved()
    double.state.messages["C1"][0]["text"] = "changed after saving"
    later = SlackDouble(build_test_workspace(), contracts_dir=None)
    later.restore(saved)
    assert later.state.messages["C1"][0]["text"] == "hello"
    # Restored twice, each copy is its own.
    again = SlackDouble(build_test_workspace(), contracts_dir=None)
    again.restore(saved)
    later.state.messages["C1"][0]["text"] = "changed in one copy"
    assert again.state.messages["C1"][0]["text"] == "hello"


async def test_a_restored_memory_runs_on_the_restoring_doubles_clock() -> None:
    now = [1000.0]
    double = SlackDouble(build_test_workspace(), contracts_dir=None, clock=lambda: now[0])
    later_now = [5000.0]
    later = SlackDouble(build_test_workspace(), contracts_dir=None, clock=lambda: later_now[0])
    later.restore(double.saved())
    assert later.clock() == 5000.0
    assert later.state.clock() == 5000.0
