"""The engine's assignment is the best possible and never breaks a hard rule."""

from __future__ import annotations

import contextlib
import itertools
import random
from collections.abc import Iterator
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.matching import assign
from bot.services.matching.engine import match, rule_masks, score_components
from bot.services.matching.graph import cohort, feasible_graph
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
    mentors = [
        person(f"m{i}", **draw(candidates), taken=draw(st.sampled_from([0, 0, 0, 1, 2])))
        for i in range(draw(st.integers(0, 4)))
    ]
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
    # Pins may break a rule or a mentor's capacity: the engine keeps those it can, in order.
    pinned = frozenset(
        (m.id, e.id) for m in mentors for e in mentees if draw(st.integers(0, 5)) == 0
    )
    weights = draw(
        st.sampled_from([None, {"skills": 0.0}, {"topics": 5.0, "medium": 0.25}])
        | st.fixed_dictionaries(
            {name: st.sampled_from([0.0, 0.5, 1.0, 3.0, -1.0]) for name in DEFAULT_WEIGHTS}
        )
    )
    rules = Rules(
        mentor_more_junior=draw(st.booleans()),
        outside_reporting_line=draw(st.booleans()),
        reporting_line_depth=draw(st.integers(1, 3)),
        cross_department=draw(st.booleans()),
        max_tz_gap_hours=draw(st.sampled_from([None, 2.0, 6.0])),
        mentor_capacity=draw(st.integers(1, 3)),
        **({"weights": weights} if weights is not None else {}),
    )
    return MatchInput(
        tuple(mentors),
        tuple(mentees),
        rules,
        pinned=pinned,
        forbidden=forbidden,
        managers=managers,
    )


def pins_kept(data: MatchInput) -> list[tuple[int, int]]:
    """(mentee, mentor) indices of the pins the engine keeps: in order of (mentor id, mentee
    id), each while the mentee has no pin yet and the mentor has room."""
    room = [max(max(data.rules.mentor_capacity, 1) - m.taken, 0) for m in data.mentors]
    mentor_at = {p.id: j for j, p in enumerate(data.mentors)}
    mentee_at = {p.id: i for i, p in enumerate(data.mentees)}
    kept: list[tuple[int, int]] = []
    for mentor_id, mentee_id in sorted(data.pinned):
        i, j = mentee_at[mentee_id], mentor_at[mentor_id]
        if i not in [k for k, _ in kept] and room[j] > 0:
            kept.append((i, j))
            room[j] -= 1
    return kept


def brute_force(data: MatchInput) -> tuple[int, float]:
    """Best (pairs, total score) over every assignment that keeps the pins the engine keeps,
    the rules and the mentors' room."""
    masks = rule_masks(data)
    mentees, mentors = data.mentees, data.mentors
    weights = {**DEFAULT_WEIGHTS, **dict(data.rules.weights)}
    components = score_components(data) if mentees and mentors else {}

    def score(i: int, j: int) -> float:
        return sum(weights[name] * values[i, j] for name, values in components.items())

    pins = dict(pins_kept(data))
    room = [max(max(data.rules.mentor_capacity, 1) - m.taken, 0) for m in mentors]
    best = (0, 0.0)
    options = [None, *range(len(mentors))]
    for choice in itertools.product(options, repeat=len(mentees)):
        if any(choice[i] != j for i, j in pins.items()):
            continue
        load = [choice.count(j) for j in range(len(mentors))]
        if any(x > r for x, r in zip(load, room, strict=True)):
            continue
        total, count, ok = 0.0, 0, True
        for i, j in enumerate(choice):
            if j is None:
                continue
            if i not in pins and not all(mask[i, j] for mask in masks.values()):
                ok = False
                break
            count += 1
            total += score(i, j)
        if ok and (count, total) > (best[0], best[1] + 1e-9):
            best = (count, total)
    return best


@contextlib.contextmanager
def small_shortlists(small: bool) -> Iterator[None]:
    """The solver trying one pair per mentee and none per mentor first, so that even these
    small cohorts take it through several rounds and its proof of optimality."""
    with contextlib.ExitStack() as stack:
        if small:
            for name, value in (
                ("SHORTLIST_PER_MENTEE", 1),
                ("SHORTLIST_PER_SLOT", 0),
                ("AGAIN_PER_MENTEE", 1),
                ("AGAIN_PER_SLOT", 0),
                ("ROUNDS_BEFORE_GROWING", 1),
            ):
                stack.enter_context(mock.patch.object(assign, name, value))
        yield


