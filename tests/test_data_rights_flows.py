"""`/mentoring mydata`: a participant gets their own data as a file in their DM: their answers,
their pair's shared notes and their own private notes, never their partner's private note.
`/mentoring delete` erases every word they typed, in every table, and keeps their partner's."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db import Base
from bot.ids import Action, Command, Field, View
from bot.models import (
    ActionItem,
    Agreement,
    Pair,
    PairStatus,
    Participant,
    PrivateNote,
    SessionLog,
)
from bot.sandbox import Sandbox
from bot.sandbox.double import User
from tests.conftest import EXEC, GENERAL, LEAD, MENTOR, OUTSIDER
from tests.flows import (
    agree,
    channel_of,
    close_enrolment,
    confirm_pairs,
    create_programme,
    last_message,
    open_agreement,
    open_enrolment,
    preview,
    replay_as,
    sign_up,
)
from tests.scenarios import play
from tests.test_chemistry_flows import accept
from tests.test_concern_flows import reply_to, seen_by
from tests.test_momentum_flows import at, tick
from tests.test_pair_work_flows import log_session
from tests.test_survey_flows import PULSE, open_survey

MINE = "I was nervous about the first session"
THEIRS = "My mentor talks too fast"
SHARED = "Try the prompt library together"
ACTION_BY_MIA = "Send Eve the prompt library"


async def reach_noted(sandbox: Sandbox, clock: FakeClock) -> None:
    box = sandbox
    await agree(box, await play(box, clock, confirm_pairs))
    clock.set(at("01-20", 12))
    await log_session(
        box,
        MENTOR,
        **{
            Field.HELD_ON: "2026-01-20",
            Field.GOAL: SHARED,
            Field.PRIVATE_NOTE: MINE,
            "action_0_text": ACTION_BY_MIA,
        },
    )
    await log_session(
        box, EXEC, **{Field.HELD_ON: "2026-01-20", Field.GOAL: "", Field.PRIVATE_NOTE: THEIRS}
    )


@pytest.fixture
async def noted(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_noted)
    return sandbox


def exported(box: Sandbox, user: str) -> dict:
    files = [f for f in box.double.state.files.values() if f["name"].startswith("my-mentoring")]
    assert len(files) == 1 and files[0]["channels"] == [box.double.dm_channel(user)]
    return json.loads(files[0]["content"])


async def test_my_data_holds_mine_and_not_my_partners_private_note(noted: Sandbox) -> None:
    box = noted
    await box.command(MENTOR, Command.PARTICIPANT, "concern")
    concern = box.modal(MENTOR)
    assert concern is not None
    await box.submit(MENTOR, concern["id"], {Field.CONCERN_TEXT: "Sessions keep moving"})
    await box.command(MENTOR, Command.PARTICIPANT, "mydata")
    assert "Your data is in your DM" in box.replies(MENTOR)[-1]["text"]
    data = exported(box, MENTOR)
    (programme,) = data["programmes"]
    assert programme["programme"] == "Digital cohort"
    assert programme["sign_up"]["role"] == "mentor"
    assert programme["sign_up"]["goals"]
    (pair,) = programme["pairs"]
    assert pair["partner"] == "Eve Exec"
    (held,) = pair["sessions"]
    assert held["notes_shared_with_the_pair"]["goal"] == SHARED
    assert held["my_private_note"] == MINE
    assert THEIRS not in json.dumps(data)
    (concern,) = programme["concerns"]
    assert concern["messages"][0]["text"] == "Sessions keep moving"
    assert "Survey answers" in data["not_included"]


async def test_someone_with_no_data_is_told_so(noted: Sandbox) -> None:
    box = noted
    await box.command(OUTSIDER, Command.PARTICIPANT, "mydata")
    assert box.replies(OUTSIDER)[-1]["text"].startswith("Nothing is stored about you")
    uploads = box.double.calls_to("files.getUploadURLExternal")
    # (The pairs' calendar files are all that was uploaded.)
    assert [c for c in uploads if not c.args["filename"].endswith(".ics")] == []


async def test_delete_asks_first_then_erases_mine_and_keeps_my_partners(
    noted: Sandbox, clock: FakeClock
) -> None:
    box = noted
    clock.set(at("01-27", 12))
    await log_session(
        box,
        EXEC,
        **{
            Field.HELD_ON: "2026-01-27",
            Field.GOAL: "Eve's own agenda",
            "action_0_text": "Eve's action",
            "action_0_due": "2026-03-01",
        },
    )
    await box.command(MENTOR, Command.PARTICIPANT, "delete")
    asked = box.last_ephemeral(MENTOR)
    assert "cannot be undone" in str(asked["blocks"])
    async with box.db.transaction() as session:
        assert await session.scalar(select(Participant).where(Participant.user_id == MENTOR))

    pressed = await box.press(MENTOR, asked, Action.ERASE_CONFIRM)
    assert box.replies(MENTOR)[-1]["text"].startswith("Your data is erased")
    assert "left" in box.last_dm(EXEC)  # the partner hears the pairing ended
    async with box.db.transaction() as session:
        assert (
            await session.scalar(select(Participant).where(Participant.user_id == MENTOR)) is None
        )
        erased = await session.scalar(
            select(Participant).where(Participant.display_name == "Erased participant")
        )
        assert erased is not None and erased.goals == "" and erased.department == ""
        notes = list(await session.scalars(select(PrivateNote.text)))
        goals = {s.held_on.isoformat(): s.goal for s in await session.scalars(select(SessionLog))}
        actions = list(await session.scalars(select(ActionItem.text)))
        pair = await session.scalar(select(Pair).where(Pair.mentor_id == erased.id))
    assert THEIRS in notes and MINE not in notes  # Eve's private notes stay, Mia's goes
    assert goals == {"2026-01-20": "", "2026-01-27": "Eve's own agenda"}
    assert "Eve's action" in actions and ACTION_BY_MIA not in actions
    assert pair is not None and pair.status == PairStatus.DISSOLVED

    # The same press delivered again (a double click) finds nothing left to erase.
    await replay_as(box, pressed, MENTOR)
    assert box.replies(MENTOR)[-1]["text"] == "Nothing is stored about you."
    await box.command(MENTOR, Command.PARTICIPANT, "mydata")
    assert box.replies(MENTOR)[-1]["text"].startswith("Nothing is stored about you")


async def test_keeping_my_data_changes_nothing(noted: Sandbox) -> None:
    box = noted
    await box.command(MENTOR, Command.PARTICIPANT, "delete")
    await box.press(MENTOR, box.last_ephemeral(MENTOR), Action.ERASE_CANCEL)
    assert box.replies(MENTOR)[-1]["text"] == "Nothing is erased."
    async with box.db.transaction() as session:
        assert await session.scalar(select(Participant).where(Participant.user_id == MENTOR))


# --- Every field a person can type, then erasure -----------------------------------------

FIELDS = (
    "department",
    "skills",
    "sign-up goals",
    "meeting note",
    "decline reason",
    "own agreement goals",
    "goals typed for the partner",
    "goal",
    "reality",
    "options",
    "will",
    "reality on a day the partner logged first",
    "private note",
    "action",
    "other topic",
    "survey comment",
    "concern",
    "concern reply",
    "story title",
    "story text",
)
MIA = {name: f"Mia typed {name} zq1" for name in FIELDS}
FLO = {
    name: f"Flo typed {name} zq2"
    for name in (
        "department",
        "skills",
        "sign-up goals",
        "meeting note",
        "own agreement goals",
        "goals typed for the partner",
        "will replacing Mia's",
        "goal on a day she logged first",
        "private note",
        "action",
        "other topic",
        "survey comment",
    )
}
EVE = {name: f"Eve typed {name} zq3" for name in ("department", "skills", "sign-up goals")}
EVE["meeting note"] = "Eve typed meeting note zq3"
LEADS = {"concern reply": "Lee typed a concern reply zq4"}
FLO_ID = "U0FLO"


def answers(words: dict[str, str]) -> dict[str, str]:
    return {
        Field.DEPARTMENT: words["department"],
        Field.SKILLS: words["skills"],
        Field.GOALS: words["sign-up goals"],
    }


async def propose_times(box: Sandbox, user: str, message: dict, action: str, **values) -> None:
    await box.press(user, message, action)
    modal = box.modal(user)
    assert modal is not None and modal["callback_id"] == View.CHEMISTRY_TIMES
    await box.submit(user, modal["id"], values)


async def change_agreement(box: Sandbox, channel: str, user: str, **values: str) -> None:
    await box.press(user, last_message(box, channel), Action.AGREEMENT_CHANGE)
    modal = box.modal(user)
    assert modal is not None
    await box.submit(user, modal["id"], values)


async def confirm_agreement(box: Sandbox, channel: str, user: str) -> None:
    await box.press(user, last_message(box, channel), Action.AGREEMENT_CONFIRM)
    assert "is confirmed" in last_message(box, channel)["text"]


async def reach_typed_everywhere(sandbox: Sandbox, clock: FakeClock) -> None:
    """Mia (mentor) types a marker into every field she can: sign-up, a meeting note and a
    "not for me" reason with Eve, then with Flo agreement goals on both sides, session notes
    (on a day she logged first and on one Flo did), topics, a private note, an action, a
    survey comment, a concern and its reply, and a story. Flo and Eve type their own."""
    box = sandbox
    box.workspace.add_user(User(id=FLO_ID, name="flo", real_name="Flo Exec", tz="UTC"))
    await create_programme(box, LEAD)
    await open_enrolment(box, LEAD, GENERAL)
    mentee = {Field.ROLE: "mentee", Field.PERSONALITY: "introvert"}
    await sign_up(box, MENTOR, **{Field.TOPICS: ["AI"], **answers(MIA)})
    await sign_up(box, EXEC, **mentee, **{Field.GRADE: "6", Field.TOPICS: ["AI"], **answers(EVE)})
    await sign_up(
        box,
        FLO_ID,
        **mentee,
        **{Field.GRADE: "7", Field.TOPICS: ["Hybrid working"], **answers(FLO)},
    )
    await close_enrolment(box, LEAD)
    await box.command(LEAD, Command.ADMIN, "match")
    await box.press(LEAD, preview(box), Action.APPROVE_MATCH)

    # Mia and Eve: each proposes times with a note; after meeting, Mia says "not for me".
    with_eve = channel_of(box, MENTOR, EXEC)
    thursday = int(datetime(2026, 1, 8, 15, tzinfo=UTC).timestamp())
    await propose_times(
        box,
        EXEC,
        last_message(box, with_eve),
        Action.REQUEST_CHEMISTRY,
        **{Field.TIME_1: thursday - 3600, Field.NOTE: EVE["meeting note"]},
    )
    await propose_times(
        box,
        MENTOR,
        last_message(box, with_eve),
        Action.OTHER_TIMES,
        **{Field.TIME_1: thursday, Field.NOTE: MIA["meeting note"]},
    )
    await accept(box, with_eve, EXEC, 0)
    clock.set(datetime(2026, 1, 8, 15, 31, tzinfo=UTC))
    box.double.deliver_scheduled()
    await box.press(MENTOR, box.dms(MENTOR)[-1], Action.NOT_FOR_ME)
    modal = box.modal(MENTOR)
    assert modal is not None
    await box.submit(MENTOR, modal["id"], {Field.REASON: MIA["decline reason"]})

    # Mia and Flo: Flo's times and note, both say go.
    await box.command(LEAD, Command.ADMIN, "rematch")
    await box.press(LEAD, preview(box), Action.APPROVE_MATCH)
    with_flo = channel_of(box, MENTOR, FLO_ID)
    friday = int(datetime(2026, 1, 9, 15, tzinfo=UTC).timestamp())
    await propose_times(
        box,
        FLO_ID,
        last_message(box, with_flo),
        Action.REQUEST_CHEMISTRY,
        **{Field.TIME_1: friday, Field.NOTE: FLO["meeting note"]},
    )
    await accept(box, with_flo, MENTOR, 0)
    clock.set(datetime(2026, 1, 9, 15, 31, tzinfo=UTC))
    box.double.deliver_scheduled()
    for user in (MENTOR, FLO_ID):
        await box.press(user, box.dms(user)[-1], Action.GO)

    # The agreement: Flo writes her side (Mia's is her sign-up goals); Mia rewrites both
    # sides; Flo rewrites Mia's side and leaves her own as Mia wrote it.
    modal = await open_agreement(box, with_flo, FLO_ID)
    await box.submit(FLO_ID, modal["id"], {Field.MENTEE_GOALS: FLO["own agreement goals"]})
    await confirm_agreement(box, with_flo, MENTOR)
    await change_agreement(
        box,
        with_flo,
        MENTOR,
        **{
            Field.MENTOR_GOALS: MIA["own agreement goals"],
            Field.MENTEE_GOALS: MIA["goals typed for the partner"],
        },
    )
    await confirm_agreement(box, with_flo, FLO_ID)
    await change_agreement(
        box, with_flo, FLO_ID, **{Field.MENTOR_GOALS: FLO["goals typed for the partner"]}
    )
    await confirm_agreement(box, with_flo, MENTOR)

    # Sessions: Mia logs 20 Jan first and Flo replaces her "will"; Flo logs 27 Jan first.
    nothing = {Field.GOAL: "", Field.PRIVATE_NOTE: "", "action_0_text": ""}
    clock.set(at("01-20", 12))
    await log_session(
        box,
        MENTOR,
        **{
            Field.HELD_ON: "2026-01-20",
            Field.GOAL: MIA["goal"],
            Field.REALITY: MIA["reality"],
            Field.OPTIONS: MIA["options"],
            Field.WILL: MIA["will"],
            Field.PRIVATE_NOTE: MIA["private note"],
            Field.OTHER_TOPICS: f"{MIA['other topic']}, Shared word zq5",
            "action_0_text": MIA["action"],
        },
    )
    await log_session(
        box,
        FLO_ID,
        **{
            **nothing,
            Field.HELD_ON: "2026-01-20",
            Field.WILL: FLO["will replacing Mia's"],
            Field.PRIVATE_NOTE: FLO["private note"],
            Field.OTHER_TOPICS: f"{FLO['other topic']}, Shared word zq5",
            "action_0_text": FLO["action"],
        },
    )
    clock.set(at("01-27", 12))
    await log_session(
        box,
        FLO_ID,
        **{
            **nothing,
            Field.HELD_ON: "2026-01-27",
            Field.GOAL: FLO["goal on a day she logged first"],
        },
    )
    await log_session(
        box,
        MENTOR,
        **{
            **nothing,
            Field.HELD_ON: "2026-01-27",
            Field.REALITY: MIA["reality on a day the partner logged first"],
        },
    )

    # A pulse survey each, Mia's concern and her answer to the lead, her story.
    await tick(box, clock, at("03-01", 14), "surveys", "deliver")
    for user, words in ((MENTOR, MIA), (FLO_ID, FLO)):
        modal = await open_survey(box, user)
        await box.submit(user, modal["id"], {**PULSE, Field.COMMENT: words["survey comment"]})
    await box.command(MENTOR, Command.PARTICIPANT, "concern")
    modal = box.modal(MENTOR)
    assert modal is not None
    await box.submit(MENTOR, modal["id"], {Field.CONCERN_TEXT: MIA["concern"]})
    (to_lead,) = seen_by(box, LEAD, MIA["concern"])
    await reply_to(box, LEAD, to_lead, LEADS["concern reply"])
    (answer,) = seen_by(box, MENTOR, LEADS["concern reply"])
    await reply_to(box, MENTOR, answer, MIA["concern reply"])
    await box.command(MENTOR, Command.PARTICIPANT, "story")
    modal = box.modal(MENTOR)
    assert modal is not None
    await box.submit(
        MENTOR,
        modal["id"],
        {
            Field.STORY_TITLE: MIA["story title"],
            Field.STORY_TEXT: MIA["story text"],
            Field.CONSENT: ["share"],
        },
    )


@pytest.fixture
async def typed_everywhere(sandbox: Sandbox, clock: FakeClock) -> Sandbox:
    await play(sandbox, clock, reach_typed_everywhere)
    return sandbox


async def found_in_database(box: Sandbox, words: dict[str, str]) -> set[tuple[str, str]]:
    """Each of the words found anywhere in any table, with the `table.column` holding it."""
    found = set()
    async with box.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    stored = value if isinstance(value, str) else json.dumps(value, default=str)
                    found |= {
                        (name, f"{table.name}.{column}")
                        for name, marker in words.items()
                        if marker in stored
                    }
    return found


def names(found: set[tuple[str, str]]) -> set[str]:
    return {name for name, _ in found}


async def test_erasure_leaves_none_of_my_words_in_any_table_and_all_of_my_partners(
    typed_everywhere: Sandbox,
) -> None:
    box = typed_everywhere
    others = {
        **{f"Flo's {k}": v for k, v in FLO.items()},
        "Eve's meeting note": EVE["meeting note"],
    }
    # Every field was stored (but Mia's "will": the second to log a day replaces a note).
    assert names(await found_in_database(box, MIA)) == set(MIA) - {"will"}
    assert names(await found_in_database(box, others)) == set(others)

    await box.command(MENTOR, Command.PARTICIPANT, "delete")
    await box.press(MENTOR, box.last_ephemeral(MENTOR), Action.ERASE_CONFIRM)
    assert box.replies(MENTOR)[-1]["text"].startswith("Your data is erased")

    # Survey answers carry no link to anyone, so erasure cannot tell which one is Mia's;
    # they go with the purge after the programme closes.
    assert await found_in_database(box, MIA) == {("survey comment", "survey_response.comment")}
    assert names(await found_in_database(box, others)) == set(others)
    async with box.db.transaction() as session:
        goals = [
            (a.mentor_goals, a.mentee_goals)
            for a in await session.scalars(select(Agreement).order_by(Agreement.version))
        ]
        topics = [
            " ".join(t) for t in await session.scalars(select(SessionLog.topics))
        ]  # picked from the programme's list: nobody's own words
    assert goals == [
        ("", FLO["own agreement goals"]),
        ("", ""),
        (FLO["goals typed for the partner"], ""),
    ]
    assert all("zq" not in t for t in topics)
    # A topic both typed is Flo's word too, so it stays.
    assert ("shared", "session_topic.topic") in await found_in_database(
        box, {"shared": "Shared word zq5"}
    )
