"""The best assignment of mentees to mentors with room for several, on the sparse graph of the
pairs the rules allow, with a proof that it is optimal.

The objective puts the number of pairs first and the total score second. Solving the whole
graph at once is slow (a mentor with capacity c is c columns, and a large cohort has millions of
allowed pairs), yet few pairs can be in any good assignment. So:

1. Start from a shortlist: each mentee's and each mentor's best pairs by score.
2. Solve that restricted problem exactly with SciPy's sparse Jonker-Volgenant solver. When
   neither every mentee nor every place can be filled, each mentee also gets a column of its
   own meaning "unmatched", dearer than any change of total score could be, so more pairs win.
3. Find potentials (the LP dual) for that optimum: shortest distances in its residual network.
4. Check every pair left out against the potentials. If none has a negative reduced cost, the
   potentials are feasible for the whole problem, which proves by LP duality that the restricted
   optimum is optimal among all allowed pairs (the assignment LP has integral optima). Otherwise
   add the pairs that broke the check; if the potentials extend to them, check again, else solve
   again on the pairs in use, those near tight and the best of the rest by reduced cost. After a
   few rounds the chosen pairs only grow, so the loop ends.

Costs are whole numbers of a small unit of score, held in float64: every sum either solver
forms stays an integer below 2**52, so it is exact. Near-ties that differ only by rounding
become ties (the sparse solver can loop forever on those), and the proof is exact for these
costs; against the scores themselves no assignment can be better by more than half a unit
(about 1e-11 of the score range) per pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

SHORTLIST_PER_MENTEE = 16
SHORTLIST_PER_SLOT = 32  # times the largest capacity
AGAIN_PER_MENTEE = 4
AGAIN_PER_SLOT = 4  # times the largest capacity
ROUNDS_BEFORE_GROWING = 3
NEAR = 0.02  # times the largest cost: pairs this close to tight join a new round
SLACK = 0.5  # costs are whole numbers, so a real improvement is at least 1
CHUNK_CELLS = 1 << 20  # about 8 MB of float64: numpy reuses such blocks without page faults


def _lowest(
    values: np.ndarray, start: np.ndarray, k: int, order: np.ndarray | None, sign: float
) -> np.ndarray:
    """True for the k lowest of sign * values in each group (ties at the k-th included); group
    g holds values[order[start[g]:start[g + 1]]] (values[start[g]:start[g + 1]] without
    `order`). Groups go through a padded matrix a chunk at a time."""
    keep = np.zeros(len(values), dtype=bool)
    counts = np.diff(start)
    width = int(counts.max(initial=0))
    if k <= 0:
        return keep
    if width <= k:
        keep[:] = True
        return keep
    step = max(1, CHUNK_CELLS // width)
    for first in range(0, len(counts), step):
        last = min(first + step, len(counts))
        lo, hi = int(start[first]), int(start[last])
        at = slice(lo, hi) if order is None else order[lo:hi]
        chunk = sign * values[at]
        size = counts[first:last]
        # Group g of the chunk fills row g of the padded matrix from its start.
        offset = np.arange(last - first) * width - (start[first:last] - lo)
        padded = np.full((last - first) * width, np.inf)  # a short group's k-th is inf: keep all
        padded[np.arange(hi - lo) + np.repeat(offset, size)] = chunk
        kth = np.partition(padded.reshape(last - first, width), k - 1, axis=1)[:, k - 1]
        keep[at] = chunk <= np.repeat(kth, size)
    return keep


def _best_per_row_and_mentor(
    values: np.ndarray,
    start: np.ndarray,
    mentor: np.ndarray,
    per_row: int,
    per_mentor: int,
    sign: float,
) -> np.ndarray:
    """True for each row's `per_row` lowest of sign * values and each mentor's `per_mentor`
    lowest; row r's edges are start[r]:start[r + 1]."""
    m = int(mentor.max(initial=-1)) + 1
    ids = np.arange(1, len(mentor) + 1, dtype=np.int32 if len(mentor) < 2**31 - 1 else np.int64)
    # SciPy's CSR to CSC conversion is a counting sort: the edges grouped by mentor, far faster
    # than numpy's stable argsort of a large array.
    by_mentor = csr_matrix((ids, mentor, start), shape=(len(start) - 1, m)).tocsc()
    return _lowest(values, start, per_row, None, sign) | _lowest(
        values, by_mentor.indptr, per_mentor, by_mentor.data - 1, sign
    )


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... within each of consecutive groups of the given sizes."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def _solve_restricted(
    n: int,
    row: np.ndarray,
    mentor: np.ndarray,
    cost: np.ndarray,
    capacity: np.ndarray,
    unmatched: float,
) -> np.ndarray:
    """The optimal mentor of each of n rows on the given pairs (-1: unmatched), each mentor as
    many columns (places) as its capacity."""
    active, row = np.unique(row, return_inverse=True)  # rows without pairs stay unmatched
    copies = capacity[mentor]
    places = int(capacity.sum())
    first_place = np.cumsum(capacity) - capacity
    rows, columns = np.repeat(row, copies), np.repeat(first_place[mentor], copies) + _ranks(copies)
    weights = np.repeat(cost, copies)
    graph = csr_matrix((weights, (rows, columns)), shape=(len(active), places))
    if np.count_nonzero(maximum_bipartite_matching(graph) >= 0) == min(len(active), places):
        # Every row or every place can be filled, so every optimum fills them. The solver is
        # faster with the smaller side as rows, and with the places when the sides are even.
        if places <= len(active):
            place_of, row_of = min_weight_full_bipartite_matching(graph.T.tocsr())
        else:
            row_of, place_of = min_weight_full_bipartite_matching(graph)
    else:
        # Otherwise each row has a column of its own meaning "unmatched", dearer than any
        # change of total score, so the most rows get a place.
        leave = (np.full(len(active), unmatched), (np.arange(len(active)), np.arange(len(active))))
        graph = hstack([graph, csr_matrix(leave)], format="csr")
        row_of, place_of = min_weight_full_bipartite_matching(graph)
        row_of, place_of = row_of[place_of < places], place_of[place_of < places]
    mentor_of = np.full(n, -1)
    mentor_of[active[row_of]] = np.repeat(np.arange(len(capacity)), capacity)[place_of]
    return mentor_of


