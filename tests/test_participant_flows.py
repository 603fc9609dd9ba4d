"""`/mentoring`, the Join button and shortcut, the sign-up modal, status, edit and leave."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select
from sqlalchemy.engine.interfaces import CacheStats

from bot.clock import FakeClock
from bot.ids import BASELINE_PREFIX, Action, Command, Field, Shortcut, View
from bot.models import (
    ObjectiveRating,
    Participant,
    ParticipantStatus,
    Personality,
    Programme,
    Role,
)
from bot.sandbox import Sandbox
from bot.views.admin import STALE_BUTTON
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, MENTOR2, watching
from tests.flows import create_programme, open_enrolment, replay_as, sign_up, signup_values
from tests.scenarios import play


async def participants(box: Sandbox) -> list[Participant]:
    async with box.db.transaction() as session:
        return list((await session.scalars(select(Participant).order_by(Participant.id))).all())


async def reach_enrolling(sandbox: Sandbox, clock: FakeClock) -> None:
    await create_programme(sandbox, LEAD)
    await open_enrolment(sandbox, LEAD, GENERAL)


@pytest.fixture
async def enrolling(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_enrolling)
    return sandbox


async def test_join_with_nothing_open_says_so(sandbox: Sandbox) -> None:
    await sandbox.command(MENTOR, Command.PARTICIPANT, "join")
    assert "No programme is open for enrolment" in sandbox.replies(MENTOR)[-1]["text"]
    assert sandbox.double.calls_to("views.open") == []


async def test_sign_up_saves_answers_with_time_zone_from_slack(enrolling: Sandbox) -> None:
    box = enrolling
    response = await box.command(MENTOR, Command.PARTICIPANT, "join")
    assert response.status == 200
    modal = box.modal(MENTOR)
    assert modal["callback_id"] == View.SIGNUP
    baseline_blocks = [
        b for b in modal["blocks"] if b.get("block_id", "").startswith(BASELINE_PREFIX)
    ]
    assert len(baseline_blocks) == 2  # one self-rating per objective

    values = signup_values(
        modal, **{Field.LINE_MANAGER: EXEC, Field.TOPICS: ["AI", "Social media"]}
    )
    response = await box.submit(MENTOR, modal["id"], values)
    assert response.status == 200 and response.json() is None

    [person] = await participants(box)
    assert (person.user_id, person.role, person.status) == (
        MENTOR,
        Role.MENTOR,
        ParticipantStatus.SIGNED_UP,
    )
    assert person.tz == "Europe/Berlin"  # from users.info, never asked
    assert person.display_name  # from users.info
    assert person.line_manager_id == EXEC
    assert person.topics == ["AI", "Social media"]
    assert person.personality == Personality.EXTROVERT
    async with box.db.transaction() as session:
        ratings = (await session.scalars(select(ObjectiveRating.rating))).all()
    assert list(ratings) == [3, 3]
    # The confirmation at once, then the starter set of the mentors' safe space from the outbox.
    assert "You're signed up" in box.last_dm(MENTOR)
    await box.run_job("deliver")
    assert "You're signed up" in box.dms(MENTOR)[-2]["text"]
    assert box.last_dm(MENTOR).startswith("Welcome to")
    home = box.double.home_view(MENTOR)
    assert home is not None and "Digital cohort" in json.dumps(home["blocks"])


async def test_a_first_sign_up_keeps_to_its_statement_budget(enrolling: Sandbox) -> None:
    """Every statement is a round trip to the database: a first sign-up (its replay claim,
    the save with the starter set queued, the Home claimed, paced, built and marked sent)
    keeps to its budget, so a change that adds one shows here."""
    box = enrolling
    await box.command(MENTOR, Command.PARTICIPANT, "join")
    modal = box.modal(MENTOR)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE: PostgreSQL's is not
            statements.append(statement)  # seen here either

    with watching(box.db, "before_cursor_execute", record):
        await box.submit(MENTOR, modal["id"], signup_values(modal))
    assert len(statements) <= 17, statements
    await box.run_job("deliver")
    assert box.last_dm(MENTOR).startswith("Welcome to")  # the starter set had what it needed
    assert "Digital cohort" in json.dumps(box.double.home_view(MENTOR)["blocks"])


async def test_a_sign_up_and_its_starter_set_run_no_statement_compiled_on_every_call(
    enrolling: Sandbox,
) -> None:
    """SQLAlchemy compiles a statement once per engine only when it has a cache key; one
    without (a multi-row VALUES, say) is compiled again on every call, which cost each Slack
    call's pace a third of a millisecond."""
    box = enrolling
    await box.command(MENTOR, Command.PARTICIPANT, "join")
    modal = box.modal(MENTOR)
    compiled_again: list[str] = []

    def record(_c: object, _cur: object, statement: str, _p: object, context, _m: bool) -> None:
        each_time = context.compiled is not None and context.cache_hit is CacheStats.NO_CACHE_KEY
        # A savepoint's few words are compiled as they come; nothing else should be.
        if each_time and not statement.startswith(("SAVEPOINT", "RELEASE")):
            compiled_again.append(statement)

    with watching(box.db, "after_cursor_execute", record):
        await box.submit(MENTOR, modal["id"], signup_values(modal))
        await box.run_job("deliver")
    assert box.last_dm(MENTOR).startswith("Welcome to")
    assert compiled_again == []


