"""Who may run programmes: creating one is for the configured lead ids and workspace admins;
everything about an existing programme is for its own leads. Every lead-only route asks here:
commands through `Access`, buttons through `lead_button` (which must be told whose programme
the button's id belongs to), forms through `Access.refuse`. Participants' buttons go through
`button`, and their shortcuts and Home buttons through `like_its_word`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.models import Programme
from bot.observe import logs
from bot.services import leads
from bot.services.errors import Refused
from bot.services.people import is_lead
from bot.services.programmes import find_programmes
from bot.slack.replies import Reply, acting_user
from bot.slack.routing import Handler, ack_only, then
from bot.views import admin as admin_views
from bot.views.blocks import Block
from bot.views.mrkdwn import escape, join, mrkdwn

T = TypeVar("T")


async def apply_rule(deps: Deps, rule: Callable[..., Awaitable[T]], **named: Any) -> T:
    """`rule(session, **named, now=...)`: one of the services' rules, applied in a transaction
    of its own at the clock's now."""
    async with deps.db.transaction() as session:
        return await rule(session, now=deps.clock.now(), **named)


async def apply_as_sender(
    deps: Deps, context: dict, rule: Callable[..., Awaitable[T]], **named: Any
) -> T:
    """`rule` (`apply_rule`) as the own act of the person who sent the request (a form), in
    their workspace, as the request's `context` names them."""
    return await apply_rule(
        deps, rule, team_id=context["team_id"], user_id=context["user_id"], **named
    )


@dataclass(frozen=True)
class Access:
    """What one person may do as a lead in one workspace, looked up once per request."""

    team_id: str
    user_id: str
    may_create: bool  # a configured lead id, or a workspace admin or owner
    is_admin: bool  # a workspace admin or owner: may add themselves to a programme
    led: frozenset[int]

    @property
    def is_any_lead(self) -> bool:
        return self.may_create or bool(self.led)

    def leads(self, programme_id: int) -> bool:
        return programme_id in self.led

    async def refusal(self, deps: Deps, programme_id: int) -> tuple[str, list[Block]] | None:
        """None when they lead it; else the words naming its leads (with the admin's way in).
        An id of no programme of this workspace is refused like one they do not lead."""
        if self.leads(programme_id):
            return None
        async with deps.db.transaction() as session:
            refused = await leads.refusal(session, team_id=self.team_id, programme_id=programme_id)
        if refused is None:
            return "That programme is no longer there.", []
        return admin_views.not_their_programme(refused, may_take_over=self.is_admin)


async def access_of(deps: Deps, client: AsyncWebClient, *, team_id: str, user_id: str) -> Access:
    profile = await deps.profiles.get(client, team_id=team_id, user_id=user_id)
    async with deps.db.transaction() as session:
        led = await leads.led_programme_ids(session, team_id=team_id, user_id=user_id)
    usable = not (profile.deleted or profile.is_bot)
    return Access(
        team_id=team_id,
        user_id=user_id,
        may_create=is_lead(profile, deps.settings.lead_user_ids),
        is_admin=usable and (profile.is_admin or profile.is_owner),
        led=led if usable else frozenset(),
    )


FORM_REFUSAL = "Only this programme's leads can do that."


async def form_refusal(
    deps: Deps, client: AsyncWebClient, context: dict, *, owner: leads.Owner, number: int | None
) -> str | None:
    """For a submitted form (or a lead's menu): None when the person who sent it, as the
    request's `context` names them, leads the programme that `number` (from the form's
    metadata or a field) belongs to; else the words to show on the form."""
    if number is None:
        return "This form is out of date. Open it again."
    async with deps.db.transaction() as session:
        programme_id = await owner(session, number)
    access = await access_of(deps, client, team_id=context["team_id"], user_id=context["user_id"])
    if programme_id is None or not access.leads(programme_id):
        return FORM_REFUSAL
    return None


async def the_one_programme(
    deps: Deps, reply: Reply, *, team_id: str, lead_id: str, name: str, word: str
) -> Programme | None:
    """What `/mentoring-admin WORD [name]` is about: the programme named, or the lead's only
    one; else None, after asking which."""
    async with deps.db.transaction() as session:
        found = await find_programmes(session, team_id=team_id, name=name or None, lead_id=lead_id)
    if len(found) == 1:
        return found[0]
    named = join(", ", (mrkdwn("“{name}”", name=p.name) for p in found)) or "none yet"
    await reply(
        mrkdwn("Which programme? `/mentoring-admin {word} NAME` ({named}).", word=word, named=named)
    )
    return None