def _shortest_distances(
    source: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    slack: float,
    distance: np.ndarray,
    changed: np.ndarray,
    passes: int,
) -> tuple[np.ndarray | None, int]:
    """Bellman-Ford from a virtual root joined to every node at no cost, starting from upper
    bounds `distance` and relaxing only from the nodes that changed; an improvement within
    `slack` is not one. (distances, passes used), or None after `passes` without settling."""
    order = np.argsort(source, kind="stable")
    source, target, weight = source[order], target[order], weight[order]
    start = np.searchsorted(source, np.arange(len(distance) + 1))
    for done in range(passes):
        if not len(changed):
            return distance, done
        counts = start[changed + 1] - start[changed]
        edges = np.repeat(start[changed], counts) + _ranks(counts)
        best = distance.copy()
        np.minimum.at(best, target[edges], distance[source[edges]] + weight[edges])
        improved = best < distance - slack
        distance = np.where(improved, best, distance)
        changed = np.flatnonzero(improved)
    return None, passes


def _potentials(
    row: np.ndarray,
    mentor: np.ndarray,
    cost: np.ndarray,
    mentor_of: np.ndarray,
    capacity: np.ndarray,
    unmatched: float,
    slack: float,
    known: tuple[np.ndarray, np.ndarray, int] | None = None,
) -> tuple[np.ndarray | None, int]:
    """Potentials of mentees (0..n-1), mentors (n..n+m-1) and the sink (n+m) under which every
    edge of the restricted residual network has a reduced cost of at least -slack, and the
    passes that took. `known`: potentials for a part of these pairs, the mentees of the other
    pairs, and the most passes to try (None if they do not settle: the assignment is then not
    optimal on these pairs, or not provably so soon enough)."""
    n, m = len(mentor_of), len(capacity)
    sink = n + m
    used = mentor_of[row] == mentor
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=m)
    room, busy = np.flatnonzero(load < capacity), np.flatnonzero(load > 0)
    paired, alone = np.flatnonzero(mentor_of >= 0), np.flatnonzero(mentor_of < 0)
    source = [np.where(used, n + mentor, row), n + room, np.full(len(busy), sink), paired]
    target = [np.where(used, row, n + mentor), np.full(len(room), sink), n + busy]
    target.append(np.full(len(paired), sink))
    weight = [np.where(used, -cost, cost), np.zeros(len(room)), np.zeros(len(busy))]
    weight.append(np.full(len(paired), unmatched))
    source.append(np.full(len(alone), sink))
    target.append(alone)
    weight.append(np.full(len(alone), -unmatched))
    start, changed, passes = known or (np.zeros(n + m + 1), np.arange(n + m + 1), n + m + 2)
    return _shortest_distances(
        np.concatenate(source),
        np.concatenate(target),
        np.concatenate(weight),
        slack,
        start,
        changed,
        passes,
    )