async def test_signing_up_twice_updates_and_never_duplicates(enrolling: Sandbox) -> None:
    box = enrolling
    await sign_up(box, MENTOR)
    await sign_up(box, MENTOR, **{Field.DEPARTMENT: "Finance"})
    [person] = await participants(box)
    assert person.department == "Finance"
    assert "updated" in box.last_dm(MENTOR)
    async with box.db.transaction() as session:
        assert len((await session.scalars(select(ObjectiveRating))).all()) == 2


async def test_edit_prefills_the_previous_answers(enrolling: Sandbox) -> None:
    box = enrolling
    await sign_up(
        box, EXEC, **{Field.ROLE: "mentee", Field.GRADE: "7", Field.GOALS: "Learn TikTok"}
    )
    await box.command(EXEC, Command.PARTICIPANT, "edit")
    modal = box.modal(EXEC)
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert blocks[Field.ROLE]["element"]["initial_option"]["value"] == "mentee"
    assert blocks[Field.GRADE]["element"]["initial_option"]["value"] == "7"
    assert blocks[Field.GOALS]["element"]["initial_value"] == "Learn TikTok"
    # Submitting the prefilled form unchanged (consent must be given again) keeps everything.
    await box.submit(EXEC, modal["id"], {Field.CONSENT: ["accepted"]})
    [person] = await participants(box)
    assert (person.role, person.grade_level, person.goals) == (Role.MENTEE, 7, "Learn TikTok")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({Field.LINE_MANAGER: MENTOR}, Field.LINE_MANAGER),
        ({Field.DEPARTMENT: "   "}, Field.DEPARTMENT),
        ({Field.GOALS: " "}, Field.GOALS),
    ],
)
async def test_bad_answers_are_field_errors_and_nothing_is_saved(
    enrolling: Sandbox, overrides: dict, field: str
) -> None:
    box = enrolling
    response = await sign_up(box, MENTOR, **overrides)
    body = response.json()
    assert body["response_action"] == "errors" and field in body["errors"]
    assert await participants(box) == []
    assert box.modal(MENTOR) is not None


async def test_a_stale_form_after_enrolment_closed_is_refused(enrolling: Sandbox) -> None:
    box = enrolling
    await box.command(MENTOR, Command.PARTICIPANT, "join")
    modal = box.modal(MENTOR)
    await box.command(LEAD, Command.ADMIN, "close")
    response = await box.submit(MENTOR, modal["id"], signup_values(modal))
    assert "closed" in response.json()["errors"][Field.ROLE]
    assert await participants(box) == []
    await box.command(MENTOR, Command.PARTICIPANT, "join")
    assert "No programme is open" in box.replies(MENTOR)[-1]["text"]


async def test_a_forged_programme_id_is_refused(enrolling: Sandbox) -> None:
    box = enrolling
    await box.command(MENTOR, Command.PARTICIPANT, "join")
    modal = box.modal(MENTOR)
    box.double.views[modal["id"]]["private_metadata"] = json.dumps({"programme_id": 999})
    response = await box.submit(MENTOR, modal["id"], signup_values(modal))
    assert response.json()["response_action"] == "errors"
    assert await participants(box) == []


