"""Safe spaces: what the lead hears when a channel cannot be made, the channel picker, and the
notes to people added, removed or leaving by hand."""

from __future__ import annotations

from bot.ids import Action, Field, View
from bot.services.spaces import SIDE_WORDS, Space
from bot.views.blocks import Block, actions, button, context, escape, input_block, modal, section

ADVICE = {
    "name_taken": "a channel called #{name} already exists (perhaps archived, or private to "
    "others)",
    "missing_scope": "the app is not allowed to create private channels: a workspace admin "
    "needs to reinstall it with the groups:write permission",
    "restricted_action": "your workspace lets only some people create channels",
    "is_archived": "#{name} is archived",
    "not_in_channel": "the app is not a member of #{name}",
    "channel_not_found": "the app cannot see the channel",
}


def _what(space: Space) -> str:
    return f"the {SIDE_WORDS[space.side]}' safe space for {escape(space.programme)}"


def failed(space: Space, error: str) -> tuple[str, list[Block]]:
    reason = ADVICE.get(error, "Slack refused ({error})").format(name=space.name, error=error)
    text = f"I could not set up {_what(space)}: {reason}."
    value = str(space.id)
    return text, [
        section(text),
        actions(
            button("Use an existing channel", Action.SPACE_PICK, value, style="primary"),
            button("Try again", Action.SPACE_RETRY, value),
        ),
        context(
            "An existing channel should be private, and the app must be in it: invite it with "
            "/invite @app in the channel first."
        ),
    ]


def pick_modal(space: Space) -> Block:
    blocks = [
        section(f"Pick a private channel for {_what(space)}."),
        input_block(
            Field.CHANNEL,
            "Channel",
            {"type": "conversations_select", "filter": {"include": ["private"]}},
            hint="Invite the app to the channel first, so it can add and remove people.",
        ),
    ]
    return modal(
        View.SPACE_CHANNEL, "Safe space", blocks, submit="Use it", private_metadata=str(space.id)
    )


def ready(space: Space, channel_id: str) -> str:
    return f"<#{channel_id}> is {_what(space)}; I will keep its members right."


def removed_note(space: Space, user_id: str) -> str:
    return (
        f"I took <@{user_id}> out of <#{space.channel_id}>: it is {_what(space)}, only for its "
        f"{SIDE_WORDS[space.side]}."
    )


def left_note(space: Space) -> tuple[str, list[Block]]:
    text = (
        f"You are no longer in <#{space.channel_id}>, {_what(space)}. That is fine; if you want "
        "back in, it is one click."
    )
    return text, [section(text), actions(button("Rejoin", Action.SPACE_REJOIN, str(space.id)))]
