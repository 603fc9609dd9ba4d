"""Safe spaces: what the lead hears when a channel cannot be made, the channel picker, and the
notes to people added, removed or leaving by hand."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.services.spaces import SIDE_WORDS, Space
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, channel, mention, mrkdwn


def _advice(error: str, name: str) -> Mrkdwn:
    """Why Slack would not make or use the channel, and what to do about it."""
    if error == "name_taken":
        return mrkdwn(
            "a channel called #{name} already exists (perhaps archived, or private to others)",
            name=name,
        )
    if error == "missing_scope":
        return mrkdwn(
            "the app is not allowed to create private channels: a workspace admin "
            "needs to reinstall it with the groups:write permission"
        )
    if error == "restricted_action":
        return mrkdwn("your workspace lets only some people create channels")
    if error == "is_archived":
        return mrkdwn("#{name} is archived", name=name)
    if error == "not_in_channel":
        return mrkdwn("the app is not a member of #{name}", name=name)
    if error == "channel_not_found":
        return mrkdwn("the app cannot see the channel")
    return mrkdwn("Slack refused ({error})", error=error)


def _what(space: Space) -> Mrkdwn:
    return mrkdwn(
        "the {side}' safe space for {programme}",
        side=SIDE_WORDS[space.side],
        programme=space.programme,
    )


def failed(space: Space, error: str) -> tuple[Mrkdwn, list[Block]]:
    text = mrkdwn(
        "I could not set up {what}: {reason}.", what=_what(space), reason=_advice(error, space.name)
    )
    value = str(space.id)
    return text, [
        blocks.section(text),
        blocks.actions(
            blocks.button("Use an existing channel", Action.SPACE_PICK, value, style="primary"),
            blocks.button("Try again", Action.SPACE_RETRY, value),
        ),
        blocks.context(
            "An existing channel should be private, and the app must be in it: invite it with "
            "/invite @app in the channel first."
        ),
    ]


def pick_modal(space: Space) -> Block:
    body = [
        blocks.section(mrkdwn("Pick a private channel for {what}.", what=_what(space))),
        blocks.input_block(
            Field.CHANNEL,
            "Channel",
            {"type": "conversations_select", "filter": {"include": ["private"]}},
            hint="Invite the app to the channel first, so it can add and remove people.",
        ),
    ]
    return blocks.modal(
        View.SPACE_CHANNEL, "Safe space", body, submit="Use it", private_metadata=str(space.id)
    )


def ready(space: Space, channel_id: str) -> Mrkdwn:
    return mrkdwn(
        "{space} is {what}; I will keep its members right.",
        space=channel(channel_id),
        what=_what(space),
    )


def removed_note(space: Space, user_id: str) -> Mrkdwn:
    assert space.channel_id is not None
    return mrkdwn(
        "I took {who} out of {space}: it is {what}, only for its {side}.",
        who=mention(user_id),
        space=channel(space.channel_id),
        what=_what(space),
        side=SIDE_WORDS[space.side],
    )


def left_note(space: Space) -> tuple[Mrkdwn, list[Block]]:
    assert space.channel_id is not None
    text = mrkdwn(
        "You are no longer in {space}, {what}. That is fine; if you want back in, it is one click.",
        space=channel(space.channel_id),
        what=_what(space),
    )
    return text, [
        blocks.section(text),
        blocks.actions(blocks.button("Rejoin", Action.SPACE_REJOIN, str(space.id))),
    ]


def welcome_back(space: Space) -> Mrkdwn:
    assert space.channel_id is not None
    return mrkdwn("Welcome back to {space}.", space=channel(space.channel_id))
