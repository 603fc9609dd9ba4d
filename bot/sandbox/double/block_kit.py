"""Block Kit checks Slack makes on message blocks and views.

slack_sdk's models check most field lengths; the limits it does not know about (counts,
duplicates, required parts of a modal) are checked here first so the messages can point
at the offending field the way Slack's `response_metadata.messages` do.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.blocks.block_elements import BlockElement
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
VIEW_MAX_BYTES = 250_000
VIEW_TEXT_MAX = 24
ID_MAX = 255
PRIVATE_METADATA_MAX = 3000
SECTION_TEXT_MAX = 3000
OPTIONS_MAX = 100


def _subclass_types(base: type) -> set[str]:
    found: set[str] = set()
    pending: list[type] = list(base.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        kind = getattr(cls, "type", None)
        if isinstance(kind, str):
            found.add(kind)
    return found


# Whatever slack_sdk can build is taken as a type Slack knows.
BLOCK_TYPES = frozenset(_subclass_types(Block))
ELEMENT_TYPES = frozenset(_subclass_types(BlockElement) | {"plain_text", "mrkdwn"})


def _error(text: str, pointer: str) -> str:
    return f"[ERROR] {text} [json-pointer:{pointer}]"


def block_elements(block: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The interactive and context elements of a block, with their place in it."""
    if isinstance(block.get("elements"), list) and block.get("type") in ("actions", "context"):
        for index, element in enumerate(block["elements"]):
            yield f"elements/{index}", element
    if isinstance(block.get("element"), dict):
        yield "element", block["element"]
    if isinstance(block.get("accessory"), dict):
        yield "accessory", block["accessory"]


def _option_count(element: dict[str, Any]) -> int:
    count = len(element.get("options") or [])
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            count += len(group.get("options") or [])
    return count


def _unknown_object(node: Any, pointer: str, known_types: frozenset[str]) -> list[str]:
    """Why a block or an element cannot be checked further: not an object, or a type Slack
    does not know. Empty when it can."""
    if not isinstance(node, dict):
        return [_error("must be an object", pointer)]
    kind = node.get("type")
    if kind not in known_types:
        return [_error(f"unsupported type: {kind}", f"{pointer}/type")]
    return []


def _id_problems(node: dict[str, Any], pointer: str, field: str, seen: set[str]) -> list[str]:
    """A block_id or action_id must be short and unique among its siblings; `seen` collects them."""
    given = node.get(field)
    if not isinstance(given, str):
        return []
    problems = []
    if len(given) > ID_MAX:
        problems.append(_error(f"must be at most {ID_MAX} characters", f"{pointer}/{field}"))
    if given in seen:
        problems.append(_error(f"duplicate {field}: {given}", f"{pointer}/{field}"))
    seen.add(given)
    return problems


def _check_element(element: Any, pointer: str, seen_action_ids: set[str]) -> list[str]:
    unknown = _unknown_object(element, pointer, ELEMENT_TYPES)
    if unknown:
        return unknown
    problems = _id_problems(element, pointer, "action_id", seen_action_ids)
    if _option_count(element) > OPTIONS_MAX:
        problems.append(_error(f"must have at most {OPTIONS_MAX} options", f"{pointer}/options"))
    return problems


def _check_block(block: Any, pointer: str, seen_block_ids: set[str]) -> list[str]:
    unknown = _unknown_object(block, pointer, BLOCK_TYPES)
    if unknown:
        return unknown
    kind = block["type"]
    problems = _id_problems(block, pointer, "block_id", seen_block_ids)
    if kind == "input":
        for part in ("label", "element"):
            if not block.get(part):
                problems.append(_error(f"missing required field: {part}", f"{pointer}/{part}"))
    if kind == "section":
        text = block.get("text")
        if isinstance(text, dict) and len(str(text.get("text") or "")) > SECTION_TEXT_MAX:
            problems.append(
                _error(f"must be at most {SECTION_TEXT_MAX} characters", f"{pointer}/text/text")
            )
    seen_action_ids: set[str] = set()
    for place, element in block_elements(block):
        problems += _check_element(element, f"{pointer}/{place}", seen_action_ids)
    if problems:
        return problems
    problem = _sdk_block_problem(json.dumps(block, sort_keys=True))
    return [_error(problem, pointer)] if problem else []


