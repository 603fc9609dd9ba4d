"""Scheduled messages: held by the double until their time, listed, withdrawn, delivered."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.sandbox.double import SlackDouble, Workspace
from bot.sandbox.signer import SlackRequestSigner

BUTTON_BLOCKS = [
    {
        "type": "actions",
        "block_id": "choice",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Go"},
                "action_id": "go",
                "value": "1",
            }
        ],
    }
]


async def slack_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


def now(double: SlackDouble) -> int:
    return int(double.state.now_epoch())


async def test_schedule_message(client: AsyncWebClient, double: SlackDouble) -> None:
    at = now(double)
    result = await client.chat_scheduleMessage(channel="C1", text="later", post_at=at + 3600)
    assert result["scheduled_message_id"].startswith("Q") and result["post_at"] == at + 3600
    assert double.scheduled_messages("C1")[0]["text"] == "later"
    assert (
        await slack_error(client.chat_scheduleMessage(channel="C1", text="x", post_at=at - 10))
        == "time_in_past"
    )
    assert (
        await slack_error(
            client.chat_scheduleMessage(channel="C1", text="x", post_at=at + 121 * 86400)
        )
        == "time_too_far"
    )


async def test_delete_a_scheduled_message_once(client: AsyncWebClient, double: SlackDouble) -> None:
    held = await client.chat_scheduleMessage(channel="C1", text="x", post_at=now(double) + 60)
    held_id = held["scheduled_message_id"]
    assert (await client.chat_deleteScheduledMessage(channel="C1", scheduled_message_id=held_id))[
        "ok"
    ]
    assert double.scheduled_messages("C1") == []
    assert (
        await slack_error(
            client.chat_deleteScheduledMessage(channel="C1", scheduled_message_id=held_id)
        )
        == "invalid_scheduled_message_id"
    )
    assert (
        await slack_error(
            client.chat_deleteScheduledMessage(channel="C1", scheduled_message_id="Q0DEADBEEF")
        )
        == "invalid_scheduled_message_id"
    )


async def test_delete_checks_the_channel(client: AsyncWebClient, double: SlackDouble) -> None:
    held = await client.chat_scheduleMessage(channel="C1", text="x", post_at=now(double) + 60)
    held_id = held["scheduled_message_id"]
    for channel, error in (
        ("C404", "channel_not_found"),
        ("G1", "channel_not_found"),  # private, and the bot is not in it
        ("C2", "invalid_scheduled_message_id"),  # not where it was scheduled
    ):
        assert (
            await slack_error(
                client.chat_deleteScheduledMessage(channel=channel, scheduled_message_id=held_id)
            )
            == error
        )
    assert [m["id"] for m in double.scheduled_messages("C1")] == [held_id]


async def test_a_user_id_schedules_into_the_im(client: AsyncWebClient, double: SlackDouble) -> None:
    at = now(double)
    first = await client.chat_scheduleMessage(channel="U2", text="a", post_at=at + 60)
    second = await client.chat_scheduleMessage(channel="U2", text="b", post_at=at + 60)
    im = first["channel"]
    assert im.startswith("D") and double.state.scheduled[im][0]["channel"] == im
    await client.chat_deleteScheduledMessage(
        channel=im, scheduled_message_id=first["scheduled_message_id"]
    )
    await client.chat_deleteScheduledMessage(
        channel="U2", scheduled_message_id=second["scheduled_message_id"]
    )
    assert double.scheduled_messages(im) == []


async def test_deliver_posts_only_due_messages_in_order(
    client: AsyncWebClient, double: SlackDouble, clock: FakeClock
) -> None:
    at = now(double)
    await client.chat_scheduleMessage(channel="C1", text="third", post_at=at + 7200)
    await client.chat_scheduleMessage(channel="U2", text="second", post_at=at + 3600)
    await client.chat_scheduleMessage(channel="C1", text="first", post_at=at + 1800)
    withdrawn = await client.chat_scheduleMessage(channel="C1", text="never", post_at=at + 900)
    await client.chat_deleteScheduledMessage(
        channel="C1", scheduled_message_id=withdrawn["scheduled_message_id"]
    )

    assert double.deliver_scheduled() == []
    clock.advance(seconds=3600)
    delivered = double.deliver_scheduled()
    assert [m["text"] for m in delivered] == ["first", "second"]
    assert delivered[0]["ts"] < delivered[1]["ts"]
    assert [m["text"] for m in double.messages("C1")] == ["first"]
    assert [m["text"] for m in double.messages("U2")] == ["second"]
    assert [m["text"] for m in double.scheduled_messages("C1")] == ["third"]
    assert double.deliver_scheduled() == []

    clock.advance(seconds=3600)
    assert [m["text"] for m in double.deliver_scheduled()] == ["third"]
    assert [m["text"] for m in double.messages("C1")] == ["first", "third"]


async def test_delete_after_delivery_is_refused(
    client: AsyncWebClient, double: SlackDouble, clock: FakeClock
) -> None:
    held = await client.chat_scheduleMessage(channel="C1", text="x", post_at=now(double) + 60)
    clock.advance(seconds=60)
    assert len(double.deliver_scheduled()) == 1
    assert (
        await slack_error(
            client.chat_deleteScheduledMessage(
                channel="C1", scheduled_message_id=held["scheduled_message_id"]
            )
        )
        == "invalid_scheduled_message_id"
    )


async def test_a_delivered_button_can_be_pressed(
    client: AsyncWebClient, double: SlackDouble, clock: FakeClock, fake_app: Any
) -> None:
    await client.chat_scheduleMessage(
        channel="C1", text="Ready?", blocks=BUTTON_BLOCKS, post_at=now(double) + 60
    )
    clock.advance(seconds=60)
    (delivered,) = double.deliver_scheduled()
    assert delivered["blocks"] == BUTTON_BLOCKS
    assert {k: delivered[k] for k in ("user", "bot_id", "app_id", "team")} == {
        "user": "UBOT",
        "bot_id": "B0001",
        "app_id": "A0001",
        "team": "T0001",
    }
    assert double.find_message("C1", delivered["ts"]) is delivered

    signer = SlackRequestSigner(signing_secret="secret", app_url=fake_app.url, double=double)
    try:
        await signer.block_action("U1", "go", message={"channel": "C1", "ts": delivered["ts"]})
    finally:
        await signer.close()
    payload = json.loads(parse_qs(fake_app.requests[0]["body"])["payload"][0])
    assert payload["container"]["message_ts"] == delivered["ts"]
    assert payload["actions"][0]["value"] == "1"


async def test_list_scheduled_messages(client: AsyncWebClient, double: SlackDouble) -> None:
    at = now(double)
    late = await client.chat_scheduleMessage(channel="C1", text="late", post_at=at + 7200)
    soon = await client.chat_scheduleMessage(channel="C1", text="soon", post_at=at + 600)
    dm = await client.chat_scheduleMessage(channel="U2", text="dm", post_at=at + 3600)

    listed = await client.chat_scheduledMessages_list()
    assert [m["id"] for m in listed["scheduled_messages"]] == [
        soon["scheduled_message_id"],
        dm["scheduled_message_id"],
        late["scheduled_message_id"],
    ]
    assert listed["scheduled_messages"][0] == {
        "id": soon["scheduled_message_id"],
        "channel_id": "C1",
        "post_at": at + 600,
        "date_created": at,
        "text": "soon",
    }
    assert listed["response_metadata"]["next_cursor"] == ""

    in_general = await client.chat_scheduledMessages_list(channel="C1")
    assert [m["text"] for m in in_general["scheduled_messages"]] == ["soon", "late"]
    in_im = await client.chat_scheduledMessages_list(channel=dm["channel"])
    assert [m["channel_id"] for m in in_im["scheduled_messages"]] == [dm["channel"]]
    bounded = await client.chat_scheduledMessages_list(oldest=str(at + 600), latest=str(at + 3600))
    assert [m["text"] for m in bounded["scheduled_messages"]] == ["soon", "dm"]
    assert await slack_error(client.chat_scheduledMessages_list(channel="C404")) == (
        "invalid_channel"
    )


async def test_list_pages_with_a_cursor(client: AsyncWebClient, double: SlackDouble) -> None:
    at = now(double)
    for minutes in range(1, 6):
        await client.chat_scheduleMessage(
            channel="C1", text=str(minutes), post_at=at + 60 * minutes
        )
    seen: list[str] = []
    cursor = None
    while True:
        result = await client.chat_scheduledMessages_list(limit=2, cursor=cursor)
        seen += [m["text"] for m in result["scheduled_messages"]]
        cursor = result["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == ["1", "2", "3", "4", "5"]
    assert await slack_error(client.chat_scheduledMessages_list(cursor="bm90LWEtY3Vyc29y")) == (
        "invalid_cursor"
    )


@pytest.fixture
async def epoch_client(
    workspace: Workspace, slack_clock: Callable[[], float]
) -> AsyncIterator[tuple[SlackDouble, AsyncWebClient, list[float]]]:
    wall = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()]
    slack = SlackDouble(workspace, clock=slack_clock, epoch=lambda: wall[0])
    await slack.start()
    web_client = AsyncWebClient(
        token=workspace.bot_token, base_url=slack.api_url, retry_handlers=[]
    )
    yield slack, web_client, wall
    if web_client.session is not None:
        await web_client.session.close()
    await slack.stop()


async def test_an_injected_epoch_is_slacks_wall_clock(
    epoch_client: tuple[SlackDouble, AsyncWebClient, list[float]], clock: FakeClock
) -> None:
    double, client, wall = epoch_client
    start = int(wall[0])
    assert double.state.now_epoch() == wall[0]
    assert (await client.chat_scheduleMessage(channel="C1", text="x", post_at=start + 3600))["ok"]
    assert (
        await slack_error(client.chat_scheduleMessage(channel="C1", text="x", post_at=start - 1))
        == "time_in_past"
    )
    posted = await client.chat_postMessage(channel="C1", text="now")
    assert int(float(posted["ts"])) == start

    # The rate-limit clock moving does not move Slack's wall clock; the epoch does.
    clock.advance(seconds=7200)
    assert double.deliver_scheduled() == []
    wall[0] += 3600
    assert [m["text"] for m in double.deliver_scheduled()] == ["x"]
