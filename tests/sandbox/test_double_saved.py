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


async def test_plain_memory_is_saved() -> None:
    double = SlackDouble(build_test_workspace(), contracts_dir=None)
    double.state.messages["C1"] = [{"ts": "1.0", "text": "hello"}]
    assert double.saved().memory["state"].messages["C1"][0]["text"] == "hello"
