"""What a pair says stays with the pair: a programme full of notes, private notes, actions and
survey comments, then every surface a lead has (admin commands, their App Home, alerts and
end-of-programme messages, reports and exports) and the executive sponsor's digests, and not
one of those texts in anything the app sent to Slack for it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from bot.clock import FakeClock
from bot.ids import Action, Command, Field
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from bot.services.signup import GRADE_LEVELS
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2, OUTSIDER
from tests.flows import (
    EXEC2,
    EXEC3,
    agree,
    channel_of,
    confirm_pairs,
    create_programme,
    enrol_cohort,
    open_enrolment,
    sign_up,
)
from tests.scenarios import play
from tests.test_choosing_flows import CHOOSE, asking, deliver, suggestions
from tests.test_drift_flows import answer, session
from tests.test_momentum_flows import at, tick
from tests.test_pair_work_flows import log_session
from tests.test_preparation_flows import lessons, mark_all, progress
from tests.test_survey_flows import PULSE, open_survey

SPONSOR = "U0SPONSOR"
SECRETS = {
    "goal": "Rebuild trust with the night shift",
    "reality": "The board has never used the intranet",
    "options": "Shadow a graduate on a Tuesday",
    "will": "Quietly drop the quarterly memo",
    "private note": "I worry my manager sees this",
    "action": "Call the union rep about rotas",
    "survey comment": "My mentee interrupts me constantly",
    "concern": "I think my mentee is being bullied by their director",
}


async def reach_full(sandbox: Sandbox, clock: FakeClock) -> None:
    """Mia and Eve agreed on 9 Jan, logged a session full of notes on 20 Jan, and both
    answered the first pulse survey with a comment."""
    box = sandbox
    await agree(box, await play(box, clock, confirm_pairs))
    clock.set(at("01-20", 12))
    await log_session(
        box,
        MENTOR,
        **{
            Field.HELD_ON: "2026-01-20",
            Field.GOAL: SECRETS["goal"],
            Field.REALITY: SECRETS["reality"],
            Field.OPTIONS: SECRETS["options"],
            Field.WILL: SECRETS["will"],
            Field.PRIVATE_NOTE: SECRETS["private note"],
            "action_0_text": SECRETS["action"],
        },
    )
    await box.command(MENTOR, Command.PARTICIPANT, "concern")
    concern = box.modal(MENTOR)
    assert concern is not None
    await box.submit(MENTOR, concern["id"], {Field.CONCERN_TEXT: SECRETS["concern"]})
    assert SECRETS["concern"] in str(box.dms(LEAD)[-1])  # the lead is told, by design
    await tick(box, clock, at("03-01", 14), "surveys", "deliver")
    for person in (MENTOR, EXEC):
        modal = await open_survey(box, person)
        await box.submit(person, modal["id"], {**PULSE, Field.COMMENT: SECRETS["survey comment"]})


@pytest.fixture
async def full(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_full)
    return sandbox


def everything_sent(box: Sandbox) -> str:
    """Every Web API call's arguments, every response-URL post and every uploaded file."""
    double = box.double
    parts = [json.dumps(call.args, ensure_ascii=False) for call in double.calls]
    parts += [json.dumps(body, ensure_ascii=False) for _, body in double.response_posts]
    for entry in double.state.files.values():
        content: Any = entry.get("content")
        if isinstance(content, bytes | bytearray):
            parts.append(content.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def leaked(box: Sandbox) -> list[str]:
    sent = everything_sent(box)
    return [name for name, text in SECRETS.items() if text in sent]


async def test_the_secrets_are_really_in_the_programme(full: Sandbox) -> None:
    # Without this, the test below would pass on an empty programme.
    async with full.db.transaction() as session:
        notes = await session.scalar(text("SELECT goal FROM session_log"))
        private = await session.scalar(text("SELECT text FROM private_note"))
        comments = list(await session.scalars(text("SELECT comment FROM survey_response")))
        concern = await session.scalar(text("SELECT text FROM concern_message"))
    assert notes == SECRETS["goal"] and private == SECRETS["private note"]
    assert concern == SECRETS["concern"]
    assert comments == [SECRETS["survey comment"]] * 2


async def test_no_lead_surface_shows_what_a_pair_wrote(full: Sandbox, clock: FakeClock) -> None:
    box = full
    box.double.response_posts.clear()
    box.double.clear_calls()
    for words in ("", "list", "pairs", "stories", "report", "audit"):
        await box.command(LEAD, Command.ADMIN, words)
    await box.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
    # The ladder up to the lead's alert (no session after 20 Jan: rungs on 17, 24 and 31 Mar),
    # then the end of the programme with its summary and closing note.
    for day in ("03-17", "03-24", "03-31", "07-01", "07-15"):
        await tick(box, clock, at(day, 12), "momentum", "programmes", "deliver")
    sent = everything_sent(box)
    assert "has not logged a session" in sent or "have not logged a session" in sent
    assert "reached its end date" in sent
    assert leaked(box) == []


def sent_to(box: Sandbox, user: str) -> str:
    """Every message the app posted or changed in the person's DM, and every answer only they
    could see."""
    dm = box.double.dm_channel(user)
    double = box.double
    parts = [
        json.dumps(call.args, ensure_ascii=False)
        for call in double.calls
        if call.method.startswith("chat.") and call.args.get("channel") in (user, dm)
    ]
    parts += [
        json.dumps(body, ensure_ascii=False)
        for url, body in double.response_posts
        if double.response_url_user(url) == user
    ]
    return "\n".join(parts)


async def test_choosing_a_mentor_shows_only_what_the_mentor_chose_to_show(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    """A mentee choosing sees what a mentor wrote to be seen (their skills, what they bring),
    never their level or line manager, and never that a mentor declined; the lead sees who is
    still choosing, never what either wrote."""
    box = sandbox
    shown = {Field.SKILLS: "Short video editing", Field.GOALS: "Show how juniors learn"}
    await create_programme(box, LEAD, **CHOOSE)
    await open_enrolment(box, LEAD, GENERAL)
    await sign_up(box, MENTOR, **shown, **{Field.LINE_MANAGER: OUTSIDER, Field.GRADE: "2"})
    mentee = {Field.ROLE: "mentee", Field.GRADE: "6", Field.GOALS: "Rebuild trust at night"}
    await sign_up(box, EXEC, **mentee)
    await box.command(LEAD, Command.ADMIN, "close")
    await deliver(box, clock)
    await asking(box, EXEC, await suggestions(box, EXEC), "Mia Mentor")
    await deliver(box, clock)
    declining = [m for m in box.dms(MENTOR) if "would like you" in m["text"]][-1]
    await box.press(MENTOR, declining, Action.DECLINE_REQUEST)
    await deliver(box, clock)
    await suggestions(box, EXEC)
    await box.command(LEAD, Command.ADMIN, "match")

    to_mentee = sent_to(box, EXEC)
    assert all(words in to_mentee for words in shown.values())  # what Mia chose to show
    assert OUTSIDER not in to_mentee and GRADE_LEVELS[2] not in to_mentee
    assert "declin" not in to_mentee.lower()
    to_lead = sent_to(box, LEAD)
    assert "Still without a partner (1): Eve Exec." in to_lead
    assert not any(words in to_lead for words in (*shown.values(), mentee[Field.GOALS]))


async def test_balance_answers_and_drift_tips_reach_only_their_reader(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    """Two sessions in which Eve says she did most of the teaching and Mia that it was even:
    neither's answer reaches the other, the group DM or a lead; Mia's tip never reaches Eve,
    Eve's reminder never reaches Mia; the lead's report and Home show no answer and no pair."""
    box = sandbox
    await agree(box, await play(box, clock, confirm_pairs))
    for day in ("01-20", "02-03"):
        await session(box, clock, day)
        await answer(box, clock, MENTOR, day, "About even")
        await answer(box, clock, EXEC, day, "Mostly me")
    for words in ("", "pairs", "report"):
        await box.command(LEAD, Command.ADMIN, words)
    await box.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})

    to_mia, to_eve, to_lead = sent_to(box, MENTOR), sent_to(box, EXEC), sent_to(box, LEAD)
    homes = box.double.calls_to("views.publish")
    to_lead += json.dumps([c.args for c in homes if c.args["user_id"] == LEAD])
    mias, eves = "Your answer: *About even*", "Your answer: *Mostly me*"
    tip, reminder = "A coaching tip for your sessions", "A reminder of the roles in your sessions"
    assert mias in to_mia and tip in to_mia  # without these the rest would prove nothing
    assert eves in to_eve and reminder in to_eve
    assert eves not in to_mia and reminder not in to_mia
    assert mias not in to_eve and tip not in to_eve
    group = json.dumps(box.double.messages(channel_of(box, MENTOR, EXEC)), ensure_ascii=False)
    assert "teaching" not in group and "Your answer" not in group
    assert "Drifting back to the hierarchy:* not enough pairs answered yet" in to_lead
    for private in ("Your answer", "teaching", "Mostly me", "About even", tip, reminder):
        assert private not in to_lead, private
    csv = next(f for f in box.double.state.files.values() if f["name"].endswith("-pairs.csv"))
    assert b"drift" not in csv["content"].lower() and b"even" not in csv["content"].lower()


async def test_the_sponsor_digest_carries_figures_and_nobody_s_words_or_names(
    full: Sandbox, clock: FakeClock
) -> None:
    """The executive sponsor's monthly digests and final figures: counts and rates only, not a
    word anyone wrote, not a participant's name or mention."""
    box = full
    box.workspace.add_user(User(id=SPONSOR, name="sue", real_name="Sue Sponsor", tz="UTC"))
    await box.command(LEAD, Command.ADMIN, "leads")
    form = box.modal(LEAD)
    assert form is not None
    await box.submit(LEAD, form["id"], {Field.SPONSOR: [SPONSOR]})
    for day in ("03-01", "04-01", "07-01", "07-15"):
        await tick(box, clock, at(day, 12), "programmes", "deliver")
    to_sponsor = sent_to(box, SPONSOR)
    assert "your monthly digest" in to_sponsor and "its final figures" in to_sponsor
    assert not any(text in to_sponsor for text in SECRETS.values())
    async with box.db.transaction() as session:
        people = (
            await session.execute(text("SELECT user_id, display_name FROM participant"))
        ).all()
    assert people
    for user_id, name in people:
        assert user_id not in to_sponsor and name not in to_sponsor, name


async def test_a_lead_sees_how_many_finished_their_preparation_never_who(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    """Eve finishes her preparation, Ed and Flo do not: the lead's Home and report count the
    mentees who finished (three mentees reach the programme's smallest group), say nothing of
    the two mentors (too few to count without pointing at one), and name nobody."""
    box = sandbox
    await enrol_cohort(box, close=False, **{Field.LESSON_DAYS: "1", Field.BUDGET: "10"})
    async with box.db.transaction() as session:
        await session.execute(text("UPDATE programme SET min_survey_respondents = 3"))
    await tick(box, clock, at("01-05", 14), "resources", "deliver")  # after New York's night
    for day in ("01-06", "01-07", "01-08"):
        await tick(box, clock, at(day, 14), "resources", "deliver")
    assert len(lessons(box, EXEC)) == 4
    for lesson in lessons(box, EXEC):
        await mark_all(box, EXEC, lesson)
    assert all(done for _, done in await progress(box, EXEC))
    assert not any(done for _, done in await progress(box, EXEC2))

    box.double.response_posts.clear()
    box.double.clear_calls()
    for words in ("", "list", "report", "resources", "audit"):
        await box.command(LEAD, Command.ADMIN, words)
    await box.event({"type": "app_home_opened", "user": LEAD, "tab": "home"})
    sent = everything_sent(box)
    assert sent.count("Preparation finished: mentors: too few to show, mentees 1 of 3") >= 2
    people = (MENTOR, MENTOR2, EXEC, EXEC2, EXEC3)
    names = ("Mia Mentor", "Max Mentor", "Eve Exec", "Ed Exec", "Flo Exec")
    assert [who for who in (*people, *names) if who in sent] == []
