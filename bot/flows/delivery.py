"""Messages a listener queued, sent at once as far as Slack's pace allows: whatever must wait
stays in the outbox, and the scheduler's sender takes it when its slot comes."""

from __future__ import annotations

from collections.abc import Sequence

from bot.deps import Deps
from bot.slack.client import build_web_client
from bot.slack.delivery import Delivery, HomeBuilder, Sender


async def deliver_now(
    deps: Deps, keys: Sequence[str], *, homes: HomeBuilder | None = None
) -> Delivery:
    """Send the messages with these keys whose slots are free now, one after the other in the
    order queued; never waits for a slot. The sender's client retries nothing itself: the
    outbox does. `homes` builds the Home views among them."""
    if not keys:
        return Delivery()
    client = build_web_client(deps.settings, retries=False, metrics=deps.metrics, http=deps.http)
    sender = Sender(deps.db, deps.clock, client, tokens=deps.tokens, homes=homes, in_order=True)
    return await sender.run_once(keys=keys)
