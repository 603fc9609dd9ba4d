"""Every view builder stays inside Slack's Block Kit limits, even for the largest inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.models import (
    Medium,
    Objective,
    ObjectiveRating,
    Participant,
    ParticipantStatus,
    Personality,
    Programme,
    ProgrammeStatus,
    RatingPhase,
    Role,
    Taught,
)
from bot.sandbox.double.block_kit import check_message_blocks, check_view
from bot.services.balance import Answered
from bot.services.programmes import ProgrammeSummary
from bot.services.signup import Participation
from bot.views import balance
from bot.views.admin import programme_list
from bot.views.enrolment import announcement, close_chooser, open_enrolment_modal
from bot.views.home import home_view
from bot.views.programme_setup import leads_modal, setup_modal
from bot.views.signup import leave_confirmation, picker_modal, signup_modal, status_message
from bot.views.sponsor import final_digest, monthly_digest

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def big_programme(number: int = 1) -> Programme:
    programme = Programme(
        id=number,
        name=f"{'Cohort ' * 10}{number}"[:80],
        description="d" * 3000,
        topics=[f"{i:02d} " + "t" * 57 for i in range(25)],
        ground_rules="g" * 3000,
        sessions_planned=52,
        cadence_days=90,
        session_minutes=480,
        default_medium=Medium.VIDEO,
        status=ProgrammeStatus.ENROLLING,
        enrolment_deadline=date(2026, 1, 20),
        starts_on=date(2026, 2, 1),
        midpoint_on=date(2026, 4, 1),
        ends_on=date(2026, 7, 1),
    )
    programme.objectives = [
        Objective(id=i, position=i, title="o" * 150, measure="m" * 150) for i in range(5)
    ]
    return programme


def assert_modal_ok(view: dict) -> None:
    assert check_view(view, allowed_types=("modal",)) == []
    View(**view).validate_json()


def test_setup_modal() -> None:
    assert_modal_ok(setup_modal(today=date(2026, 1, 5)))


def test_leads_modal_with_its_sponsor() -> None:
    co_leads = tuple(f"U{i:08d}" for i in range(9))
    assert_modal_ok(leads_modal(1, "n" * 80, co_leads, "U0SPONSOR"))


def test_the_sponsor_digest_for_the_largest_programme() -> None:
    """Five objectives of the longest titles, ten leads, every figure shown."""
    uplift = {"measure": "m" * 150, "respondents": 999, "baseline": 2.5, "later": 4.25}
    params = {
        "programme_id": 1,
        "programme": "n" * 80,
        "period": "2026-03",
        "leads": [f"U{i:08d}" for i in range(10)],
        "mentors": 9999,
        "mentees": 9999,
        "match_rate": 0.95,
        "chemistry_rate": 1.0,
        "chemistry_decided": 9999,
        "held": 99999,
        "planned": 99999,
        "minimum": 5,
        "uplift": [{**uplift, "objective": "o" * 150, "phase": "end"} for _ in range(5)],
        "recommend": {"respondents": 999, "score": -100, "average": 0.0},
    }
    for render in (monthly_digest, final_digest):
        text, blocks = render(params)
        assert check_message_blocks(blocks) == [] and len(text) < 4000
        for block in Block.parse_all(blocks):
            block.validate_json()


def test_signup_modal_for_the_largest_programme_new_and_prefilled() -> None:
    programme = big_programme()
    assert_modal_ok(signup_modal(programme))
    existing = Participant(
        user_id="U1",
        role=Role.MENTEE,
        status=ParticipantStatus.SIGNED_UP,
        department="x" * 100,
        grade_level=7,
        line_manager_id="U2",
        topics=programme.topics,
        skills="s" * 1000,
        personality=Personality.INTROVERT,
        preferred_medium=Medium.ANY,
        goals="g" * 2000,
    )
    existing.ratings = [
        ObjectiveRating(objective_id=o.id, phase=RatingPhase.BASELINE, rating=5)
        for o in programme.objectives
    ]
    view = signup_modal(programme, existing)
    assert_modal_ok(view)
    topics = next(b for b in view["blocks"] if b.get("block_id") == "topics")
    assert len(topics["element"]["initial_options"]) == 25


def test_pickers_cap_their_options() -> None:
    many = [big_programme(i) for i in range(150)]
    for view in (picker_modal(many), open_enrolment_modal(many, preselect=3)):
        assert_modal_ok(view)


def test_messages() -> None:
    programme = big_programme()
    _, blocks = announcement(programme)
    assert check_message_blocks(blocks) == []
    assert check_message_blocks(close_chooser([big_programme(i) for i in range(20)])) == []
    summaries = [
        ProgrammeSummary(
            i,
            "n" * 80,
            ProgrammeStatus.ENROLLING,
            date(2026, 1, 1),
            date(2026, 2, 1),
            date(2026, 7, 1),
            999,
            999,
            True,
        )
        for i in range(300)
    ]
    assert check_message_blocks(programme_list(summaries)) == []
    participations = [
        Participation(
            i,
            "n" * 80,
            ProgrammeStatus.ENROLLING,
            date(2026, 1, 1),
            Role.MENTOR,
            ParticipantStatus.SIGNED_UP,
        )
        for i in range(40)
    ]
    assert check_message_blocks(status_message(participations)) == []
    assert check_message_blocks(leave_confirmation(participations)) == []


def test_home_with_many_programmes_stays_under_100_blocks() -> None:
    summaries = [
        ProgrammeSummary(
            i,
            "n" * 80,
            ProgrammeStatus.ENROLLING,
            date(2026, 1, 1),
            date(2026, 2, 1),
            date(2026, 7, 1),
            5,
            3,
            i % 2 == 0,
        )
        for i in range(120)
    ]
    participations = [
        Participation(
            i,
            "n" * 80,
            ProgrammeStatus.ENROLLING,
            date(2026, 1, 1),
            Role.MENTOR,
            ParticipantStatus.SIGNED_UP,
        )
        for i in range(30)
    ]
    view = home_view(
        participations=participations,
        open_programme_count=3,
        lead_programmes=summaries,
        now=datetime(2026, 2, 1, 9, tzinfo=UTC),
    )
    assert check_view(view, allowed_types=("home",)) == []
    assert "more: `/mentoring-admin list`" in str(view["blocks"][-1])


def test_balance_messages_for_the_longest_names() -> None:
    name = "N" * 255  # Slack's longest display name
    asked = {
        "session_id": 1,
        "participant_id": 2,
        "role": "mentee",
        "partner": name,
        "held_on": "2026-01-20",
        "programme": "p" * 80,
    }
    drift = {"pair_id": 1, "since_session_id": 1, "partner": name, "programme": "p" * 80}
    done = Answered(1, 2, Role.MENTOR, name, date(2026, 1, 20), Taught.EVEN, "p" * 80, ())
    for text, shown in (
        balance.question(asked),
        balance.answered(done),
        balance.drift_tip(drift),
        balance.drift_roles(drift),
    ):
        assert text and check_message_blocks(shown) == []
