"""The best assignment of mentees to mentors with room for several, on the sparse graph of the
pairs the rules allow, with a proof that it is optimal.

The objective puts the number of pairs first and the total score second. Solving the whole
graph at once is slow (a mentor with capacity c is c columns, and a large cohort has millions of
allowed pairs), yet few pairs can be in any good assignment. So:

1. Start from a shortlist: each mentee's and each mentor's best pairs by score.
2. Solve that restricted problem exactly with SciPy's sparse Jonker-Volgenant solver. Every
   mentee has a column of its own meaning "unmatched", dearer than any change of total score
   could be, so more pairs always win.
3. Find potentials (the LP dual) for that optimum: shortest distances in its residual network.
4. Check every pair left out against the potentials. If none has a negative reduced cost, the
   potentials are feasible for the whole problem, which proves by LP duality that the restricted
   optimum is optimal for every pair. Otherwise keep the pairs in use, the pairs that broke the
   check and the best of the rest by reduced cost, and repeat; after a few rounds the chosen
   pairs only grow, so the loop ends.

Costs are float64. A reduced cost counts as negative below -TOLERANCE times the score range,
so rounding cannot make the proof loop; no assignment can beat the result by more than that
tolerance per pair.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

TOLERANCE = 1e-9
SHORTLIST_PER_MENTEE = 16
SHORTLIST_PER_SLOT = 32  # times the largest capacity
AGAIN_PER_MENTEE = 8
AGAIN_PER_SLOT = 8  # times the largest capacity
ROUNDS_BEFORE_GROWING = 3
CHUNK_CELLS = 1 << 20  # about 8 MB of float64: numpy reuses such blocks without page faults


def _lowest(values: np.ndarray, start: np.ndarray, k: int, order: np.ndarray | None) -> np.ndarray:
    """True for the k lowest values of each group (ties at the k-th included); group g holds
    values[order[start[g]:start[g + 1]]] (or values[start[g]:start[g + 1]] without `order`)."""
    keep = np.zeros(len(values), dtype=bool)
    counts = np.diff(start)
    grouped = values if order is None else values[order]
    small = np.repeat(counts <= k, counts)
    keep_grouped = small.copy()
    large = np.flatnonzero(counts > k)
    width = int(counts.max()) if len(counts) else 0
    step = max(1, CHUNK_CELLS // max(width, 1))
    for lo in range(0, len(large), step):
        groups = large[lo : lo + step]
        size = counts[groups]
        at = np.repeat(start[groups], size) + _ranks(size)
        padded = np.full((len(groups), width), np.inf)
        padded[np.repeat(np.arange(len(groups)), size), _ranks(size)] = grouped[at]
        kth = np.partition(padded, k - 1, axis=1)[:, k - 1]
        keep_grouped[at] = grouped[at] <= np.repeat(kth, size)
    if order is None:
        return keep_grouped
    keep[order] = keep_grouped
    return keep


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
    many columns as its capacity, then one "unmatched" column per row."""
    slots = int(capacity.sum())
    copies = capacity[mentor]
    first_slot = np.cumsum(capacity) - capacity
    rows = np.concatenate([np.repeat(row, copies), np.arange(n)])
    columns = np.concatenate(
        [np.repeat(first_slot[mentor], copies) + _ranks(copies), slots + np.arange(n)]
    )
    weights = np.concatenate([np.repeat(cost, copies), np.full(n, unmatched)])
    graph = csr_matrix((weights, (rows, columns)), shape=(n, slots + n))
    matched_rows, matched_columns = min_weight_full_bipartite_matching(graph)
    owner = np.repeat(np.arange(len(capacity)), capacity)
    mentor_of = np.full(n, -1)
    real = matched_columns < slots
    mentor_of[matched_rows[real]] = owner[matched_columns[real]]
    return mentor_of


def _shortest_distances(
    source: np.ndarray, target: np.ndarray, weight: np.ndarray, nodes: int, slack: float
) -> np.ndarray:
    """Bellman-Ford from a virtual root joined to every node at no cost, relaxing only from the
    nodes that changed; an improvement within `slack` is not one."""
    order = np.argsort(source, kind="stable")
    source, target, weight = source[order], target[order], weight[order]
    start = np.searchsorted(source, np.arange(nodes + 1))
    distance = np.zeros(nodes)
    changed = np.arange(nodes)
    for _ in range(nodes + 1):
        if not len(changed):
            return distance
        counts = start[changed + 1] - start[changed]
        edges = np.repeat(start[changed], counts) + _ranks(counts)
        best = distance.copy()
        np.minimum.at(best, target[edges], distance[source[edges]] + weight[edges])
        improved = best < distance - slack
        distance = np.where(improved, best, distance)
        changed = np.flatnonzero(improved)
    raise RuntimeError(
        "the restricted assignment is not optimal: its residual has a negative cycle"
    )


