"""The demo's second act: matching, introductions, chemistry meetings, one "not for me", and a
re-match, played through the same signed requests as everything else."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.models import Pair, PairStatus, Participant
from bot.sandbox import Sandbox
from bot.sandbox.demo.pair_work import Step, _press
from bot.sandbox.demo.transcript import Transcript, the_other


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


async def _chemistry(box: Sandbox, step: Step, pair: Pair, *, at: datetime, loud: bool) -> None:
    """The mentee proposes two times; the mentor accepts the first."""
    mentor, mentee = await _user_ids(box, pair)
    channel = pair.conversation_id
    assert channel is not None
    intro = box.double.messages(channel)[-1]
    pressing = _press(box, mentee, intro, Action.REQUEST_CHEMISTRY)
    await (step(mentee, "clicks Request chemistry meeting", pressing) if loud else pressing)
    modal = box.modal(mentee)
    assert modal is not None
    times: dict[str, Any] = {
        Field.TIME_1: int(at.timestamp()),
        Field.TIME_2: int((at + timedelta(days=1)).timestamp()),
        Field.NOTE: "Video call, link in the invite",
    }
    submitting = box.submit(mentee, modal["id"], times)
    await (step(mentee, "proposes two times", submitting) if loud else submitting)
    proposal = box.double.messages(channel)[-1]
    accepting = _press(box, mentor, proposal, Action.ACCEPT_TIME)
    await (step(mentor, "accepts the first time", accepting) if loud else accepting)


async def play_matching(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, lead: str
) -> None:
    log.say("\n== Matching and chemistry meetings ==")
    await _match_with_a_forbidden_pair(box, log, step, lead)
    pairs = await _pairs(box)
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
    for index, pair in enumerate(pairs):
        if index == 1:
            log.say(f"\n… {the_other(len(pairs) - 1)} agree their chemistry meetings too")
        await _chemistry(box, step, pair, at=meeting, loud=index == 0)
        if index:
            log.skip()

    clock.set(meeting + timedelta(minutes=31))
    box.double.reset_rate_limits()  # two days pass in a moment; Slack's minute windows reset
    log.say("\n… two days later, the chemistry meetings take place")
    delivered = box.double.deliver_scheduled()
    log.delivered([m for m in delivered if m["channel"] == pairs[0].conversation_id][:1])
    # Each of the first pair is asked privately: the mentor answers first, then the mentee.
    for user in await _user_ids(box, pairs[0]):
        log.delivered([m for m in delivered if m["channel"] == box.double.dm_channel(user)])


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
