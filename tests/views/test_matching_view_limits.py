"""Matching and chemistry views stay inside Block Kit's limits for the largest inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.models import ActionStatus, MatchRunStatus, Medium, PairStatus, Role
from bot.sandbox.double.block_kit import check_message_blocks, check_view
from bot.services.checkins import ActionView, PairHome, PairProgress
from bot.services.chemistry import Agreement, Proposal
from bot.services.matching.runs import Preview, PreviewPair, PreviewUnmatched
from bot.services.pairs import Member, PairFacts
from bot.views import chemistry, matching
from bot.views.checkins import actions_message, checkin_modal
from bot.views.home import home_view
from tests.views.test_view_limits import assert_modal_ok

AT = datetime(2026, 1, 8, 15, tzinfo=UTC)


def member(n: int, role: Role) -> Member:
    return Member(
        n,
        f"U{n:06d}",
        "N" * 255,
        role,
        "Pacific/Chatham",
        "D" * 100,
        tuple("t" * 60 for _ in range(25)),
        "g" * 2000,
    )


def pair(n: int = 1) -> PairFacts:
    return PairFacts(
        n,
        1,
        "P" * 80,
        PairStatus.INTRODUCED,
        member(2 * n, Role.MENTOR),
        member(2 * n + 1, Role.MENTEE),
        9.5,
        "e" * 3000,
        "G1",
        "1.0",
        None,
    )


def test_a_preview_of_thousands_of_pairs_fits_one_message() -> None:
    preview = Preview(
        run_id=1,
        programme_id=1,
        programme_name="P" * 80,
        status=MatchRunStatus.PREVIEWING,
        pairs=tuple(
            PreviewPair(i, "U1", "N" * 255, "U2", "M" * 255, 1.0, "x" * 3000, True)
            for i in range(5000)
        ),
        unmatched=tuple(
            PreviewUnmatched(f"U{i}", "N" * 255, "mentee", "r" * 500) for i in range(1000)
        ),
        mentor_count=1250,
        mentee_count=6000,
        best_score=10.0,
    )
    _, blocks = matching.preview_message(preview)
    assert check_message_blocks(blocks) == []
    assert "4985 more score higher" in str(blocks)


def test_pair_messages_and_forms() -> None:
    pairs = [pair(i) for i in range(300)]
    assert check_message_blocks(matching.intro_message(pairs[0])[1]) == []
    assert check_message_blocks(matching.pairs_list("P" * 80, pairs)) == []
    assert check_message_blocks(matching.pairs_list("P" * 80, pairs, ended_on=AT.date())) == []
    assert_modal_ok(matching.constraint_modal(1))
    assert check_message_blocks(matching.engine_stopped("P" * 80, 1)[1]) == []
    for offered in ((), [AT + timedelta(days=d) for d in range(4)]):
        assert_modal_ok(
            chemistry.times_modal(
                1,
                member(2, Role.MENTEE),
                member(1, Role.MENTOR),
                default=AT,
                suggested=offered,
            )
        )
    assert_modal_ok(chemistry.not_for_me_modal(1, member(1, Role.MENTOR)))
    proposal = Proposal(1, pairs[0], pairs[0].mentee, (AT, AT, AT), "n" * 500, (), ())
    agreement = Agreement(1, pairs[0], pairs[0].mentee, AT, "n" * 500, None, ())
    for _, blocks in (
        chemistry.proposal_message(proposal),
        chemistry.agreed_message(agreement),
        chemistry.reminder_message(agreement),
        chemistry.decision_prompt(pairs[0], pairs[0].mentor),
    ):
        assert check_message_blocks(blocks) == []


def test_home_and_checkin_form_for_a_busy_pair() -> None:
    busy = pair()
    many = tuple(
        ActionView(i, "a" * 300, busy.mentee, date(2026, 1, 1), True, ActionStatus.OPEN)
        for i in range(500)
    )
    homes = [
        PairHome(busy, date(2026, 1, 8), None, PairProgress(300, 52, date(2026, 1, 9), AT), many)
        for _ in range(5)
    ]
    view = home_view(
        participations=[],
        open_programme_count=1,
        lead_programmes=None,
        pairs=homes,
        user_id=busy.mentor.user_id,
        now=datetime(2026, 2, 1, 9, tzinfo=UTC),
    )
    assert check_view(view, allowed_types=("home",)) == []
    assert_modal_ok(
        checkin_modal(
            busy,
            busy.mentor.user_id,
            topics=["t" * 60] * 25,
            today=date(2026, 2, 1),
            minutes=60,
            medium=Medium.VIDEO,
            suggested=[AT + timedelta(days=d) for d in range(4)],
        )
    )
    assert (
        check_message_blocks(
            actions_message(many, many, today=date(2026, 2, 1), partner=busy.mentee)
        )
        == []
    )