# Apps send the same blocks again and again, and the models are slow to build: remember
# the verdict for each distinct block.
@functools.lru_cache(maxsize=4096)
def _sdk_block_problem(block_json: str) -> str | None:
    try:
        parsed = Block.parse(json.loads(block_json))
        if parsed is not None:
            parsed.to_dict()  # to_dict runs the model's validators, nested objects included
    except SlackObjectFormationError as exc:
        return str(exc)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return f"invalid block: {exc}"
    return None


@functools.lru_cache(maxsize=1024)
def _sdk_view_problem(view_json: str) -> str | None:
    try:
        View(**json.loads(view_json)).to_dict()
    except SlackObjectFormationError as exc:
        return str(exc)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return f"invalid view: {exc}"
    return None


def check_blocks(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    if not isinstance(blocks, list):
        return [_error("must be an array", pointer)]
    if len(blocks) > max_blocks:
        return [_error(f"must be at most {max_blocks} items", pointer)]
    problems: list[str] = []
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        problems += _check_block(block, f"{pointer}/{index}", seen_block_ids)
    return problems


def check_message_blocks(blocks: Any) -> list[str]:
    return check_blocks(blocks, max_blocks=MESSAGE_MAX_BLOCKS)


def _plain_text(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    if isinstance(value, str):
        return value
    return None


def view_too_large(view: Any) -> bool:
    return len(json.dumps(view, ensure_ascii=False).encode("utf-8")) > VIEW_MAX_BYTES


def check_view(view: Any, *, allowed_types: tuple[str, ...]) -> list[str]:
    if not isinstance(view, dict):
        return [_error("must be an object", "/view")]
    kind = view.get("type")
    if kind not in allowed_types:
        return [_error(f"type must be one of: {', '.join(allowed_types)}", "/view/type")]
    problems = []
    if kind == "modal" and not view.get("title"):
        problems.append(_error("missing required field: title", "/view/title"))
    for part in ("title", "submit", "close"):
        text = _plain_text(view.get(part))
        if text is not None and len(text) > VIEW_TEXT_MAX:
            problems.append(_error(f"must be at most {VIEW_TEXT_MAX} characters", f"/view/{part}"))
    for part in ("callback_id", "external_id"):
        value = view.get(part)
        if isinstance(value, str) and len(value) > ID_MAX:
            problems.append(_error(f"must be at most {ID_MAX} characters", f"/view/{part}"))
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > PRIVATE_METADATA_MAX:
        problems.append(
            _error(f"must be at most {PRIVATE_METADATA_MAX} characters", "/view/private_metadata")
        )
    blocks = view.get("blocks")
    problems += check_blocks(blocks, max_blocks=VIEW_MAX_BLOCKS, pointer="/view/blocks")
    has_inputs = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if kind == "modal" and has_inputs and not view.get("submit"):
        problems.append(_error("a modal with input blocks needs submit", "/view/submit"))
    if problems:
        return problems
    # Fields Slack fills in itself are left out: they are not the app's to validate.
    given = {k: v for k, v in view.items() if k not in ("state", "id", "hash")}
    problem = _sdk_view_problem(json.dumps(given, sort_keys=True))
    return [_error(problem, "/view")] if problem else []


def _short_id(*parts: Any) -> str:
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return digest[:5]


def with_generated_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of `blocks` where missing block_ids and action_ids are filled in, as Slack
    does when it stores a message or a view (interaction payloads always carry both)."""
    filled = copy.deepcopy(blocks)
    for index, block in enumerate(filled):
        if not isinstance(block, dict):
            continue
        if not block.get("block_id"):
            block["block_id"] = _short_id("block", index, block)
        for place, element in block_elements(block):
            if element.get("type") in ("plain_text", "mrkdwn", "image"):
                continue
            if not element.get("action_id"):
                element["action_id"] = _short_id("action", block["block_id"], place, element)
    return filled