async def test_several_open_programmes_get_a_picker_first(enrolling: Sandbox) -> None:
    box = enrolling
    await create_programme(box, LEAD, **{Field.NAME: "D&I cohort", Field.TOPICS: "D&I"})
    await open_enrolment(box, LEAD, GENERAL, "D&I cohort")
    await box.command(MENTOR, Command.PARTICIPANT, "join")
    picker = box.modal(MENTOR)
    assert picker["callback_id"] == View.SIGNUP_PICK
    async with box.db.transaction() as session:
        second = await session.scalar(select(Programme).where(Programme.name == "D&I cohort"))
    response = await box.submit(MENTOR, picker["id"], {Field.PROGRAMME: str(second.id)})
    assert response.json()["response_action"] == "update"
    form = box.modal(MENTOR)
    assert form["callback_id"] == View.SIGNUP
    await box.submit(MENTOR, form["id"], signup_values(form, **{Field.TOPICS: ["D&I"]}))
    [person] = await participants(box)
    assert person.programme_id == second.id


async def test_the_join_button_in_the_announcement_opens_the_form(enrolling: Sandbox) -> None:
    box = enrolling
    [announcement] = box.double.messages(GENERAL)
    join = announcement["blocks"][2]["elements"][0]
    await box.click(
        MENTOR2, Action.JOIN, join["value"], message={"channel": GENERAL, "ts": announcement["ts"]}
    )
    modal = box.modal(MENTOR2)
    assert modal["callback_id"] == View.SIGNUP
    await box.submit(MENTOR2, modal["id"], signup_values(modal))
    [person] = await participants(box)
    assert person.tz == "Asia/Singapore"


async def test_the_join_button_after_the_deadline_answers_politely(
    enrolling: Sandbox, clock
) -> None:
    box = enrolling
    [announcement] = box.double.messages(GENERAL)
    clock.advance(days=30)  # past the enrolment deadline
    await box.press(MENTOR2, announcement, Action.JOIN)
    assert box.modal(MENTOR2) is None
    assert "is closed" in box.last_ephemeral(MENTOR2)["text"]


async def test_the_global_shortcut_opens_the_form(enrolling: Sandbox) -> None:
    await enrolling.shortcut(MENTOR, Shortcut.JOIN)
    assert enrolling.modal(MENTOR)["callback_id"] == View.SIGNUP


async def test_status_shows_where_they_stand(enrolling: Sandbox) -> None:
    box = enrolling
    await box.command(MENTOR, Command.PARTICIPANT, "status")
    assert "haven't joined" in json.dumps(box.replies(MENTOR)[-1]["blocks"])
    await sign_up(box, MENTOR)
    await box.command(MENTOR, Command.PARTICIPANT, "status")
    text = json.dumps(box.replies(MENTOR)[-1]["blocks"])
    assert "Digital cohort" in text and "mentor" in text and "waiting for matching" in text


async def test_leave_asks_first_then_withdraws(enrolling: Sandbox) -> None:
    box = enrolling
    await sign_up(box, MENTOR)
    await box.command(MENTOR, Command.PARTICIPANT, "leave")
    first = box.last_ephemeral(MENTOR)
    await box.command(MENTOR, Command.PARTICIPANT, "leave")
    second = box.last_ephemeral(MENTOR)
    [person] = await participants(box)
    assert person.status == ParticipantStatus.SIGNED_UP  # asking changes nothing

    await box.press(MENTOR, first, Action.LEAVE_CONFIRM)
    [person] = await participants(box)
    assert person.status == ParticipantStatus.WITHDRAWN and person.withdrawn_at is not None
    assert "You've left" in first["text"]  # the confirmation is replaced by the outcome
    # The other, now stale, confirmation changes nothing and says why.
    await box.press(MENTOR, second, Action.LEAVE_CONFIRM)
    assert "already left" in second["text"]


