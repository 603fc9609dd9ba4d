"""Acknowledge first, work after: each route is an ack function plus the work that follows.

The app runs Bolt with `process_before_response=True`, so Slack gets its answer the moment the
ack function returns (no polling delay); the work then runs as a tracked background task,
admitted through the app's gate (bot/slack/inflight.py) so a burst of work queues behind new
acknowledgements rather than ahead of them. A
failure in the work is logged with its full trace and the person is told, as the error handler
does for failures inside the acknowledgement.

Every route claims its request (bot/slack/replays.py) before the work, so a retried or replayed
request is acknowledged again but changes nothing; a form whose check itself changes state
claims before the check.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.kwargs_injection.async_utils import build_async_required_kwargs
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.services.errors import Refused
from bot.services.programme_rules import FormErrors
from bot.slack.failures import report_failure
from bot.slack.handoff import WorkProcesses, handed_in
from bot.slack.inflight import AfterAckGate, track
from bot.slack.replays import first_time
from bot.slack.replies import acting_user
from bot.views.mrkdwn import escape

Handler = Callable[..., Awaitable[None]]
# A step every request takes before it is routed: `step(req, next_)`.
Step = Callable[[AsyncBoltRequest, Callable[[], Awaitable[Any]]], Awaitable[Any]]
# A form's check: the typed result its work gets, or the errors to show (see `errors_in`).
Check = Callable[..., Awaitable[object]]


def every_request(app: AsyncApp, step: Step) -> None:
    """Run `step` on every request, before routing, in the order added. Bolt calls it as it
    is: a plain function middleware has every argument a listener could name built for each
    call, on every request."""
    app.use(_EveryRequest(step))


class _EveryRequest(AsyncMiddleware):
    def __init__(self, step: Step) -> None:
        self._step = step

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # Bolt passes it by this name
    ) -> BoltResponse:
        return await self._step(req, next)

    @property
    def name(self) -> str:
        return f"every_request({self._step.__name__})"


async def ack_only(ack: AsyncAck) -> None:
    await ack()


@functools.cache
def _argument_names(function: Callable[..., Any]) -> list[str]:
    return get_arg_names_of_callable(function)


def _arguments(
    function: Callable[..., Any], request: AsyncBoltRequest, logger: logging.Logger, **given: Any
) -> dict:
    # Bolt's own injection, so ack and work functions name their arguments as listeners do;
    # `given` are ours (a form's checked result).
    names = [name for name in _argument_names(function) if name not in given]
    found = build_async_required_kwargs(
        logger=logger,
        required_arg_names=names,
        request=request,
        response=None,
        this_func=function,
        next_keys_required=False,
    )
    return {**found, **{k: v for k, v in given.items() if k in _argument_names(function)}}


async def _run_after_ack(
    work: Handler, kwargs: dict, request: AsyncBoltRequest, *, claimed: bool = False
) -> None:
    try:
        if not claimed and not await first_time(request):
            return
        await work(**kwargs)
    except Exception as error:
        await report_failure(error, request.body, request.context.client)


def _after_ack(
    request: AsyncBoltRequest, work: Coroutine[Any, Any, None], *, checked: Any = None
) -> None:
    """Start the work, tracked: handed to a worker process when the app has them (with the
    form's `checked` result; the worker builds the same work), else through this process's
    gate (Deps.after_ack)."""
    gate: AfterAckGate = request.context["deps"].after_ack
    queue = not may_open_a_form(request.body)

    def here(work: Coroutine[Any, Any, None]) -> Coroutine[Any, Any, Any]:
        return gate.admit(work, queue=queue)

    handoff: WorkProcesses | None = request.context["deps"].handoff
    if handoff is not None and handed_in(request) is None:
        frame = handoff.frame(request, checked)
        if frame is not None:
            track(handoff.hand(frame, work, here))
            return
    track(here(work))


def may_open_a_form(body: dict) -> bool:
    """Commands, button presses and shortcuts may open a form with their trigger id, which
    Slack honours for 3 s; a form's submission and events open none."""
    return "trigger_id" in body and body.get("type") not in ("view_submission", "view_closed")


def then(route: Callable[..., Any], *, ack: Handler = ack_only) -> Callable[[Handler], Handler]:
    """`@then(app.command("/x"), ack=answer)`: `answer` acknowledges; the decorated function
    runs after, with the same arguments a listener would get."""

    def register(work: Handler) -> Handler:
        async def listener(request: AsyncBoltRequest, logger: logging.Logger) -> None:
            if handed_in(request) is None:
                await ack(**_arguments(ack, request, logger))
            else:  # in a worker process: the web process has acknowledged it
                await request.context.ack()
            _after_ack(request, _run_after_ack(work, _arguments(work, request, logger), request))

        listener.__name__ = listener.__qualname__ = work.__name__
        route(listener)
        return work

    return register


@dataclass(frozen=True)
class FieldErrors:
    """What a form's check found wrong, keyed by block id: Slack shows each under its field,
    the form stays open, and the work does not run."""

    errors: dict[str, str]


def errors_in(checked: object) -> dict[str, str] | None:
    """The field errors a form's check returned, or None when it returned its result: errors
    come as FieldErrors, a service's FormErrors, or a plain dict keyed by block id (so a form's
    typed result is never a bare dict)."""
    if isinstance(checked, FieldErrors | FormErrors):
        return dict(checked.errors)
    if isinstance(checked, dict):
        return checked
    return None


def _telling_refusals(work: Handler, request: AsyncBoltRequest) -> Handler:
    """`work`, but what a service refuses (`Refused`) is told to the person in a DM: the form
    has closed, so there is nowhere else to say it."""

    async def told(**kwargs: Any) -> None:
        try:
            await work(**kwargs)
        except Refused as refused:
            await request.context.client.chat_postMessage(
                channel=acting_user(request.body), text=escape(refused)
            )

    return told


def form(
    route: Callable[..., Any], *, check: Check, writes: bool = False, tells_refusals: bool = False
) -> Callable[[Handler], Handler]:
    """`form(app.view(View.X), check=check_x)(work)`: `check` runs inside the acknowledgement
    and returns the form's typed result, or the errors to show on it (`errors_in`); `work` runs
    after with that result as `checked`. Nothing is validated twice and no string key carries
    the result. A check writes only when its errors depend on the write, and then says
    `writes=True`: the request is claimed first, so a replay cannot repeat it. With
    `tells_refusals=True`, what the rules refuse in the work is told to the person."""

    def register(work: Handler) -> Handler:
        async def listener(request: AsyncBoltRequest, logger: logging.Logger) -> None:
            handed = handed_in(request)
            if handed is not None:  # in a worker process: acknowledged and checked already
                await request.context.ack()
                checked = handed.checked
            else:
                if writes and not await first_time(request):
                    await request.context.ack()
                    return
                checked = await check(**_arguments(check, request, logger))
                errors = errors_in(checked)
                if errors is not None:
                    await request.context.ack(response_action="errors", errors=errors)
                    return
                await request.context.ack()
            kwargs = _arguments(work, request, logger, checked=checked)
            run = _telling_refusals(work, request) if tells_refusals else work
            work_done = _run_after_ack(run, kwargs, request, claimed=writes)
            _after_ack(request, work_done, checked=checked)

        listener.__name__ = listener.__qualname__ = work.__name__
        route(listener)
        return work

    return register


def step(
    route: Callable[..., Any],
    *,
    check: Callable[..., Awaitable[dict[str, Any] | FieldErrors | FormErrors]],
) -> None:
    """`step(app.view(View.X), check=next_view)`: a form whose answer is the next form, shown
    in its place (response_action=update); `check` returns that view, or FieldErrors."""

    async def listener(request: AsyncBoltRequest, logger: logging.Logger) -> None:
        checked = await check(**_arguments(check, request, logger))
        if isinstance(checked, FieldErrors | FormErrors):
            await request.context.ack(response_action="errors", errors=dict(checked.errors))
        else:
            await request.context.ack(response_action="update", view=checked)

    listener.__name__ = listener.__qualname__ = check.__name__
    route(listener)
