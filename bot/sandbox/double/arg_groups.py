"""Arguments of which at least one must be given ("either `a` or `b` is required").

The method reference has no structured field for these; they are written in argument
descriptions. A small table covers the methods the bot relies on, with the error Slack
answers; other methods get the groups read from the common phrasings in their descriptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.sandbox.double.contracts import MethodContract
from bot.sandbox.double.errors import SlackError, invalid_arguments


@dataclass(frozen=True)
class ArgGroup:
    names: tuple[str, ...]
    error: str = "invalid_arguments"

    def failure(self) -> SlackError:
        if self.error == "invalid_arguments":
            return invalid_arguments(
                f"[ERROR] missing required field: one of {', '.join(self.names)}"
            )
        return SlackError(self.error)


_MESSAGE_CONTENT = ArgGroup(("text", "blocks", "attachments", "markdown_text"), "no_text")
_TRIGGER = ArgGroup(("trigger_id", "interactivity_pointer"))

KNOWN_GROUPS: dict[str, tuple[ArgGroup, ...]] = {
    "chat.postMessage": (_MESSAGE_CONTENT,),
    "chat.postEphemeral": (_MESSAGE_CONTENT,),
    "chat.update": (_MESSAGE_CONTENT,),
    "chat.scheduleMessage": (_MESSAGE_CONTENT,),
    "views.open": (_TRIGGER,),
    "views.push": (_TRIGGER,),
    "views.update": (ArgGroup(("view_id", "external_id")),),
    "conversations.open": (ArgGroup(("channel", "users"), "users_list_not_supplied"),),
}

_NAME = r"`(\w+)`"
# "Either `a` or `b` is required" / "must be provided" / "must be specified".
_EITHER = re.compile(
    rf"[Ee]ither {_NAME} or {_NAME},? (?:is|are|must be) (?:required|provided|specified)"
)
# "Must provide either `a` or `b`".
_MUST_PROVIDE = re.compile(rf"[Mm]ust provide either {_NAME} or {_NAME}")
# "Either this field or `b` or both are required" (written on the argument itself).
_THIS_FIELD = re.compile(
    rf"[Ee]ither this field or {_NAME}(?: or {_NAME})?(?: or both)? (?:is|are) required"
)
# "One of `a`, `b`, or `c` must be provided".
_ONE_OF = re.compile(r"[Oo]ne of ((?:`\w+`,? )+or `\w+`) must be (?:provided|specified|given)")


def groups_from_descriptions(contract: MethodContract) -> list[ArgGroup]:
    found: set[tuple[str, ...]] = set()
    for arg, desc in contract.arg_descs.items():
        for pattern in (_EITHER, _MUST_PROVIDE):
            for match in pattern.finditer(desc):
                found.add(tuple(sorted(match.groups())))
        for match in _THIS_FIELD.finditer(desc):
            found.add(tuple(sorted({arg, *(g for g in match.groups() if g)})))
        for match in _ONE_OF.finditer(desc):
            found.add(tuple(sorted(re.findall(r"`(\w+)`", match.group(1)))))
    known_args = set(contract.arg_descs)
    # Only keep groups made of real arguments of this method; descriptions also mention
    # values ("either `auto` or `away`") that look the same.
    return [ArgGroup(names) for names in sorted(found) if set(names) <= known_args]


def groups_for(method: str, contract: MethodContract | None) -> tuple[ArgGroup, ...]:
    if method in KNOWN_GROUPS:
        return KNOWN_GROUPS[method]
    if contract is None:
        return ()
    return tuple(groups_from_descriptions(contract))


def is_given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def check_groups(groups: tuple[ArgGroup, ...], args: dict[str, Any]) -> None:
    for group in groups:
        if not any(is_given(args.get(name)) for name in group.names):
            raise group.failure()