async def test_a_button_whose_value_was_tampered_with_changes_nothing(
    enrolling: Sandbox,
) -> None:
    """A participant's button answers a value that names nothing with the stale-button line,
    and one naming a programme the person is not in with what the rules say; neither acts."""
    box = enrolling
    await sign_up(box, MENTOR)

    async def press_with(value: str) -> str:
        await box.command(MENTOR, Command.PARTICIPANT, "leave")
        shown = box.last_ephemeral(MENTOR)
        [confirm] = [
            b["accessory"]["action_id"]
            for b in shown["blocks"]
            if str((b.get("accessory") or {}).get("action_id", "")).startswith(Action.LEAVE_CONFIRM)
        ]
        at = {"channel": shown["channel"], "ts": shown["ts"]}
        await box.click(MENTOR, confirm, value, message=at)
        return str(box.replies(MENTOR)[-1]["text"])

    assert await press_with("not-an-id") == STALE_BUTTON
    refused = await press_with("987654")
    assert refused == "You are not signed up to that programme."
    [person] = await participants(box)
    assert person.status == ParticipantStatus.SIGNED_UP


async def test_keep_me_in_changes_nothing(enrolling: Sandbox) -> None:
    box = enrolling
    await sign_up(box, MENTOR)
    await box.command(MENTOR, Command.PARTICIPANT, "leave")
    await box.press(MENTOR, box.last_ephemeral(MENTOR), Action.LEAVE_CANCEL)
    [person] = await participants(box)
    assert person.status == ParticipantStatus.SIGNED_UP
    assert "staying in" in box.last_ephemeral(MENTOR)["text"]


async def test_someone_cannot_withdraw_another_person(enrolling: Sandbox) -> None:
    box = enrolling
    await sign_up(box, MENTOR)
    await box.command(MENTOR, Command.PARTICIPANT, "leave")
    confirmation = box.last_ephemeral(MENTOR)
    # MENTOR2 replays MENTOR's button: it only ever acts for whoever pressed it.
    button = confirmation["blocks"][0]["accessory"]
    where = {"channel": confirmation["channel"], "ts": confirmation["ts"]}
    mine = await box.signer.block_action(MENTOR, button["action_id"], message=where)
    await box.settle()
    [person] = await participants(box)
    assert person.status == ParticipantStatus.WITHDRAWN
    await sign_up(box, MENTOR)
    await replay_as(box, mine, MENTOR2)
    [person] = await participants(box)
    assert person.status == ParticipantStatus.SIGNED_UP
    assert "not signed up" in box.double.response_posts[-1][1]["text"]


async def test_help_and_unknown_words(sandbox: Sandbox) -> None:
    response = await sandbox.command(MENTOR, Command.PARTICIPANT, "")
    assert "`join`" in response.text  # answered in the acknowledgement itself
    response = await sandbox.command(MENTOR, Command.PARTICIPANT, "dance")
    assert "I don't know `/mentoring dance`" in response.text


async def test_home_for_a_lead_counts_sign_ups_by_role(enrolling: Sandbox) -> None:
    box = enrolling
    await sign_up(box, MENTOR)
    await sign_up(box, MENTOR2)
    await sign_up(box, EXEC, **{Field.ROLE: "mentee", Field.GRADE: "7"})
    await box.event({"type": "app_home_opened", "user": LEAD, "channel": "D0LEAD", "tab": "home"})
    home = json.dumps(box.double.home_view(LEAD)["blocks"], ensure_ascii=False)
    assert "2 mentors · 1 mentees signed up" in home
    await box.event({"type": "app_home_opened", "user": MENTOR, "channel": "D0M", "tab": "home"})
    mentor_home = json.dumps(box.double.home_view(MENTOR)["blocks"])
    assert "Digital cohort" in mentor_home and "Programmes you can run" not in mentor_home


async def test_a_failure_after_ack_reaches_the_user_briefly_and_the_log_fully(
    enrolling: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    box = enrolling
    box.double.fail_next("views.open", error="internal_error")
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        await box.command(MENTOR, Command.PARTICIPANT, "join")
    assert "something went wrong" in box.last_dm(MENTOR)
    [record] = [r for r in caplog.records if r.name == "bot.errors"]
    assert record.exc_info is not None