def number_in(text: object) -> int | None:
    """An id from a form's metadata or a field, or None: such values come from the payload."""
    return int(text) if isinstance(text, str) and text.isdigit() else None


@dataclass(frozen=True)
class ItemForm:
    """A lead's form about one item of a programme (a resource, an event): its metadata reads
    "PROGRAMME:ITEM", with no ITEM for a new one."""

    programme_id: int | None
    item_id: int | None


async def item_form_refusal(
    deps: Deps, client: AsyncWebClient, context: dict, view: dict, *, item_owner: leads.Owner
) -> tuple[ItemForm, str | None]:
    """The form's programme and item, and `form_refusal` for the item's programme (the
    programme's own for a new item)."""
    raw_programme, _, raw_item = (view.get("private_metadata") or "").partition(":")
    form = ItemForm(number_in(raw_programme), number_in(raw_item))
    refused = await form_refusal(
        deps,
        client,
        context,
        owner=item_owner if form.item_id else leads.programme_of_programme,
        number=form.item_id or form.programme_id,
    )
    return form, refused


@dataclass(frozen=True)
class Press:
    """Someone's press of a button, use of a shortcut or slash command, read once, before any
    check."""

    deps: Deps
    client: AsyncWebClient
    reply: Reply
    team_id: str
    user_id: str
    value: str  # the button's value, or the command's text; empty for a shortcut
    trigger_id: str
    at: tuple[str, str] | None  # the message the button is in: (channel, ts)


PressWork = Callable[[Press], Awaitable[None]]


def message_of(body: dict) -> tuple[str, str] | None:
    """The message a button is in, as (channel, ts), when it is in one."""
    container = body.get("container") or {}
    if container.get("channel_id") and container.get("message_ts"):
        return container["channel_id"], container["message_ts"]
    return None


def _press(
    deps: Deps,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
    value: str,
) -> Press:
    user_id = acting_user(body)
    return Press(
        deps,
        client,
        Reply(client=client, user_id=user_id, respond=respond, body=body),
        context["team_id"],
        user_id,
        value,
        body.get("trigger_id", ""),
        message_of(body),
    )


def on_press(route: Callable[..., Any], work: PressWork, *, name: str = "") -> None:
    """Route a button or shortcut to `work`, which gets the press (the listener is named
    `name`, or as `work`); every kind of click below is read here."""

    async def pressed(
        deps: Deps,
        action: dict | None,
        body: dict,
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: dict,
    ) -> None:
        value = (action or {}).get("value") or ""
        await work(_press(deps, body, client, respond, context, value))

    pressed.__name__ = pressed.__qualname__ = name or work.__name__
    then(route)(pressed)


def on_command(route: Callable[..., Any], work: PressWork, *, ack: Handler = ack_only) -> None:
    """Route a slash command to `work` after `ack` has answered Slack: it gets the command
    as a press whose value is the command's text."""

    async def commanded(
        deps: Deps,
        command: dict,
        body: dict,
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: dict,
    ) -> None:
        text = command.get("text") or ""
        await work(_press(deps, body, client, respond, context, text))

    commanded.__name__ = commanded.__qualname__ = work.__name__
    then(route, ack=ack)(commanded)


async def telling_refusals(
    reply: Reply,
    work: Awaitable[None],
    *,
    told: Callable[[Refused], str] = escape,
    replace: bool = False,
) -> None:
    """Run `work`; what the rules refuse in it (a service's `Refused`) is told to the person,
    in `told`'s words, in place of the message when `replace`."""
    try:
        await work
    except Refused as refused:
        await reply(told(refused), replace_original=replace)


@dataclass(frozen=True)
class LeadClick:
    """A lead's press of a button whose value is an id, after the lead check."""

    reply: Reply
    client: AsyncWebClient
    team_id: str
    lead_id: str
    number: int
    trigger_id: str
    at: tuple[str, str] | None  # the message the button is in: (channel, ts)
    programme_id: int
    led: frozenset[int]  # every programme of the workspace this lead leads
    deps: Deps

    async def apply(self, rule: Callable[..., Awaitable[T]], **named: Any) -> T:
        """`rule` for this workspace (`apply_rule`); the lead is named as the rule names them."""
        return await apply_rule(self.deps, rule, team_id=self.team_id, **named)


LeadWork = Callable[[LeadClick], Awaitable[None]]