def _edge_blocks(start: np.ndarray) -> Iterator[tuple[int, int, np.ndarray]]:
    """(first edge, end edge, row of each edge) for blocks of whole rows of about CHUNK_CELLS."""
    n = len(start) - 1
    first = 0
    while first < n:
        last = max(
            int(np.searchsorted(start, start[first] + CHUNK_CELLS, side="right")) - 1, first + 1
        )
        last = min(last, n)
        rows = np.repeat(np.arange(first, last), np.diff(start[first : last + 1]))
        yield int(start[first]), int(start[last]), rows
        first = last


@dataclass(frozen=True)
class _Problem:
    """The graph (row r's pairs are mentor[start[r]:start[r + 1]], with their scores), the
    mentors' capacities, and costs in whole units."""

    start: np.ndarray
    mentor: np.ndarray
    score: np.ndarray
    capacity: np.ndarray
    top: float
    unit: float
    spread: float  # the largest cost
    unmatched: float  # the cost of leaving a row unmatched

    @classmethod
    def of(
        cls, start: np.ndarray, mentor: np.ndarray, score: np.ndarray, capacity: np.ndarray
    ) -> _Problem:
        n, m, places = len(start) - 1, len(capacity), int(capacity.sum())
        top, bottom = float(score.max()), float(score.min())
        # Sums of costs along any path of either solver stay below 2**52 (see above).
        unit = max(top - bottom, 1.0) * (3 * (n + m + places) + 8) / 2.0**52
        spread = float(np.rint((top - bottom) / unit)) + 1.0
        # One pair more is worth more than any difference of total score.
        unmatched = spread * (min(n, places) + 1)
        return cls(start, mentor, score, capacity, top, unit, spread, unmatched)

    @property
    def n(self) -> int:
        return len(self.start) - 1

    def costs(self, edges: np.ndarray | slice) -> np.ndarray:
        """Costs to minimise, in whole units: at least 1, as the sparse solver reads 0 as no
        edge."""
        return np.rint((self.top - self.score[edges]) / self.unit) + 1.0

    def row(self, edges: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.start, edges, side="right") - 1


def _below(
    p: _Problem, chosen: np.ndarray, potential: np.ndarray, below: float
) -> tuple[np.ndarray, np.ndarray]:
    """Edges left out, to mentors with room, whose reduced cost under the potentials is below
    `below`, with those reduced costs; block by block, as full-length arrays would be large."""
    closed = p.capacity == 0
    found, values = [], []
    for lo, hi, rows in _edge_blocks(p.start):
        them = p.mentor[lo:hi]
        reduced = p.costs(slice(lo, hi)) + potential[rows] - potential[p.n + them]
        near = (reduced < below) & ~chosen[lo:hi]
        if closed.any():
            near &= ~closed[them]
        at = np.flatnonzero(near)
        found.append(lo + at)
        values.append(reduced[at])
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(found), np.concatenate(values)


