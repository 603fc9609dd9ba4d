"""The engine's assignment is the best possible and never breaks a hard rule."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.matching.engine import match, rule_masks, score_components
from bot.services.matching.model import DEFAULT_WEIGHTS, Candidate, MatchInput, Rules

TOPICS = ["AI", "Social", "Hybrid", "D&I"]


def person(pid: str, **kw: object) -> Candidate:
    base = dict(
        department="Sales",
        grade_level=3,
        topics=frozenset({"AI"}),
        personality="either",
        medium="video",
        utc_offset_hours=0.0,
        manager_id=None,
    )
    base.update(kw)
    return Candidate(id=pid, **base)  # type: ignore[arg-type]


candidates = st.builds(
    lambda grade, topics, pers, medium, tz, dept: dict(
        grade_level=grade,
        topics=frozenset(topics),
        personality=pers,
        medium=medium,
        utc_offset_hours=tz,
        department=dept,
    ),
    st.integers(1, 7),
    st.sets(st.sampled_from(TOPICS), max_size=3),
    st.sampled_from(["introvert", "extrovert", "either"]),
    st.sampled_from(["video", "in_person", "any"]),
    st.sampled_from([-5.0, 0.0, 1.0, 8.0]),
    st.sampled_from(["Sales", "Finance"]),
)


@st.composite
def cohorts(draw: st.DrawFn) -> MatchInput:
    mentors = [person(f"m{i}", **draw(candidates)) for i in range(draw(st.integers(0, 4)))]
    mentees = [person(f"e{i}", **draw(candidates)) for i in range(draw(st.integers(0, 4)))]
    ids = [p.id for p in mentors + mentees]
    managers = {}
    for pid in ids:
        boss = draw(st.sampled_from([None, *ids]))
        if boss and boss != pid:
            managers[pid] = boss
    forbidden = frozenset(
        (m.id, e.id)
        for m in mentors
        for e in mentees
        if draw(st.booleans()) and draw(st.booleans())
    )
    rules = Rules(
        mentor_more_junior=draw(st.booleans()),
        outside_reporting_line=draw(st.booleans()),
        reporting_line_depth=draw(st.integers(1, 3)),
        cross_department=draw(st.booleans()),
        max_tz_gap_hours=draw(st.sampled_from([None, 2.0, 6.0])),
        mentor_capacity=draw(st.integers(1, 2)),
    )
    return MatchInput(tuple(mentors), tuple(mentees), rules, forbidden=forbidden, managers=managers)


def brute_force(data: MatchInput) -> tuple[int, float]:
    """Best (pairs, total score) over every assignment that keeps the rules."""
    masks = rule_masks(data)
    mentees, mentors = data.mentees, data.mentors
    weights = {**DEFAULT_WEIGHTS, **dict(data.rules.weights)}
    components = score_components(data) if mentees and mentors else {}
    best = (0, 0.0)
    options = [None, *range(len(mentors))]
    for choice in itertools.product(options, repeat=len(mentees)):
        load = [choice.count(j) for j in range(len(mentors))]
        if any(x > data.rules.mentor_capacity for x in load):
            continue
        total, count, ok = 0.0, 0, True
        for i, j in enumerate(choice):
            if j is None:
                continue
            if not all(mask[i, j] for mask in masks.values()):
                ok = False
                break
            count += 1
            total += sum(weights[name] * values[i, j] for name, values in components.items())
        if ok and (count, total) > (best[0], best[1] + 1e-9):
            best = (count, total)
    return best


@settings(max_examples=300, deadline=None)
@given(cohorts())
def test_result_is_optimal_and_keeps_every_rule(data: MatchInput) -> None:
    result = match(data)
    masks = rule_masks(data)
    mentee_at = {p.id: i for i, p in enumerate(data.mentees)}
    mentor_at = {p.id: j for j, p in enumerate(data.mentors)}
    for pair in result.pairs:
        i, j = mentee_at[pair.mentee_id], mentor_at[pair.mentor_id]
        broken = [name for name, mask in masks.items() if not mask[i, j]]
        assert not broken, (pair, broken)
    loads = [sum(p.mentor_id == m.id for p in result.pairs) for m in data.mentors]
    assert all(load <= data.rules.mentor_capacity for load in loads)
    assert len({p.mentee_id for p in result.pairs}) == len(result.pairs)
    count, total = brute_force(data)
    assert len(result.pairs) == count
    assert result.total_score == pytest.approx(total, abs=1e-6)
    matched = {p.mentee_id for p in result.pairs} | {p.mentor_id for p in result.pairs}
    everyone = {p.id for p in data.mentees} | {p.id for p in data.mentors}
    assert {u.person_id for u in result.unmatched} == everyone - matched


@given(cohorts())
@settings(max_examples=50, deadline=None)
def test_same_input_same_result(data: MatchInput) -> None:
    assert match(data) == match(data)


def test_mentor_must_be_more_junior() -> None:
    data = MatchInput((person("m", grade_level=6),), (person("e", grade_level=5),))
    result = match(data)
    assert result.pairs == ()
    assert "would not be the more junior" in result.unmatched[0].reason
    relaxed = MatchInput(data.mentors, data.mentees, Rules(mentor_more_junior=False))
    assert len(match(relaxed).pairs) == 1


def test_never_inside_one_reporting_line_to_the_set_depth() -> None:
    mentor = person("m", grade_level=1, manager_id="boss")
    mentee = person("e", grade_level=7)
    managers = {"boss": "e"}  # the mentee is the mentor's manager's manager
    near = MatchInput((mentor,), (mentee,), Rules(reporting_line_depth=1), managers=managers)
    far = MatchInput((mentor,), (mentee,), Rules(reporting_line_depth=2), managers=managers)
    assert len(match(near).pairs) == 1
    result = match(far)
    assert result.pairs == () and "one reports to the other" in result.unmatched[0].reason


def test_forbidden_pairs_are_never_made() -> None:
    mentors = (person("m1", grade_level=1), person("m2", grade_level=1, topics=frozenset()))
    mentee = person("e", grade_level=7)
    result = match(MatchInput(mentors, (mentee,), forbidden=frozenset({("m1", "e")})))
    assert [(p.mentor_id, p.mentee_id) for p in result.pairs] == [("m2", "e")]


def test_capacity_lets_one_mentor_take_two() -> None:
    mentor = person("m", grade_level=1)
    mentees = (person("e1", grade_level=7), person("e2", grade_level=7))
    assert len(match(MatchInput((mentor,), mentees)).pairs) == 1
    assert len(match(MatchInput((mentor,), mentees, Rules(mentor_capacity=2))).pairs) == 2


def test_time_zone_gap_and_cross_department() -> None:
    mentor = person("m", grade_level=1, utc_offset_hours=9.0, department="Sales")
    mentee = person("e", grade_level=7, utc_offset_hours=-5.0, department="Sales")
    assert match(MatchInput((mentor,), (mentee,), Rules(max_tz_gap_hours=8))).pairs == ()
    assert len(match(MatchInput((mentor,), (mentee,), Rules(max_tz_gap_hours=10))).pairs) == 1
    assert match(MatchInput((mentor,), (mentee,), Rules(cross_department=True))).pairs == ()


def test_global_optimum_beats_greedy() -> None:
    # Greedy would give e1 its favourite m1 and leave e2 with a poor match.
    m1 = person("m1", grade_level=1, topics=frozenset({"AI", "Social"}))
    m2 = person("m2", grade_level=1, topics=frozenset({"AI"}))
    e1 = person("e1", grade_level=7, topics=frozenset({"AI"}))
    e2 = person("e2", grade_level=7, topics=frozenset({"Social"}))
    pairs = {(p.mentee_id, p.mentor_id) for p in match(MatchInput((m1, m2), (e1, e2))).pairs}
    assert pairs == {("e1", "m2"), ("e2", "m1")}


def test_pinned_pairs_stay_and_explanations_say_why() -> None:
    m1 = person("m1", grade_level=1, topics=frozenset({"AI"}), personality="introvert")
    m2 = person("m2", grade_level=1, topics=frozenset({"AI"}))
    e = person("e", grade_level=7, topics=frozenset({"AI"}), personality="extrovert")
    result = match(MatchInput((m1, m2), (e,), pinned=frozenset({("m2", "e")})))
    [pair] = result.pairs
    assert (pair.mentor_id, pair.pinned) == ("m2", True)
    best = match(MatchInput((m1, m2), (e,))).pairs[0]
    assert best.mentor_id == "m1"
    assert "offers 1 of the 1 topics the mentee wants (AI)" in best.explanation
    assert "complementary personalities" in best.explanation


def test_someone_who_fits_but_lost_out_is_told_kindly() -> None:
    mentor = person("m", grade_level=1)
    mentees = (person("e1", grade_level=7), person("e2", grade_level=7))
    result = match(MatchInput((mentor,), mentees))
    [left] = result.unmatched
    assert "needed for another pair" in left.reason


def test_a_mentor_with_a_mentee_already_has_only_the_room_left() -> None:
    busy = person("m", grade_level=1, taken=1)
    mentees = (person("e1", grade_level=7), person("e2", grade_level=7))
    result = match(MatchInput((busy,), mentees, Rules(mentor_capacity=2)))
    assert len(result.pairs) == 1
    # Their earlier mentee means they are not "unmatched", even with no new one.
    full = match(
        MatchInput((person("m", grade_level=1, taken=2),), mentees, Rules(mentor_capacity=2))
    )
    assert full.pairs == () and {u.role for u in full.unmatched} == {"mentee"}


def test_progress_hears_each_stage_in_order() -> None:
    heard: list[str] = []
    match(MatchInput((person("m", grade_level=1),), (person("e", grade_level=7),)), heard.append)
    assert heard == ["scoring", "assigning"]