@settings(max_examples=300, deadline=None)
@given(cohorts(), st.booleans())
def test_result_is_optimal_and_keeps_every_rule(data: MatchInput, small: bool) -> None:
    with small_shortlists(small):
        result = match(data)
    masks = rule_masks(data)
    mentee_at = {p.id: i for i, p in enumerate(data.mentees)}
    mentor_at = {p.id: j for j, p in enumerate(data.mentors)}
    pins = set(pins_kept(data))
    assert {
        (mentee_at[p.mentee_id], mentor_at[p.mentor_id]) for p in result.pairs if p.pinned
    } == pins
    for pair in result.pairs:
        i, j = mentee_at[pair.mentee_id], mentor_at[pair.mentor_id]
        broken = [name for name, mask in masks.items() if not mask[i, j]]
        assert pair.pinned or not broken, (pair, broken)
    room = [max(max(data.rules.mentor_capacity, 1) - m.taken, 0) for m in data.mentors]
    loads = [sum(p.mentor_id == m.id for p in result.pairs) for m in data.mentors]
    assert all(load <= r for load, r in zip(loads, room, strict=True))
    assert len({p.mentee_id for p in result.pairs}) == len(result.pairs)
    count, total = brute_force(data)
    assert len(result.pairs) == count
    assert result.total_score == pytest.approx(total, abs=1e-6)
    matched = {p.mentee_id for p in result.pairs} | {p.mentor_id for p in result.pairs}
    everyone = {p.id for p in data.mentees} | {p.id for p in data.mentors if not p.taken}
    assert {u.person_id for u in result.unmatched} == everyone - matched


@settings(max_examples=100, deadline=None)
@given(cohorts(), st.randoms(use_true_random=False))
def test_the_order_of_the_input_changes_nothing(data: MatchInput, rng: random.Random) -> None:
    mentors, mentees = list(data.mentors), list(data.mentees)
    rng.shuffle(mentors)
    rng.shuffle(mentees)
    shuffled = MatchInput(
        tuple(mentors), tuple(mentees), data.rules, data.pinned, data.forbidden, data.managers
    )
    assert match(shuffled) == match(data)


@settings(max_examples=100, deadline=None)
@given(cohorts())
def test_the_graph_holds_exactly_the_pairs_the_rules_allow(data: MatchInput) -> None:
    graph = feasible_graph(cohort(data), data, np.arange(len(data.mentees)))
    masks = rule_masks(data)
    allowed = np.ones((len(data.mentees), len(data.mentors)), dtype=bool)
    for mask in masks.values():
        allowed &= mask
    rows = np.repeat(np.arange(len(data.mentees)), np.diff(graph.start))
    assert sorted(zip(rows.tolist(), graph.mentor.tolist(), strict=True)) == sorted(
        zip(*np.nonzero(allowed), strict=True)
    )
    if len(rows):
        weights = {**DEFAULT_WEIGHTS, **dict(data.rules.weights)}
        parts = score_components(data)
        expected = sum(weights[name] * values[rows, graph.mentor] for name, values in parts.items())
        assert graph.score == pytest.approx(expected, abs=1e-9)


def random_cohort(rng: random.Random, mentors: int, mentees: int) -> MatchInput:
    """A cohort large enough that the shortlists cut: most pairs allowed (mentors junior)."""

    def people(prefix: str, count: int, grades: tuple[int, int]) -> list[Candidate]:
        return [
            person(
                f"{prefix}{i:03d}",
                grade_level=rng.randint(*grades),
                topics=frozenset(rng.sample(TOPICS, rng.randint(1, 3))),
                personality=rng.choice(["introvert", "extrovert", "either"]),
                medium=rng.choice(["video", "in_person", "any"]),
                utc_offset_hours=rng.choice([-5.0, 0.0, 1.0, 8.0]),
            )
            for i in range(count)
        ]

    return MatchInput(
        tuple(people("m", mentors, (1, 4))),
        tuple(people("e", mentees, (3, 7))),
        Rules(mentor_capacity=rng.randint(1, 3)),
    )


@settings(max_examples=60, deadline=None)
@given(
    st.randoms(use_true_random=False),
    st.integers(1, 40),
    st.integers(1, 120),
    st.integers(0, 20),
    st.integers(0, 80),
    st.integers(1, 50),
)
def test_the_graph_marks_the_same_best_pairs_as_the_solver_would_pick(
    rng: random.Random, mentors: int, mentees: int, per_row: int, per_mentor: int, rows: int
) -> None:
    """The shortlist marked while the dense blocks are built, `rows` mentees at a time, is the
    one the solver picks from the sparse graph itself."""
    data = random_cohort(rng, mentors, mentees)
    with mock.patch("bot.services.matching.graph.BLOCK_CELLS", rows * mentors):
        graph = feasible_graph(cohort(data), data, np.arange(mentees), best=(per_row, per_mentor))
    sparse = assign._best_per_row_and_mentor(
        graph.score, graph.start, graph.mentor, per_row, per_mentor, -1.0
    )
    if graph.best is None:  # some block had fewer than half its pairs allowed
        return
    assert graph.best.tolist() == sparse.tolist()


def test_a_cohort_where_most_pairs_are_ruled_out_leaves_the_pick_to_the_solver() -> None:
    data = random_cohort(random.Random(7), 30, 60)
    strict = MatchInput(data.mentors, data.mentees, Rules(max_tz_gap_hours=0))
    graph = feasible_graph(cohort(strict), strict, np.arange(60), best=(16, 32))
    assert 0 < len(graph.score) < 30 * 60 / 2
    assert graph.best is None
    dense = feasible_graph(cohort(data), data, np.arange(60), best=(16, 32))
    assert dense.best is not None and 0 < dense.best.sum() < len(dense.score)


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
