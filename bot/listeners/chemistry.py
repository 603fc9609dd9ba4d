"""The pair's chemistry meeting: propose times, accept one, and answer "go" or "not for me".

Every button carries ids only; the services check that the person clicking is in the pair and
that the pair is still at this step, so a stale or forwarded button answers with the current
state and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.flows.access import Click, apply_as_sender, apply_rule, button
from bot.flows.calendar import share_calendar
from bot.flows.endings import announce
from bot.flows.home import publish_home
from bot.flows.scheduled import hold, withdraw_scheduled
from bot.ids import Action, Field, View, matching
from bot.models import Decision, ScheduledKind
from bot.services import chemistry, readiness
from bot.services.chemistry import Agreement, MeetingAgreed
from bot.services.errors import Refused
from bot.services.pairs import PairError, PairFacts
from bot.services.programme_rules import FormErrors
from bot.slack.replies import Reply
from bot.slack.routing import FieldErrors, form
from bot.views import chemistry as views
from bot.views import preparation as preparation_views
from bot.views.admin import STALE_BUTTON
from bot.views.mrkdwn import escape, mrkdwn
from bot.views.state import form_values
from bot.views.when import slack_date

log = logging.getLogger(__name__)

PairCheck = Callable[..., Awaitable[PairFacts]]


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def refusal_words(error: Refused) -> str:
    """What a refusal says; an agreed meeting is named by its time."""
    if isinstance(error, MeetingAgreed):
        return mrkdwn(
            "Your chemistry meeting is already agreed for {at}.", at=slack_date(error.starts_at)
        )
    return escape(error)


async def allowed_pair(click: Click, check: PairCheck) -> PairFacts:
    """The pair behind a button, if this person may use it now (else `check` refuses)."""
    return await click.apply(check, pair_id=click.number)


async def propose_clicked(click: Click) -> None:
    ready = await click.apply(readiness.before_chemistry, pair_id=click.number)
    if ready.waits:  # both finish their preparation first: kindly, what is left
        text, blocks = preparation_views.waiting_reply(ready)
        await click.reply(text, blocks)
        return
    form = await click.apply(chemistry.times_form, pair_id=click.number)
    pair = form.pair
    me = pair.member(click.user_id)
    assert me is not None
    # Without times that suit both, a first pick: tomorrow, on the hour.
    start = (click.deps.clock.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    await click.client.views_open(
        trigger_id=click.trigger_id,
        view=views.times_modal(
            pair.id,
            me,
            pair.other(click.user_id),
            default=start,
            suggested=form.suggested,
            preparation=preparation_views.recommend_note(ready),
        ),
    )


async def check_times(deps: Deps, view: dict) -> tuple[list, str] | FormErrors:
    values = form_values(view)
    return chemistry.validate_times(
        values,
        fields=(*views.TIME_FIELDS, Field.SUGGESTED_TIMES),
        note=values.get(Field.NOTE),
        now=deps.clock.now(),
    )


async def times_submitted(
    deps: Deps,
    checked: tuple[list, str],
    body: dict,
    view: dict,
    client: AsyncWebClient,
    context: dict,
) -> None:
    options, note = checked
    user_id = body["user"]["id"]
    pair_id = _id(view.get("private_metadata"))
    if pair_id is None:
        raise PairError("That form is not valid any more.")
    proposal = await apply_as_sender(
        deps,
        context,
        chemistry.propose,
        pair_id=pair_id,
        options=options,
        note=note,
    )
    await withdraw_scheduled(client, proposal.cancelled)
    channel = proposal.pair.conversation_id
    if channel is None:
        await client.chat_postMessage(channel=user_id, text="Your pair has no conversation yet.")
        return
    for ts in proposal.replaced_ts:
        text, blocks = views.replaced_message()
        try:
            await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError:
            log.warning("could not mark an older proposal replaced", exc_info=True)
    text, blocks = views.proposal_message(proposal)
    posted = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    async with deps.db.transaction() as session:
        await chemistry.set_message(session, meeting_id=proposal.meeting_id, ts=posted["ts"])


async def time_accepted(click: Click) -> None:
    deps, client, user_id = click.deps, click.client, click.user_id
    option = click.value.partition(":")[2]
    if not option.isdigit():
        raise PairError(STALE_BUTTON)
    agreement = await click.apply(chemistry.accept, meeting_id=click.number, option=int(option))
    channel = agreement.pair.conversation_id
    assert channel is not None
    if agreement.message_ts:
        text, blocks = views.accepted_line(user_id, agreement.starts_at)
        await client.chat_update(channel=channel, ts=agreement.message_ts, text=text, blocks=blocks)
    text, blocks = views.agreed_message(agreement)
    posted = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    async with deps.db.transaction() as session:
        await chemistry.set_message(session, meeting_id=agreement.meeting_id, ts=posted["ts"])
    await share_calendar(client, [agreement.calendar])
    await schedule(deps, client, agreement)


async def schedule(deps: Deps, client: AsyncWebClient, agreement: Agreement) -> None:
    """Hand the reminder and the private questions to Slack, keeping their ids."""
    for planned in agreement.planned:
        if planned.kind == ScheduledKind.REMINDER:
            text, blocks = views.reminder_message(agreement)
        else:
            member = agreement.pair.member(planned.channel)
            assert member is not None
            text, blocks = views.decision_prompt(agreement.pair, member)
        await hold(deps, client, planned, text, blocks)


async def decide(
    deps: Deps,
    client: AsyncWebClient,
    reply: Reply,
    *,
    team_id: str,
    user_id: str,
    pair_id: int,
    decision: Decision,
    reason: str = "",
) -> None:
    try:
        outcome = await apply_rule(
            deps,
            chemistry.decide,
            team_id=team_id,
            user_id=user_id,
            pair_id=pair_id,
            decision=decision,
            reason=reason,
        )
    except PairError as exc:
        await reply(refusal_words(exc))
        return
    pair = outcome.pair
    if outcome.ending is not None:
        await announce(client, outcome.ending, decider=outcome.decider, reason=outcome.reason)
        return
    await reply(
        views.go_recorded(pair.other(user_id), confirmed=outcome.confirmed),
        replace_original=True,
    )
    if outcome.confirmed and pair.conversation_id:
        text, blocks = views.confirmed_message(pair)
        await client.chat_postMessage(channel=pair.conversation_id, text=text, blocks=blocks)
        # The Home of who said go last; the other sees it when they next open theirs.
        await publish_home(deps, client, team_id=team_id, user_id=user_id)


async def go_clicked(click: Click) -> None:
    await decide(
        click.deps,
        click.client,
        click.reply,
        team_id=click.team_id,
        user_id=click.user_id,
        pair_id=click.number,
        decision=Decision.GO,
    )


async def not_for_me_clicked(click: Click) -> None:
    pair = await allowed_pair(click, chemistry.check_can_decide)
    await click.client.views_open(
        trigger_id=click.trigger_id,
        view=views.not_for_me_modal(pair.id, pair.other(click.user_id)),
    )


async def check_not_for_me(view: dict) -> tuple[int, str] | FieldErrors:
    """The pair and the optional reason; a form without a pair is out of date."""
    pair_id = _id(view.get("private_metadata"))
    if pair_id is None:
        return FieldErrors({Field.REASON: "That form is not valid any more."})
    return pair_id, str(form_values(view).get(Field.REASON) or "")


async def not_for_me_submitted(
    deps: Deps, checked: tuple[int, str], body: dict, client: AsyncWebClient, context: dict
) -> None:
    user_id = body["user"]["id"]
    pair_id, reason = checked
    reply = Reply(client=client, user_id=user_id, respond=None, body={})
    await decide(
        deps,
        client,
        reply,
        team_id=context["team_id"],
        user_id=user_id,
        pair_id=pair_id,
        decision=Decision.NOT_FOR_ME,
        reason=reason,
    )


def register(app: AsyncApp) -> None:
    button(app.action(Action.OTHER_TIMES), told=refusal_words)(propose_clicked)
    button(app.action(Action.REQUEST_CHEMISTRY), told=refusal_words)(propose_clicked)
    form(app.view(View.CHEMISTRY_TIMES), check=check_times, tells_refusals=True)(times_submitted)
    button(app.action(matching(Action.ACCEPT_TIME)), told=refusal_words)(time_accepted)
    button(app.action(Action.GO))(go_clicked)
    button(app.action(Action.NOT_FOR_ME), told=refusal_words)(not_for_me_clicked)
    form(app.view(View.NOT_FOR_ME), check=check_not_for_me)(not_for_me_submitted)
