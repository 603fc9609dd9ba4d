"""What a mentee choosing a mentor is offered: exactly the mentors the engine's hard rules allow
and who have room, best first, scored and explained as the engine's matching would."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from bot.services.matching.engine import match, ranked_mentors, rule_masks, score_components
from bot.services.matching.model import DEFAULT_WEIGHTS, Candidate, MatchInput, Rules
from tests.services.matching.test_engine import cohorts, person


def for_each_mentee(data: MatchInput) -> list[tuple[Candidate, MatchInput]]:
    return [
        (
            mentee,
            MatchInput(
                data.mentors,
                (mentee,),
                data.rules,
                forbidden=data.forbidden,
                managers=data.managers,
            ),
        )
        for mentee in data.mentees
    ]


@settings(max_examples=200, deadline=None)
@given(cohorts())
def test_offered_mentors_are_exactly_those_the_rules_allow_with_room(data: MatchInput) -> None:
    masks = rule_masks(data)
    weights = {**DEFAULT_WEIGHTS, **dict(data.rules.weights)}
    components = score_components(data) if data.mentees and data.mentors else {}
    for i, (mentee, alone) in enumerate(for_each_mentee(data)):
        offered = ranked_mentors(alone)
        allowed = {
            mentor.id
            for j, mentor in enumerate(data.mentors)
            if all(mask[i, j] for mask in masks.values())
        }
        assert {p.mentor_id for p in offered} == allowed
        assert all(p.mentee_id == mentee.id for p in offered)
        scores = [p.score for p in offered]
        assert scores == sorted(scores, reverse=True)
        at = {m.id: j for j, m in enumerate(data.mentors)}
        for pair in offered:
            j = at[pair.mentor_id]
            expected = sum(weights[name] * values[i, j] for name, values in components.items())
            assert pair.score == pytest.approx(expected)


def test_the_engines_rule_cases_hold_for_suggestions_too() -> None:
    """The cases of the engine's own rule tests (tests/services/matching/test_engine.py)."""
    junior = MatchInput((person("m", grade_level=6),), (person("e", grade_level=5),))
    assert ranked_mentors(junior) == ()
    relaxed = MatchInput(junior.mentors, junior.mentees, Rules(mentor_more_junior=False))
    assert [p.mentor_id for p in ranked_mentors(relaxed)] == ["m"]

    mentor = person("m", grade_level=1, manager_id="boss")
    mentee = person("e", grade_level=7)
    managers = {"boss": "e"}  # the mentee is the mentor's manager's manager
    near = MatchInput((mentor,), (mentee,), Rules(reporting_line_depth=1), managers=managers)
    far = MatchInput((mentor,), (mentee,), Rules(reporting_line_depth=2), managers=managers)
    assert len(ranked_mentors(near)) == 1 and ranked_mentors(far) == ()

    mentors = (person("m1", grade_level=1), person("m2", grade_level=1, topics=frozenset()))
    vetoed = MatchInput(mentors, (mentee,), forbidden=frozenset({("m1", "e")}))
    assert [p.mentor_id for p in ranked_mentors(vetoed)] == ["m2"]

    far_away = person("m", grade_level=1, utc_offset_hours=9.0, department="Sales")
    in_new_york = person("e", grade_level=7, utc_offset_hours=-5.0, department="Sales")
    assert ranked_mentors(MatchInput((far_away,), (in_new_york,), Rules(max_tz_gap_hours=8))) == ()
    assert ranked_mentors(MatchInput((far_away,), (in_new_york,), Rules(max_tz_gap_hours=10)))
    assert (
        ranked_mentors(MatchInput((far_away,), (in_new_york,), Rules(cross_department=True))) == ()
    )


def test_a_mentor_without_room_is_not_offered() -> None:
    full = person("m1", grade_level=1, taken=1)
    free = person("m2", grade_level=1, topics=frozenset())
    mentee = person("e", grade_level=7)
    assert [p.mentor_id for p in ranked_mentors(MatchInput((full, free), (mentee,)))] == ["m2"]
    roomy = MatchInput((full, free), (mentee,), Rules(mentor_capacity=2))
    assert [p.mentor_id for p in ranked_mentors(roomy)] == ["m1", "m2"]  # m1 shares AI


def test_best_first_with_the_engines_reasons() -> None:
    m1 = person("m1", grade_level=1, topics=frozenset({"AI"}), personality="introvert")
    m2 = person("m2", grade_level=1, topics=frozenset({"Social"}))
    e = person("e", grade_level=7, topics=frozenset({"AI"}), personality="extrovert")
    first, second = ranked_mentors(MatchInput((m2, m1), (e,)))
    assert (first.mentor_id, second.mentor_id) == ("m1", "m2")
    assert first.explanation == match(MatchInput((m1,), (e,))).pairs[0].explanation
    assert "offers 1 of the 1 topics the mentee wants (AI)" in first.explanation
