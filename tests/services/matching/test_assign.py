"""The solver finds the assignment with the most pairs and then the highest total, however few
pairs it tries first: small graphs against an exhaustive search, larger ones against SciPy's
dense solver."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from bot.services.matching import assign
from bot.services.matching.assign import best_assignment

Graph = tuple[np.ndarray, np.ndarray, np.ndarray]  # start, mentor, score


def graph_of(edges: dict[tuple[int, int], float], n: int) -> Graph:
    ordered = sorted(edges)
    rows = np.array([r for r, _ in ordered], dtype=np.int64)
    return (
        np.searchsorted(rows, np.arange(n + 1)),
        np.array([j for _, j in ordered], dtype=np.int32),
        np.array([edges[e] for e in ordered], dtype=float),
    )


def exhaustive(edges: dict[tuple[int, int], float], n: int, capacity: tuple[int, ...]) -> tuple:
    """Best (pairs, total) by trying every mentor (or none) for each row in turn."""

    @functools.cache
    def best(r: int, room: tuple[int, ...]) -> tuple[int, float]:
        if r == n:
            return (0, 0.0)
        options = [best(r + 1, room)]
        for j, left in enumerate(room):
            if left and (r, j) in edges:
                count, total = best(r + 1, (*room[:j], left - 1, *room[j + 1 :]))
                options.append((count + 1, total + edges[(r, j)]))
        return max(options, key=lambda o: (o[0], round(o[1], 9)))

    return best(0, capacity)


def outcome(
    edges: dict[tuple[int, int], float], n: int, capacity: np.ndarray, mentor_of: np.ndarray
) -> tuple[int, float]:
    """(pairs, total) of an assignment, checking it uses only edges and respects capacity."""
    assert len(mentor_of) == n
    loads = np.bincount(mentor_of[mentor_of >= 0], minlength=len(capacity))
    assert (loads <= capacity).all()
    pairs = [(r, int(j)) for r, j in enumerate(mentor_of) if j >= 0]
    assert all(pair in edges for pair in pairs)
    return len(pairs), sum(edges[pair] for pair in pairs)


@contextlib.contextmanager
def tuned(
    per_mentee: int, per_slot: int, again: int, grow_after: int, near: float
) -> Iterator[None]:
    """The solver with small shortlists, so that it needs several rounds and its proof."""
    with contextlib.ExitStack() as stack:
        for name, value in (
            ("SHORTLIST_PER_MENTEE", per_mentee),
            ("SHORTLIST_PER_SLOT", per_slot),
            ("AGAIN_PER_MENTEE", again),
            ("AGAIN_PER_SLOT", again),
            ("ROUNDS_BEFORE_GROWING", grow_after),
            ("NEAR", near),
        ):
            stack.enter_context(mock.patch.object(assign, name, value))
        yield


settings_of_the_solver = st.tuples(
    st.integers(1, 3),
    st.integers(0, 2),
    st.integers(1, 3),
    st.integers(0, 3),
    st.sampled_from([0.0, 0.02, 0.5]),
)


@st.composite
def problems(draw: st.DrawFn) -> tuple[dict[tuple[int, int], float], int, np.ndarray]:
    n, m = draw(st.integers(0, 6)), draw(st.integers(1, 4))
    # Few distinct scores make many ties; negative ones are allowed too.
    value = st.sampled_from([-1.5, 0.0, 0.25, 1.0, 2.0, 2.5]) | st.floats(-3, 10)
    edges = {(r, j): draw(value) for r in range(n) for j in range(m) if draw(st.integers(0, 2))}
    capacity = np.array([draw(st.integers(0, 3)) for _ in range(m)], dtype=np.int64)
    return edges, n, capacity


@settings(max_examples=400, deadline=None)
@given(problems(), settings_of_the_solver)
def test_optimal_however_few_pairs_it_tries_first(problem: tuple, tuning: tuple) -> None:
    edges, n, capacity = problem
    start, mentor, score = graph_of(edges, n)
    with tuned(*tuning):
        mentor_of = best_assignment(start, mentor, score, capacity)
    count, total = outcome(edges, n, capacity, mentor_of)
    best_count, best_total = exhaustive(edges, n, tuple(int(c) for c in capacity))
    assert count == best_count
    assert total == pytest.approx(best_total, abs=1e-6)


def dense_optimum(
    edges: dict[tuple[int, int], float], n: int, capacity: np.ndarray
) -> tuple[int, float]:
    """SciPy's dense solver on integer scores: each pair is worth far more than any score, and
    each row has a column of its own for staying unmatched."""
    owner = np.repeat(np.arange(len(capacity)), capacity)
    big = 1 + sum(abs(s) for s in edges.values()) * 2
    worth = np.full((n, len(owner) + n), -np.inf)
    for (r, j), s in edges.items():
        worth[r, : len(owner)][owner == j] = big + s
    worth[np.arange(n), len(owner) + np.arange(n)] = 0.0
    rows, cols = linear_sum_assignment(worth, maximize=True)
    real = cols < len(owner)
    pairs = [(int(r), int(owner[c])) for r, c in zip(rows[real], cols[real], strict=True)]
    return len(pairs), sum(edges[p] for p in pairs)


@pytest.mark.parametrize("seed", range(16))
def test_larger_graphs_with_ties_match_the_dense_solver(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(30, 90)), int(rng.integers(5, 30))
    density = rng.uniform(0.05, 0.9)
    edges = {
        (r, j): float(rng.integers(0, 6))  # integers: the reference's sums are exact
        for r in range(n)
        for j in range(m)
        if rng.random() < density
    }
    capacity = rng.integers(0, 4, m)
    start, mentor, score = graph_of(edges, n)
    small = (int(rng.integers(1, 4)), int(rng.integers(0, 3)), int(rng.integers(1, 4)))
    with tuned(*small, grow_after=int(rng.integers(0, 4)), near=float(rng.choice([0, 0.02]))):
        mentor_of = best_assignment(start, mentor, score, capacity)
    assert outcome(edges, n, capacity, mentor_of) == dense_optimum(edges, n, capacity)


def test_no_pairs_or_no_room_leaves_everyone_unmatched() -> None:
    start, mentor, score = graph_of({}, 3)
    assert best_assignment(start, mentor, score, np.array([2])).tolist() == [-1] * 3
    start, mentor, score = graph_of({(0, 0): 1.0, (1, 0): 2.0}, 2)
    assert best_assignment(start, mentor, score, np.array([0])).tolist() == [-1, -1]


# Costs on which SciPy's sparse solver (min_weight_full_bipartite_matching, SciPy 1.17) loops
# forever: in a row reduction a dual update smaller than the rounding of the dual is lost, and
# two rows keep taking one column from each other. 0 marks no edge.
NEAR_TIES = [
    [12.00000000000001, 11.0, 10.00000000000001, 10.00000000000001, 10.000000000000004],
    [10.0, 10.00000000000001, 11.00000000000001, 10.000000000003, 0.0],
    [
        11.000000000000002,
        11.000000000000002,
        10.000000000000002,
        10.000000000000002,
        10.000000000000002,
    ],
    [0.0, 0.0, 0.0, 10.000000000000002, 0.0],
    [11.000000000000004, 12.000000000000002, 10.000000000003, 10.00000000000001, 10.0],
]


def test_near_ties_reach_the_sparse_solver_as_whole_numbers() -> None:
    matrix = np.array(NEAR_TIES)
    edges = {(int(r), int(j)): -matrix[r, j] for r, j in zip(*np.nonzero(matrix), strict=True)}
    start, mentor, score = graph_of(edges, 5)
    capacity = np.ones(5, dtype=np.int64)
    handed: list[np.ndarray] = []
    solve = assign.min_weight_full_bipartite_matching

    def spy(graph: object) -> object:
        handed.append(graph.data.copy())  # type: ignore[attr-defined]
        return solve(graph)

    with mock.patch.object(assign, "min_weight_full_bipartite_matching", spy):
        mentor_of = best_assignment(start, mentor, score, capacity)
    assert handed and all(np.array_equal(costs, np.rint(costs)) for costs in handed)
    count, total = outcome(edges, 5, capacity, mentor_of)
    assert count == 5
    assert total == pytest.approx(dense_optimum(edges, 5, capacity)[1], abs=1e-9)
