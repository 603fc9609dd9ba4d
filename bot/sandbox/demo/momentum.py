"""The demo's fourth act: weeks pass. The scheduler's sweeps run twice a day; most pairs keep
meeting, one goes quiet and is nudged back, one stays silent and reaches its lead, who pauses
it; pulse surveys and the mid-point review arrive in each person's day and most answer.

After each sweep the transcript tells what it sent scene by scene, each scene once, with what
people did about it underneath; everything else the sweep sent is left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.ids import RERATE_PREFIX, Action, Field
from bot.models import Outbox, OutboxStatus, Programme, SurveyResponse
from bot.sandbox import Sandbox
from bot.sandbox.demo.pair_work import Step, _check_in, _confirmed, _press
from bot.sandbox.demo.transcript import Transcript
from bot.services.outbox import Kind

# Sweeps at 04:00 and 16:00 UTC: between them every zone has a waking hour.
SWEEP_HOURS = (4, 16)
JOBS = ("momentum", "reminders", "surveys", "deliver")
ANSWERS = {Field.VALUE: "4", Field.BALANCE: "4", Field.OPENNESS: "5", Field.BREADTH: "3"}
FORTNIGHT = 14
Trio = tuple[Any, str, str]  # a pair, its mentor's and its mentee's user ids


async def _answer(box: Sandbox, user: str, message: dict[str, Any]) -> Any:
    opened = await _press(box, user, message, Action.SURVEY_OPEN)
    modal = box.modal(user)
    if modal is None:
        return opened
    choices = {**ANSWERS, Field.RECOMMEND: "9", Field.ACTIONS_DONE: "some", Field.CONTINUE: "yes"}
    values: dict[str, Any] = {}
    for block in modal["blocks"]:
        block_id = block.get("block_id", "")
        if block_id.startswith(RERATE_PREFIX):
            values[block_id] = "4"
        elif block_id in choices:
            values[block_id] = choices[block_id]
    return await box.submit(user, modal["id"], values)


def _kind(message: dict[str, Any]) -> str:
    """What the scheduler sent, as the demo tells it apart."""
    text = message.get("text", "")
    if "since you and" in text:
        return "nudge"
    if "have not met for" in text:
        return "mentee nudge"
    if text.startswith("At risk"):
        return "alert"
    if text.startswith("How is it going?"):
        return "review" if "review" in text else "pulse"
    if text.startswith("Reminder: your next mentoring session"):
        return "reminder"
    return ""


@dataclass
class _Act:
    """The act's people, what each has been sent so far, and what the story has told."""

    box: Sandbox
    log: Transcript
    step: Step
    stalls: Trio  # goes quiet, is nudged and meets again
    silent: Trio  # stays silent until the lead pauses it
    shy: set[str]  # never answer surveys: one reminder each
    seen: dict[str, int] = field(default_factory=dict)
    told: set[tuple[str, str]] = field(default_factory=set)  # (what, about whom)
    back_on: int | None = None  # the day the quiet pair met again

    def follow(self, users: set[str]) -> None:
        self.seen = dict.fromkeys(sorted(users), 0)
        self.catch_up()

    def catch_up(self) -> None:
        """Everything sent so far has been told (or left out on purpose)."""
        self.seen = {user: len(self.box.dms(user)) for user in self.seen}
        self.log.skip()

    def _pair_of(self, user: str) -> Trio | None:
        return next((t for t in (self.stalls, self.silent) if user in t[1:]), None)

    def _names(self, trio: Trio) -> str:
        return f"{self.log.name(trio[1])} and {self.log.name(trio[2])}"

    def _new(self) -> list[tuple[str, dict[str, Any]]]:
        """What reached the people followed since, in the order Slack received it."""
        new = [(u, m) for u in self.seen for m in self.box.dms(u)[self.seen[u] :]]
        return sorted(new, key=lambda sent: float(sent[1]["ts"]))

    async def after_sweep(self, day: int) -> None:
        """Tell what the sweep sent, scene by scene, and what each person does about it."""
        scenes: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
        quietly: list[tuple[str, dict[str, Any]]] = []
        for user, message in self._new():
            what, trio = _kind(message), self._pair_of(user)
            if what in ("nudge", "mentee nudge", "reminder") and trio is not None:
                scenes.setdefault((what, trio[1]), []).append((user, message))
            elif what == "alert":
                scenes.setdefault((what, message["text"]), []).append((user, message))
            elif what in ("pulse", "review") and self._shows_survey(what, user):
                scenes.setdefault((what, ""), []).append((user, message))
            elif what in ("pulse", "review") and user not in self.shy:
                quietly.append((user, message))
        self.log.skip()  # what the sweep sent is told below, never under someone's step
        for (what, about), sent in scenes.items():
            if (what, about) not in self.told:
                self.told.add((what, about))
                await self._tell(what, sent, day)
            elif what in ("nudge", "mentee nudge"):  # its other half, held for quiet hours
                self._say(
                    f"the nudge reaches {self._people(sent)} too, once their quiet hours are over"
                )
                self.log.sent([message for _, message in sent])
        for user, message in quietly:
            await _answer(self.box, user, message)
        self.catch_up()

    def _shows_survey(self, what: str, user: str) -> bool:
        """One pulse survey (to the silent pair's mentor) and one mid-point review (to the
        mentor of the pair that was nudged back) are told; everyone else answers quietly."""
        shown = self.silent[1] if what == "pulse" else self.stalls[1]
        return user == shown and (what, "") not in self.told

    def _people(self, sent: list[tuple[str, dict[str, Any]]]) -> str:
        return " and ".join(dict.fromkeys(self.log.name(user) for user, _ in sent))

    def _now(self) -> datetime:
        assert self.box.deps is not None
        return self.box.deps.clock.now()

    def _say(self, scene: str) -> None:
        self.log.say(f"\n… {self._now():%Y-%m-%d}: {scene}")

    async def _tell(self, what: str, sent: list[tuple[str, dict[str, Any]]], day: int) -> None:
        user, message = sent[0]
        trio = self._pair_of(user)
        if what in ("nudge", "mentee nudge", "reminder"):
            assert trio is not None
            self._say(self._pair_scene(what, trio))
            how = "posted on schedule" if what == "reminder" else "message"
            self.log.sent([m for _, m in sent], how=how)
            if what == "nudge" and trio is self.stalls:
                await self._meet_again(day)
        elif what == "alert":
            pair = message["text"].removeprefix("At risk: ")
            self._say(f"{pair} still have not met: the scheduler alerts the lead")
            self.log.sent([message])
            pausing = _press(self.box, user, message, Action.PAUSE_PAIR)
            await self.step(user, "pauses the pair from the alert", pausing)
        else:
            survey = "a pulse survey" if what == "pulse" else "the mid-point review"
            self._say(f"{survey} reaches everyone in an active pair")
            self.log.sent([message])
            await self.step(user, "answers it", _answer(self.box, user, message))

    def _pair_scene(self, what: str, trio: Trio) -> str:
        if what == "nudge":
            too = " too" if any(w == "nudge" and a != trio[1] for w, a in self.told) else ""
            return f"{self._names(trio)} have gone quiet{too}: the scheduler nudges them"
        if what == "mentee nudge":
            mentee = self.log.name(trio[2])
            return (
                f"still no session for {self._names(trio)}: a nudge to {mentee}, the mentee, alone"
            )
        return f"Slack posts the reminders of the session {self._names(trio)} booked"

    async def _meet_again(self, day: int) -> None:
        """The quiet pair's mentee arranges a session that day, logs it, and books the next."""
        _, mentor, mentee = self.stalls
        now = self._now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        booked = midnight + timedelta(days=FORTNIGHT, hours=15)
        await self.step(
            mentee,
            f"meets {self.log.name(mentor)} that day, logs it with /mentoring checkin and "
            "books the next session",
            _check_in(
                self.box, mentee, day=now.date().isoformat(), week=1, nxt=int(booked.timestamp())
            ),
        )
        self.back_on = day


