"""views.* methods: modals (open, push, update) and the Home tab (publish)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.double.block_kit import check_view, view_too_large
from bot.sandbox.double.errors import SlackError, invalid_arguments, missing_field
from bot.sandbox.double.method_registry import CallContext, handles
from bot.sandbox.double.slack_objects import public_view


def _given_view(ctx: CallContext, *, allowed_types: tuple[str, ...]) -> dict[str, Any]:
    view = ctx.json_value("view", error="invalid_arguments")
    if view is None:
        raise missing_field("view")
    if view_too_large(view):
        raise SlackError("view_too_large")
    problems = check_view(view, allowed_types=allowed_types)
    if problems:
        raise invalid_arguments(*problems)
    return view


def _exchange_trigger(ctx: CallContext) -> str | None:
    trigger_id = ctx.text("trigger_id") or ctx.text("interactivity_pointer")
    if trigger_id is None:
        raise missing_field("trigger_id")
    return ctx.triggers.exchange(trigger_id)


def _check_hash(ctx: CallContext, current: dict[str, Any] | None) -> None:
    given_hash = ctx.text("hash")
    if given_hash is not None and current is not None and given_hash != current["hash"]:
        raise SlackError("hash_conflict")


def _new_modal(ctx: CallContext) -> tuple[dict[str, Any], str | None]:
    """views.open and views.push alike: the checked modal, and the user its trigger_id was for."""
    given = _given_view(ctx, allowed_types=("modal",))
    ctx.state.views.check_external_id(given)
    return given, _exchange_trigger(ctx)


@handles("views.open")
def views_open(ctx: CallContext) -> dict[str, Any]:
    given, user_id = _new_modal(ctx)
    return {"view": public_view(ctx.state.views.open_modal(given, user_id))}


@handles("views.push")
def views_push(ctx: CallContext) -> dict[str, Any]:
    given, user_id = _new_modal(ctx)
    return {"view": public_view(ctx.state.views.push_modal(given, user_id))}


@handles("views.update")
def views_update(ctx: CallContext) -> dict[str, Any]:
    given = _given_view(ctx, allowed_types=("modal", "home"))
    store = ctx.state.views
    view = store.find_open(view_id=ctx.text("view_id"), external_id=ctx.text("external_id"))
    if given["type"] != view["type"]:
        raise invalid_arguments(f"[ERROR] a {view['type']} view cannot become {given['type']}")
    _check_hash(ctx, view)
    store.check_external_id(given, replacing=view["id"])
    if not given.get("external_id") and view["external_id"]:
        given = {**given, "external_id": view["external_id"]}
    return {"view": public_view(store.replace_content(view, given))}


@handles("views.publish")
def views_publish(ctx: CallContext) -> dict[str, Any]:
    user_id = ctx.require("user_id")
    given = _given_view(ctx, allowed_types=("home",))
    if user_id not in ctx.ws.users:
        raise SlackError("user_not_found")
    store = ctx.state.views
    current = store.home_view(user_id)
    _check_hash(ctx, current)
    store.check_external_id(given, replacing=current["id"] if current else None)
    return {"view": public_view(store.publish_home(given, user_id))}