def _potentials(
    row: np.ndarray,
    mentor: np.ndarray,
    cost: np.ndarray,
    mentor_of: np.ndarray,
    capacity: np.ndarray,
    unmatched: float,
    slack: float,
) -> np.ndarray:
    """Potentials of mentees (0..n-1), mentors (n..n+m-1) and the sink (n+m) under which every
    edge of the restricted residual network has a reduced cost of at least -slack."""
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
    return _shortest_distances(
        np.concatenate(source), np.concatenate(target), np.concatenate(weight), n + m + 1, slack
    )


def _grouped_lowest(
    values: np.ndarray, row: np.ndarray, mentor: np.ndarray, n: int, per_row: int, per_mentor: int
) -> np.ndarray:
    """True for each row's `per_row` lowest values and each mentor's `per_mentor` lowest (edges
    sorted by row)."""
    row_start = np.searchsorted(row, np.arange(n + 1))
    by_mentor = np.argsort(mentor, kind="stable")
    mentor_start = np.searchsorted(mentor[by_mentor], np.arange(int(mentor.max()) + 2))
    return _lowest(values, row_start, per_row, None) | _lowest(
        values, mentor_start, per_mentor, by_mentor
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


def _costs(score: np.ndarray, top: float) -> np.ndarray:
    """Costs to minimise: at least 1, since the sparse solver reads a zero as no edge."""
    return (top + 1.0) - score


def _broken(
    start: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    top: float,
    chosen: np.ndarray,
    closed: np.ndarray,
    potential: np.ndarray,
    slack: float,
) -> np.ndarray:
    """Edges left out, to mentors with room, whose reduced cost under the potentials is
    negative; block by block, as a full-length array of costs would be large."""
    n = len(start) - 1
    found = []
    for lo, hi, rows in _edge_blocks(start):
        them = mentor[lo:hi]
        reduced = _costs(score[lo:hi], top) + potential[rows] - potential[n + them]
        broken = (reduced < -slack) & ~chosen[lo:hi]
        if closed.any():
            broken &= ~closed[them]
        found.append(lo + np.flatnonzero(broken))
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def best_assignment(
    start: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    shortlist: np.ndarray,
    capacity: np.ndarray,
) -> np.ndarray:
    """For each row of the graph (row r's pairs are mentor[start[r]:start[r + 1]] with their
    scores), its mentor in an assignment with the most pairs and, among those, the highest
    total score (-1: unmatched). Mentor j takes at most capacity[j] rows; `shortlist` marks the
    pairs to try first."""
    n = len(start) - 1
    if not len(score) or not capacity.sum():
        return np.full(n, -1)
    top = float(score.max())
    spread = top - float(score.min()) + 1.0
    unmatched = spread * (min(n, int(capacity.sum())) + 1)
    slack = TOLERANCE * spread
    closed = capacity == 0
    chosen = shortlist & ~closed[mentor] if closed.any() else shortlist.copy()
    for round_ in range(len(score) + 1):
        picked = np.flatnonzero(chosen)
        row = np.searchsorted(start, picked, side="right") - 1
        cost = _costs(score[picked], top)
        mentor_of = _solve_restricted(n, row, mentor[picked], cost, capacity, unmatched)
        potential = _potentials(row, mentor[picked], cost, mentor_of, capacity, unmatched, slack)
        broken = _broken(start, mentor, score, top, chosen, closed, potential, slack)
        if not len(broken):
            return mentor_of
        if round_ >= ROUNDS_BEFORE_GROWING:
            chosen[broken] = True  # only grows, so the rounds end
            continue
        pool = np.sort(np.concatenate([picked, broken]))  # disjoint: broken ones were left out
        pool_row = np.searchsorted(start, pool, side="right") - 1
        reduced = _costs(score[pool], top) + potential[pool_row] - potential[n + mentor[pool]]
        keep = _grouped_lowest(
            reduced,
            pool_row,
            mentor[pool],
            n,
            AGAIN_PER_MENTEE,
            AGAIN_PER_SLOT * int(capacity.max()),
        )
        keep |= mentor_of[pool_row] == mentor[pool]
        chosen[:] = False
        chosen[pool[keep]] = True
    raise RuntimeError("unreachable: the chosen pairs grow every round")