def _solve(p: _Problem, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The optimum on the chosen pairs, its potentials and the passes they took."""
    picked = np.flatnonzero(chosen)
    row, mentor, cost = p.row(picked), p.mentor[picked], p.costs(picked)
    mentor_of = _solve_restricted(p.n, row, mentor, cost, p.capacity, p.unmatched)
    potential, passes = _potentials(row, mentor, cost, mentor_of, p.capacity, p.unmatched, SLACK)
    if potential is None:
        raise RuntimeError("the restricted optimum has a negative cycle")
    return mentor_of, potential, passes


def _extended(
    p: _Problem,
    chosen: np.ndarray,
    mentor_of: np.ndarray,
    known: tuple[np.ndarray, np.ndarray, int],
) -> np.ndarray | None:
    """Potentials for the chosen pairs under the same assignment, from potentials known for a
    part of them (see _potentials), or None."""
    picked = np.flatnonzero(chosen)
    row, mentor, cost = p.row(picked), p.mentor[picked], p.costs(picked)
    return _potentials(row, mentor, cost, mentor_of, p.capacity, p.unmatched, SLACK, known)[0]


def _chosen_again(
    p: _Problem, chosen: np.ndarray, mentor_of: np.ndarray, potential: np.ndarray
) -> np.ndarray:
    """Of the chosen pairs, those in use and the best by reduced cost of each row and mentor."""
    picked = np.flatnonzero(chosen)
    row, mentor = p.row(picked), p.mentor[picked]
    reduced = p.costs(picked) + potential[row] - potential[p.n + mentor]
    keep = _best_per_row_and_mentor(
        reduced,
        np.searchsorted(row, np.arange(p.n + 1)),
        mentor,
        AGAIN_PER_MENTEE,
        AGAIN_PER_SLOT * int(p.capacity.max()),
        1.0,
    )
    keep |= mentor_of[row] == mentor
    again = np.zeros(len(chosen), dtype=bool)
    again[picked[keep]] = True
    return again


def shortlist(capacity: np.ndarray) -> tuple[int, int]:
    """How many of each mentee's and of each mentor's best pairs the first solve starts from."""
    return SHORTLIST_PER_MENTEE, SHORTLIST_PER_SLOT * int(capacity.max(initial=1))


def best_assignment(
    start: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    capacity: np.ndarray,
    best: np.ndarray | None = None,
) -> np.ndarray:
    """For each row of the graph (row r's pairs are mentor[start[r]:start[r + 1]] with their
    scores), its mentor in an assignment with the most pairs and, among those, the highest
    total score (-1: unmatched). Mentor j takes at most capacity[j] rows. `best` marks the
    pairs `shortlist` names, if the graph's builder has already found them."""
    if not len(score) or not capacity.sum():
        return np.full(len(start) - 1, -1)
    p = _Problem.of(start, mentor, score, capacity)
    if best is None:
        best = _best_per_row_and_mentor(score, start, mentor, *shortlist(capacity), -1.0)
    chosen = best & (capacity[mentor] > 0)
    mentor_of, potential, passes = _solve(p, chosen)
    for round_ in range(len(score) + ROUNDS_BEFORE_GROWING + 1):
        near, reduced = _below(p, chosen, potential, NEAR * p.spread)
        broken = near[reduced < -SLACK]
        if not len(broken):
            return mentor_of
        chosen[broken] = True
        # The same assignment may stay optimal with the pairs that broke the check: extending
        # the potentials from where they were is far cheaper than solving again.
        known = (potential, np.unique(p.row(broken)), passes)
        extended = _extended(p, chosen, mentor_of, known)
        if extended is not None:
            potential = extended
            continue
        if round_ >= ROUNDS_BEFORE_GROWING:
            mentor_of, potential, passes = _solve(p, chosen)  # only grows now: the rounds end
            continue
        chosen = _chosen_again(p, chosen, mentor_of, potential)
        chosen[near] = True  # close to tight: likely in the optimum too
        mentor_of, potential, passes = _solve(p, chosen)
    raise RuntimeError("unreachable: the chosen pairs grow every round")
