"""What Slack does with a modal after the app acknowledges a view_submission."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.block_kit import check_view, view_too_large
from bot.sandbox.double.errors import SlackError
from bot.sandbox.double.view_store import ViewStore


def _input_block_ids(view: dict[str, Any]) -> set[str]:
    return {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}


def _problems_with_new_view(view: Any) -> str | None:
    if view_too_large(view):
        return "view_too_large"
    problems = check_view(view, allowed_types=("modal",))
    return "; ".join(problems) if problems else None


def apply_submission_ack(
    views: ViewStore, user_id: str, view_id: str, status: int, body: Any
) -> str | None:
    """Move the user's modal stack as Slack would; a description of the problem when Slack
    would instead show an error in the modal (which then stays as it was)."""
    views.field_errors.pop(view_id, None)
    if status != 200:
        return f"the app answered HTTP {status}"
    if body is None or body == "" or (isinstance(body, dict) and "response_action" not in body):
        views.close_top_modal(user_id)
        return None
    if not isinstance(body, dict):
        return "the acknowledgement body is not a JSON object"
    action = body["response_action"]
    if action == "errors":
        errors = body.get("errors")
        if not isinstance(errors, dict) or not errors:
            return "response_action errors needs a non-empty `errors` object"
        unknown = set(errors) - _input_block_ids(views.views[view_id])
        if unknown:
            return f"`errors` names blocks that are not input blocks: {sorted(unknown)}"
        views.field_errors[view_id] = {block: str(text) for block, text in errors.items()}
        return None
    if action == "clear":
        views.clear_modals(user_id)
        return None
    if action in ("update", "push"):
        new_view = body.get("view")
        problem = _problems_with_new_view(new_view)
        if problem:
            return problem
        assert isinstance(new_view, dict)  # check_view refuses anything else
        if action == "update":
            views.replace_content(views.views[view_id], new_view)
            return None
        try:
            views.push_modal(new_view, user_id)
        except SlackError as exc:
            return exc.error
        return None
    return f"unknown response_action {action!r}"