async def play_momentum(
    box: Sandbox, log: Transcript, step: Step, clock: FakeClock, lead: str
) -> None:
    assert box.db is not None
    async with box.db.transaction() as session:
        midpoint = await session.scalar(select(Programme.midpoint_on))
    assert midpoint is not None
    days = (midpoint - clock.now().date()).days + 1  # up to the mid-point review
    log.say(f"\n== {days // 7} weeks of momentum, nudges and surveys ==")
    pairs = await _confirmed(box)
    steady = pairs[2:]
    meets = {0: "", 1: "1 pair meets every fortnight, "}.get(
        len(steady), f"{len(steady)} pairs meet every fortnight, "
    )
    log.say(f"(the scheduler sweeps twice a day; {meets}two go quiet)")
    act = _Act(box, log, step, pairs[0], pairs[1], shy={e for _, _, e in steady[::4]})
    act.follow({lead, *(u for _, m, e in pairs for u in (m, e))})
    last_met = clock.now().date()
    start = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    for day in range(1, days + 1):
        for hour in SWEEP_HOURS:
            clock.set(start + timedelta(days=day, hours=hour))
            box.double.reset_rate_limits()  # a half-day passes between sweeps
            for job in JOBS:
                await box.run_job(job)
            box.double.deliver_scheduled()  # and Slack posts what it held for this time
            await act.after_sweep(day)
        today = clock.now().date().isoformat()
        meeting = [t for t in steady if day % FORTNIGHT == 0]
        if act.back_on is not None and day > act.back_on and (day - act.back_on) % FORTNIGHT == 0:
            meeting.append(act.stalls)
        for index, (_, mentor, mentee) in enumerate(meeting):
            await _check_in(box, mentor if index % 2 else mentee, day=today, week=day, nxt=None)
        if day % FORTNIGHT == 0:
            last_met = clock.now().date()
        act.catch_up()
    await _say_totals(box, log, days, last_met)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


async def _say_totals(box: Sandbox, log: Transcript, days: int, last_met: Any) -> None:
    assert box.db is not None
    async with box.db.transaction() as session:
        sent = dict(
            (
                await session.execute(
                    select(Outbox.kind, func.count())
                    .where(Outbox.status == OutboxStatus.SENT)
                    .group_by(Outbox.kind)
                )
            ).all()
        )
        answers = await session.scalar(select(func.count()).select_from(SurveyResponse))
    log.say(
        f"\nAfter {days} days (steady pairs last met {last_met}): "
        f"{_count(sent.get(Kind.NUDGE_PAIR, 0), 'pair nudge')}, "
        f"{_count(sent.get(Kind.NUDGE_MENTEE, 0), 'mentee nudge')}, "
        f"{_count(sent.get(Kind.LEAD_ALERT, 0), 'lead alert')}; "
        f"{_count(sent.get(Kind.SURVEY, 0), 'survey invitation')} and "
        f"{_count(sent.get(Kind.SURVEY_REMINDER, 0), 'reminder')} to answer, "
        f"{_count(answers or 0, 'answer')} (kept without names)"
    )
