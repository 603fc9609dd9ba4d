"""The sender and the members' pass pace each Web API method they call by the tier Slack's
own reference gives it (checked against ../shared/slack-contracts), chat.postMessage by the
channel."""

from __future__ import annotations

import json
from pathlib import Path

from bot.slack import delivery, members, pacing


def test_each_method_the_sender_calls_has_slacks_tier(contracts_dir: Path) -> None:
    tiers = json.loads((contracts_dir / "rate_limit_tiers.json").read_text())
    for method, tier in pacing.METHOD_TIERS.items():
        reference = json.loads((contracts_dir / "methods" / f"{method}.json").read_text())
        assert (reference["rate_limits"], tiers[method]) == (f"t{tier}", f"Tier{tier}"), method
    # chat.postMessage has a limit of its own: about one message a second in each channel.
    assert tiers["chat.postMessage"] == "SpecialTier_chat_postMessage"
    assert set(pacing.CHANNEL_PACED) == {delivery.POST}
    assert set(pacing.METHOD_TIERS) == {delivery.OPEN, delivery.PUBLISH, members.USERS_LIST}


def test_a_tier_is_kept_with_a_little_room() -> None:
    publish = pacing.rate_of(delivery.PUBLISH)
    assert (publish.limit, publish.window) == (100, 61.0)  # Tier 4: 100 a minute
    post = pacing.rate_of(delivery.POST)
    assert (post.limit, post.window) == (1, 1.0)
    listing = pacing.rate_of(members.USERS_LIST)
    assert (listing.limit, listing.window) == (20, 61.0)  # Tier 2: 20 a minute
    assert pacing.key_of("T1", delivery.POST, "C1").channel == "C1"
    assert pacing.key_of("T1", delivery.PUBLISH, "C1").channel == ""
