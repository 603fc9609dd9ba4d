"""The demo's third act: confirmed pairs agree their contract, log a few weeks of sessions with
notes and actions (the first pair drifting back to the hierarchy on the way), close an action,
and look at their App Home."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.models import ActionItem, Pair, PairStatus, Participant, SessionLog
from bot.sandbox import Sandbox
from bot.sandbox.demo.drift import answer_balance
from bot.sandbox.demo.transcript import Transcript, short, the_other

Step = Callable[[str, str, Awaitable[Any]], Awaitable[Any]]


async def _confirmed(box: Sandbox) -> list[tuple[Pair, str, str]]:
    assert box.db is not None
    async with box.db.transaction() as session:
        pairs = list(
            await session.scalars(
                select(Pair).where(Pair.status == PairStatus.CONFIRMED).order_by(Pair.id)
            )
        )
        people = {p.id: p.user_id for p in await session.scalars(select(Participant))}
    return [(p, people[p.mentor_id], people[p.mentee_id]) for p in pairs]


async def _press(box: Sandbox, user: str, message: dict[str, Any], action: str) -> Any:
    for block in message["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id", "").split(":")[0] == action:
                return await box.click(
                    user,
                    element["action_id"],
                    element.get("value"),
                    message={"channel": message["channel"], "ts": message["ts"]},
                )
    raise LookupError(f"no {action} in {message.get('text')!r}")


async def _agree(
    box: Sandbox, step: Step, pair: Pair, mentor: str, mentee: str, loud: bool
) -> None:
    channel = pair.conversation_id
    assert channel is not None
    confirmed = next(
        m for m in reversed(box.double.messages(channel)) if "you both said go" in m["text"]
    )
    opening = _press(box, mentee, confirmed, Action.AGREEMENT_OPEN)
    await (step(mentee, "clicks Set up our agreement", opening) if loud else opening)
    modal = box.modal(mentee)
    assert modal is not None
    sending = box.submit(mentee, modal["id"], {Field.CADENCE: "14"})
    await (
        step(mentee, "keeps the defaults, meets every 14 days, sends it", sending)
        if loud
        else sending
    )
    confirming = _press(box, mentor, box.double.messages(channel)[-1], Action.AGREEMENT_CONFIRM)
    await (step(mentor, "confirms; the agreement is pinned", confirming) if loud else confirming)


async def _check_in(box: Sandbox, user: str, *, day: str, week: int, nxt: int | None) -> Any:
    await box.command(user, Command.PARTICIPANT, "checkin")
    modal = box.modal(user)
    assert modal is not None
    values: dict[str, Any] = {
        Field.HELD_ON: day,
        Field.USEFULNESS: str(3 + week % 3),
        Field.GOAL: [
            "See how the team uses AI day to day",
            "Try posting on LinkedIn",
            "Understand hybrid habits",
        ][week % 3],
        Field.WILL: "Practise before next time",
        Field.PRIVATE_NOTE: "Felt a little awkward at first",
    }
    if nxt is not None:
        values[Field.NEXT_SESSION] = nxt
    if week == 0:
        values.update(
            {
                "action_0_text": "Share one thing I learned with my leadership team",
                "action_0_owner": "partner",
                "action_0_org": ["org"],
            }
        )
    return await box.submit(user, modal["id"], values)


async def play_pair_work(box: Sandbox, log: Transcript, step: Step, clock: FakeClock) -> None:
    log.say("\n== Agreements, sessions and actions ==")
    pairs = await _confirmed(box)
    for index, (pair, mentor, mentee) in enumerate(pairs):
        if index == 1:
            log.say(f"\n… {the_other(len(pairs) - 1)} agree theirs too")
        await _agree(box, step, pair, mentor, mentee, loud=index == 0)
        if index:
            log.skip()

    for week in range(3):
        clock.set(clock.now() + timedelta(days=14))
        # Weeks pass in a moment here; in Slack, its per-minute limits would long have reset.
        box.double.reset_rate_limits()
        day = clock.now().date().isoformat()
        nxt = int((clock.now() + timedelta(days=14)).replace(minute=0, second=0).timestamp())
        log.say(f"\n… two weeks on ({day})")
        for index, (_, mentor, mentee) in enumerate(pairs):
            writer = mentor if week % 2 == 0 else mentee
            # One pair books its next session (Slack holds a reminder for each of them); the
            # rest keep it light, as chat.scheduleMessage allows about 50 calls a minute.
            logging = _check_in(box, writer, day=day, week=week, nxt=nxt if index == 0 else None)
            if index == 0:
                await step(writer, "logs the session with /mentoring checkin", logging)
                await answer_balance(box, log, step, clock, week=week, mentor=mentor, mentee=mentee)
            else:
                await logging
                log.skip()
        box.double.deliver_scheduled()
        log.skip()

    _, _, first_mentee = pairs[0]
    await step(
        first_mentee,
        "types /mentoring actions",
        box.command(first_mentee, Command.PARTICIPANT, "actions"),
    )
    listing = box.last_ephemeral(first_mentee)
    await step(
        first_mentee,
        "marks the action done",
        _press(box, first_mentee, listing, Action.ACTION_DONE),
    )
    await step(
        first_mentee,
        "opens the App Home",
        box.event({"type": "app_home_opened", "user": first_mentee, "tab": "home"}),
    )
    home = box.double.home_view(first_mentee) or {}
    for block in home.get("blocks", [])[1:3]:
        if block["type"] == "section":
            log.say(f"    Home: {short(block['text']['text'])}")
        elif block["type"] == "context":
            log.say(f"    Home: {short(block['elements'][0]['text'])}")
    assert box.db is not None
    async with box.db.transaction() as session:
        sessions = await session.scalar(select(func.count()).select_from(SessionLog))
        actions = await session.scalar(select(func.count()).select_from(ActionItem))
    log.say(f"\nSessions logged: {sessions}; actions agreed: {actions}")