async def lead_click(press: Press, owner: leads.Owner) -> LeadClick | None:
    """The press, when a lead of the programme its id belongs to made it; else None, after
    telling them why (a value with no id is ignored)."""
    if not press.value.isdigit():
        return None
    deps = press.deps
    access = await access_of(deps, press.client, team_id=press.team_id, user_id=press.user_id)
    if not access.is_any_lead:
        await press.reply(admin_views.NOT_A_LEAD)
        return None
    async with deps.db.transaction() as session:
        programme_id = await owner(session, int(press.value))
    if programme_id is None:
        await press.reply("That is no longer there.")
        return None
    logs.bind(programme_id=programme_id)
    refused = await access.refusal(deps, programme_id)
    if refused is not None:
        await press.reply(refused[0], refused[1] or None)
        return None
    return LeadClick(
        press.reply,
        press.client,
        press.team_id,
        press.user_id,
        int(press.value),
        press.trigger_id,
        press.at,
        programme_id,
        access.led,
        deps,
    )


def lead_button(route: Callable[..., Any], *, owner: leads.Owner) -> Callable[[LeadWork], LeadWork]:
    """`lead_button(app.action(...), owner=leads.programme_of_pair)(work)`: the button's value
    is an id; `owner` says which programme it belongs to, and only that programme's leads get
    past. What the rules then refuse is told to the lead."""

    def register_work(work: LeadWork) -> LeadWork:
        async def checked(press: Press) -> None:
            click = await lead_click(press, owner)
            if click is not None:
                await telling_refusals(press.reply, work(click))

        on_press(route, checked, name=work.__name__)
        return work

    return register_work


@dataclass(frozen=True)
class Click:
    """A person's press of a button whose value starts with an id (`12` or `12:4`)."""

    deps: Deps
    client: AsyncWebClient
    reply: Reply
    team_id: str
    user_id: str
    number: int  # the id the value starts with
    value: str  # the whole value, for buttons that carry more than the id
    trigger_id: str

    async def apply(self, rule: Callable[..., Awaitable[T]], **named: Any) -> T:
        """`rule` (`apply_rule`) as this person's own act: in their workspace, as them."""
        return await apply_rule(
            self.deps, rule, team_id=self.team_id, user_id=self.user_id, **named
        )


ClickWork = Callable[[Click], Awaitable[None]]


def button(
    route: Callable[..., Any],
    *,
    replace: bool = False,
    told: Callable[[Refused], str] = escape,
    stale: str = admin_views.STALE_BUTTON,
) -> Callable[[ClickWork], ClickWork]:
    """`button(app.action(Action.X))(work)`: a participant's button. A value with no id gets
    the `stale` line; whatever the rules refuse (a service's `Refused`) is told to the
    person who pressed, in `told`'s words, in place of the message when `replace`. The
    services check that the id is theirs to act on."""

    def register_work(work: ClickWork) -> ClickWork:
        async def checked(press: Press) -> None:
            number = press.value.partition(":")[0]
            if not number.isdigit():
                await press.reply(stale, replace_original=replace)
                return
            click = Click(
                press.deps,
                press.client,
                press.reply,
                press.team_id,
                press.user_id,
                int(number),
                press.value,
                press.trigger_id,
            )
            await telling_refusals(press.reply, work(click), told=told, replace=replace)

        on_press(route, checked, name=work.__name__)
        return work

    return register_work


# What a person takes part in, found for them: (session, team_id=, user_id=) -> a list.
Finder = Callable[..., Awaitable[list[Any]]]


@dataclass(frozen=True)
class Ask:
    """A participant asking for something: a `/mentoring` word, a shortcut or a Home button."""

    deps: Deps
    client: AsyncWebClient
    reply: Reply
    team_id: str
    user_id: str
    trigger_id: str
    number: int | None = None  # the id a button's value names (a programme, a pair), if any

    async def their_own(self, find: Finder, *, none: str) -> list[Any]:
        """What `find` finds the person takes part in; when nothing, they are told `none`."""
        async with self.deps.db.transaction() as session:
            found = await find(session, team_id=self.team_id, user_id=self.user_id)
        if not found:
            await self.reply(none)
        return found


AskWork = Callable[[Ask], Awaitable[None]]


def ask_of(press: Press, number: int | None = None) -> Ask:
    """What a press asks for: a `/mentoring` word, or a shortcut or button doing what one does."""
    return Ask(
        press.deps,
        press.client,
        press.reply,
        press.team_id,
        press.user_id,
        press.trigger_id,
        number,
    )


def like_its_word(route: Callable[..., Any], work: AskWork) -> None:
    """`like_its_word(app.shortcut(...), start_x)`: a shortcut or button that does what its
    `/mentoring` word does; `work` checks who is asking and what they may do. A button whose
    value is an id asks for that one (a Home button's pair); other values ask in general."""

    async def asked(press: Press) -> None:
        number = int(press.value) if press.value.isdigit() else None
        await work(ask_of(press, number))

    on_press(route, asked, name=f"{work.__name__}_asked")
