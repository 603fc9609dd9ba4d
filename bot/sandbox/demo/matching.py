"""The demo's second act: matching, introductions, chemistry meetings, one "not for me", and a
re-match, played through the same signed requests as everything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.models import Pair, PairStatus, Participant
from bot.sandbox import Sandbox
from bot.sandbox.demo.pair_work import Step, _press
from bot.sandbox.demo.transcript import Transcript, the_other
from bot.services import slots
from bot.services.quiet import zone
from bot.views.when import local


def _preview(box: Sandbox, lead: str) -> dict[str, Any]:
    message = box.double.messages(lead)[-1]
    assert message["text"].startswith("Matching preview"), message["text"]
    return message


async def _pairs(box: Sandbox) -> list[Pair]:
    assert box.db is not None
    async with box.db.transaction() as session:
        return list(
            await session.scalars(
                select(Pair).where(Pair.status == PairStatus.INTRODUCED).order_by(Pair.id)
            )
        )


async def _user_ids(box: Sandbox, pair: Pair) -> tuple[str, str]:
    assert box.db is not None
    async with box.db.transaction() as session:
        mentor = await session.get(Participant, pair.mentor_id)
        mentee = await session.get(Participant, pair.mentee_id)
    assert mentor is not None and mentee is not None
    return mentor.user_id, mentee.user_id


async def _zones(box: Sandbox, pair: Pair) -> tuple[str | None, str | None]:
    assert box.db is not None
    async with box.db.transaction() as session:
        mentor = await session.get(Participant, pair.mentor_id)
        mentee = await session.get(Participant, pair.mentee_id)
    assert mentor is not None and mentee is not None
    return mentor.tz, mentee.tz


async def _farthest_apart_first(box: Sandbox, pairs: list[Pair], now: datetime) -> list[Pair]:
    """The pair whose clocks are farthest apart, yet whose working hours still meet, goes
    first: the demo shows it finding a time across zones."""

    def gap(zones: tuple[str | None, str | None]) -> float:
        offsets = [now.astimezone(zone(tz)).utcoffset() or timedelta() for tz in zones]
        hours = abs((offsets[0] - offsets[1]).total_seconds()) / 3600
        return min(hours, 24 - hours)

    def meet(zones: tuple[str | None, str | None]) -> bool:
        people = [slots.Person(tz) for tz in zones]
        tomorrow = now.date() + timedelta(days=1)
        return bool(
            slots.suggest(now=now, people=people, minutes=30, earliest=tomorrow, quiet=(19, 8))
        )

    scored = [(gap(z), p) for p in pairs if meet(z := await _zones(box, p))]
    if not scored:
        return pairs
    showcase = max(scored, key=lambda s: s[0])[1]
    return [showcase, *(p for p in pairs if p.id != showcase.id)]


def _times(modal: dict[str, Any], at: datetime, loud: bool) -> dict[str, Any]:
    """The first pair ticks two of the times that suit both; the others type two of their own."""
    offered = next((b for b in modal["blocks"] if b.get("block_id") == Field.SUGGESTED_TIMES), None)
    if loud and offered is not None:
        picked = [o["value"] for o in offered["element"]["options"][:2]]
        return {Field.SUGGESTED_TIMES: picked, Field.NOTE: "Video call, link in the invite"}
    return {
        Field.TIME_1: int(at.timestamp()),
        Field.TIME_2: int((at + timedelta(days=1)).timestamp()),
        Field.NOTE: "Video call, link in the invite",
    }


async def _chemistry(
    box: Sandbox, log: Transcript, step: Step, pair: Pair, *, at: datetime, loud: bool
) -> datetime:
    """The mentee proposes two times; the mentor accepts the first; returns it."""
    mentor, mentee = await _user_ids(box, pair)
    channel = pair.conversation_id
    assert channel is not None
    intro = box.double.messages(channel)[-1]
    pressing = _press(box, mentee, intro, Action.REQUEST_CHEMISTRY)
    await (step(mentee, "clicks Request chemistry meeting", pressing) if loud else pressing)
    modal = box.modal(mentee)
    assert modal is not None
    if loud:
        _show_offered(log, modal, (await _zones(box, pair))[1])
    times = _times(modal, at, loud)
    submitting = box.submit(mentee, modal["id"], times)
    if loud and Field.SUGGESTED_TIMES in times:
        here, there = await _zones(box, pair)
        doing = f"ticks two times that suit both ({there} and {here}) and proposes them"
        await step(mentee, doing, submitting)
    else:
        await (step(mentee, "proposes two times", submitting) if loud else submitting)
    proposal = box.double.messages(channel)[-1]
    accepting = _press(box, mentor, proposal, Action.ACCEPT_TIME)
    await (step(mentor, "accepts the first time", accepting) if loud else accepting)
    agreed = min(
        int(v)
        for v in (times.get(Field.SUGGESTED_TIMES) or [times.get(Field.TIME_1)])
        if v is not None
    )
    return datetime.fromtimestamp(agreed, UTC)


async def play_matching(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, lead: str
) -> None:
    log.say("\n== Matching and chemistry meetings ==")
    await _match_with_a_forbidden_pair(box, log, step, lead)
    pairs = await _farthest_apart_first(box, await _pairs(box), clock.now())
    await _meet(box, log, step, clock, pairs)
    await _answer_after_meeting(box, log, step, pairs)
    await _rematch(box, log, step, lead)
    await _say_pair_counts(box, log)


async def _match_with_a_forbidden_pair(
    box: Sandbox, log: Transcript, step: Step, lead: str
) -> None:
    await step(lead, "types /mentoring-admin match", box.command(lead, Command.ADMIN, "match"))
    preview = _preview(box, lead)
    for block in preview["blocks"]:
        if block["type"] == "section" and "pinned" in block["text"]["text"]:
            chosen = block["text"]["text"].split("\n")[0]
            log.say(f"    the preview keeps the pair a mentee chose: {chosen}")
    weakest = next(
        b["accessory"]
        for b in preview["blocks"]
        if (b.get("accessory") or {}).get("type") == "overflow"
        and "pinned" not in b["text"]["text"]  # not the pair a mentee chose
    )
    await step(
        lead,
        "forbids the weakest pair the engine proposed, from the preview's menu; matching runs "
        "again",
        box.click(
            lead,
            weakest["action_id"],
            selected_option=weakest["options"][1]["value"],
            message={"channel": preview["channel"], "ts": preview["ts"]},
        ),
    )
    await step(
        lead,
        "approves the preview",
        _press(box, lead, _preview(box, lead), Action.APPROVE_MATCH),
    )


async def _meet(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, pairs: list[Pair]
) -> None:
    """Every pair agrees a chemistry meeting in two days; the clock moves past it."""
    meeting = (clock.now() + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    last = meeting
    for index, pair in enumerate(pairs):
        if index == 1:
            log.say(f"\n… {the_other(len(pairs) - 1)} agree their chemistry meetings too")
        agreed = await _chemistry(box, log, step, pair, at=meeting, loud=index == 0)
        last = max(last, agreed)
        if index == 0:
            _show_calendar_file(box, log, await _zones(box, pair))
        else:
            log.skip()

    clock.set(last + timedelta(minutes=31))
    box.double.reset_rate_limits()  # days pass in a moment; Slack's minute windows reset
    log.say("\n… days later, the chemistry meetings take place")
    delivered = box.double.deliver_scheduled()
    log.delivered([m for m in delivered if m["channel"] == pairs[0].conversation_id][:1])
    # Each of the first pair is asked privately: the mentor answers first, then the mentee.
    for user in await _user_ids(box, pairs[0]):
        log.delivered([m for m in delivered if m["channel"] == box.double.dm_channel(user)])


def _show_offered(log: Transcript, modal: dict[str, Any], reader_tz: str | None) -> None:
    """The times the form offers, as its reader sees them, with the partner's."""
    offered = next((b for b in modal["blocks"] if b.get("block_id") == Field.SUGGESTED_TIMES), None)
    for option in offered["element"]["options"] if offered else []:
        at = datetime.fromtimestamp(int(option["value"]), UTC)
        log.say(f"    offered: ☐ {local(at, reader_tz)} · {option['description']['text']}")


def _show_calendar_file(
    box: Sandbox, log: Transcript, zones: tuple[str | None, str | None]
) -> None:
    """What a calendar reads in the newest .ics file: when (UTC), and so each one's time."""
    name, content = next(
        (f["name"], f["content"])
        for f in reversed(box.double.state.files.values())
        if f["name"].endswith(".ics") and f.get("content")
    )
    lines = content.decode().split("\r\n")
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    starts = datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    local = ", ".join(f"{starts.astimezone(zone(tz)):%a %H:%M} in {zone(tz).key}" for tz in zones)
    log.say(
        f"    {name}: METHOD:{fields['METHOD']} · DTSTART:{fields['DTSTART']} "
        f"· SEQUENCE:{fields['SEQUENCE']} ({local})"
    )


async def _answer_after_meeting(
    box: Sandbox, log: Transcript, step: Step, pairs: list[Pair]
) -> None:
    """Everyone answers “Go”, but the last pair's mentee, who answers “Not for me”."""
    declined = pairs[-1]
    for pair in pairs:
        mentor, mentee = await _user_ids(box, pair)
        loud = pair.id in (pairs[0].id, declined.id)
        for user in (mentor, mentee):
            prompt = box.double.messages(user)[-1]
            if pair.id == declined.id and user == mentee:
                await _not_for_me(box, step, user, prompt)
                continue
            pressing = _press(box, user, prompt, Action.GO)
            if loud:
                await step(user, "answers “Go”", pressing)
            else:
                await pressing
                log.skip()


async def _not_for_me(box: Sandbox, step: Step, user: str, prompt: dict[str, Any]) -> None:
    await step(user, "answers “Not for me”", _press(box, user, prompt, Action.NOT_FOR_ME))
    modal = box.modal(user)
    assert modal is not None
    await step(
        user,
        "adds a reason only the lead will see and confirms",
        box.submit(user, modal["id"], {Field.REASON: "We want different things"}),
    )


async def _rematch(box: Sandbox, log: Transcript, step: Step, lead: str) -> None:
    await step(lead, "types /mentoring-admin rematch", box.command(lead, Command.ADMIN, "rematch"))
    try:
        approving = _press(box, lead, _preview(box, lead), Action.APPROVE_MATCH)
    except LookupError:
        log.say("    (nobody in the pool fits anyone else yet; they wait for the next round)")
    else:
        await step(lead, "approves the new preview", approving)


async def _say_pair_counts(box: Sandbox, log: Transcript) -> None:
    assert box.db is not None
    async with box.db.transaction() as session:
        counts = dict(
            (await session.execute(select(Pair.status, func.count()).group_by(Pair.status))).all()
        )
    log.say(
        "\nPairs: "
        + ", ".join(f"{status.value} {counts[status]}" for status in PairStatus if status in counts)
    )
