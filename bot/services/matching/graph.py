"""Who may be paired with whom, and how well: the cohort as arrays, the rule checks and soft
criteria as functions of index arrays, and the feasible pairs as a sparse graph.

The graph is built in blocks of mentees, so the cohort never exists as a full matrix: a block
checks every rule and keeps only the pairs that pass, each with its score. Criteria that depend
only on personality, medium and time zone are looked up in a small table of the profiles that
occur, instead of being computed for every pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.services.matching.model import DEFAULT_WEIGHTS, Candidate, MatchInput

WORKING_HOURS = 8.0
PERSONALITY_CODES = {"introvert": 0, "extrovert": 1, "either": 2}
# About 8 MB of float64 per block of mentees: large enough for numpy, small next to the graph.
BLOCK_CELLS = 1 << 20
DENSE_ENOUGH = 0.5  # the share of allowed pairs from which blocks mark the best pairs (_Best)


def hour_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hours between UTC offsets (broadcast together), the short way round the clock."""
    gap = np.abs(a - b) % 24
    return np.minimum(gap, 24 - gap)


@dataclass(frozen=True)
class Side:
    """One side of the cohort, one entry per person, in the order of `MatchInput`."""

    grade: np.ndarray
    department: np.ndarray  # codes shared by both sides, compared without case
    personality: np.ndarray  # PERSONALITY_CODES
    medium: np.ndarray  # codes shared by both sides
    utc_offset: np.ndarray
    topics: np.ndarray  # one-hot (people x vocabulary), float32 so a product counts exactly
    n_topics: np.ndarray
    profile: np.ndarray  # row (mentees) or column (mentors) of Cohort.profile_points
    first: np.ndarray  # someone with each profile
    topic_key: np.ndarray  # this side's part of an index into Cohort.topic_points


@dataclass(frozen=True)
class Cohort:
    mentees: Side
    mentors: Side
    anywhere: int  # the medium code of "any"
    weights: dict[str, float]
    # (mentee, mentor) index pairs a rule names one by one, sorted by mentee.
    line: tuple[np.ndarray, np.ndarray]
    forbidden: tuple[np.ndarray, np.ndarray]
    # Personality, medium and time-zone points for each pair of profiles that occurs, -inf where
    # the time-zone rule fails.
    profile_points: np.ndarray
    # Skills and topics points by topics in common (times topic_stride) plus both topic_keys.
    topic_points: np.ndarray
    topic_stride: int


def _ancestors(person: str, managers: dict[str, str], depth: int) -> list[str]:
    chain: list[str] = []
    current = person
    for _ in range(depth):
        manager = managers.get(current)
        if not manager or manager in chain:
            break
        chain.append(manager)
        current = manager
    return chain


def _pairs(found: set[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    ordered = sorted(found)
    return (
        np.array([i for i, _ in ordered], dtype=np.int64),
        np.array([j for _, j in ordered], dtype=np.int64),
    )


def _named_pairs(data: MatchInput) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(mentee, mentor) pairs inside one reporting line, and pairs forbidden outright."""
    mentees, mentors, rules = data.mentees, data.mentors, data.rules
    mentor_index = {p.id: j for j, p in enumerate(mentors)}
    mentee_index = {p.id: i for i, p in enumerate(mentees)}
    line: set[tuple[int, int]] = set()
    if rules.outside_reporting_line:
        managers = dict(data.managers)
        for person in (*mentees, *mentors):
            if person.manager_id:
                managers.setdefault(person.id, person.manager_id)
        for i, mentee in enumerate(mentees):
            for boss in _ancestors(mentee.id, managers, rules.reporting_line_depth):
                if boss in mentor_index:
                    line.add((i, mentor_index[boss]))
        for j, mentor in enumerate(mentors):
            for boss in _ancestors(mentor.id, managers, rules.reporting_line_depth):
                if boss in mentee_index:
                    line.add((mentee_index[boss], j))
    forbidden = {
        (mentee_index[e], mentor_index[m])
        for m, e in data.forbidden
        if m in mentor_index and e in mentee_index
    }
    return line, forbidden


def _side(
    people: Sequence[Candidate], vocabulary: dict[str, int], codes: dict[str, dict[str, int]]
) -> Side:
    topics = np.zeros((len(people), len(vocabulary)), dtype=np.float32)
    for row, person in enumerate(people):
        topics[row, [vocabulary[t] for t in person.topics]] = 1.0
    personality = np.array([PERSONALITY_CODES.get(p.personality, 2) for p in people], np.int64)
    medium = np.array([codes["medium"][p.medium] for p in people], dtype=np.int64)
    utc_offset = np.array([p.utc_offset_hours for p in people], dtype=float) + 0.0  # no -0.0
    keys = np.stack([personality, medium, utc_offset.view(np.int64)], axis=1)
    _, first, profile = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return Side(
        grade=np.array([p.grade_level for p in people], dtype=np.int64),
        department=np.array(
            [codes["department"][p.department.casefold()] for p in people], dtype=np.int64
        ),
        personality=personality,
        medium=medium,
        utc_offset=utc_offset,
        topics=topics,
        n_topics=topics.sum(axis=1, dtype=float),
        profile=profile.reshape(-1),
        first=first,
        topic_key=np.zeros(len(people), dtype=np.int64),
    )


def _topic_table(
    mentees: Side, mentors: Side, weights: dict[str, float]
) -> tuple[Side, Side, np.ndarray, int]:
    """Both sides with their topic keys, the table of skills and topics points, its stride."""
    wanted, wanted_key = np.unique(mentees.n_topics, return_inverse=True)
    offered, offered_key = np.unique(mentors.n_topics, return_inverse=True)
    most = int(min(wanted.max(initial=0), offered.max(initial=0)))
    shared = np.arange(most + 1, dtype=float)[:, None, None]
    coverage, jaccard = _topic_parts(shared, wanted[None, :, None], offered[None, None, :])
    table = weights.get("skills", 0.0) * coverage + weights.get("topics", 0.0) * jaccard
    return (
        replace(mentees, topic_key=wanted_key.reshape(-1) * len(offered)),
        replace(mentors, topic_key=offered_key.reshape(-1)),
        table.reshape(-1),
        len(wanted) * len(offered),
    )


def cohort(data: MatchInput) -> Cohort:
    """The arrays every check and score works on, from the engine's plain input."""
    everyone = (*data.mentees, *data.mentors)
    vocabulary = {t: k for k, t in enumerate(sorted({t for p in everyone for t in p.topics}))}
    departments = sorted({p.department.casefold() for p in everyone})
    codes = {
        "department": {d: k for k, d in enumerate(departments)},
        "medium": {d: k for k, d in enumerate(sorted({p.medium for p in everyone} | {"any"}))},
    }
    weights = {**DEFAULT_WEIGHTS, **dict(data.rules.weights)}
    mentees, mentors, topic_points, stride = _topic_table(
        _side(data.mentees, vocabulary, codes), _side(data.mentors, vocabulary, codes), weights
    )
    e, m = mentees.first[:, None], mentors.first[None, :]
    parts = _profile_parts(mentees, mentors, e, m, codes["medium"]["any"])
    points = sum(weights.get(name, 0.0) * values for name, values in parts.items())
    table = np.broadcast_to(points, (len(mentees.first), len(mentors.first))).astype(float)
    if data.rules.max_tz_gap_hours is not None:
        gap = hour_gap(mentees.utc_offset[e], mentors.utc_offset[m])
        table[gap > data.rules.max_tz_gap_hours] = -np.inf
    line, forbidden = _named_pairs(data)
    return Cohort(
        mentees=mentees,
        mentors=mentors,
        anywhere=codes["medium"]["any"],
        weights=weights,
        line=_pairs(line),
        forbidden=_pairs(forbidden),
        profile_points=table,
        topic_points=topic_points,
        topic_stride=stride,
    )


def _topic_parts(
    shared: np.ndarray, wanted: np.ndarray, offered: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How much of what the mentee wants the mentor offers, and the topics' Jaccard overlap."""
    union = wanted + offered - shared
    shape = np.broadcast(shared, wanted, offered).shape
    coverage = np.divide(shared, wanted, out=np.zeros(shape), where=wanted > 0)
    jaccard = np.divide(shared, union, out=np.zeros(shape), where=union > 0)
    return coverage, jaccard


def _profile_parts(
    e: Side, m: Side, i: np.ndarray, j: np.ndarray, anywhere: int
) -> dict[str, np.ndarray]:
    """Personality, medium and time-zone criteria, from 0 to 1."""
    pers_e, pers_m = e.personality[i], m.personality[j]
    either = (pers_e == 2) | (pers_m == 2)
    med_e, med_m = e.medium[i], m.medium[j]
    gap = hour_gap(e.utc_offset[i], m.utc_offset[j])
    return {
        "personality": np.where(either, 0.5, np.where(pers_e != pers_m, 1.0, 0.0)),
        "medium": ((med_e == med_m) | (med_e == anywhere) | (med_m == anywhere)).astype(float),
        "time_zone": np.clip(WORKING_HOURS - gap, 0, None) / WORKING_HOURS,
    }


def components(
    c: Cohort, i: np.ndarray, j: np.ndarray, shared: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Each soft criterion, from 0 to 1, for mentees `i` with mentors `j` (broadcast together).
    `shared`, the number of topics in common, is counted here unless given."""
    e, m = c.mentees, c.mentors
    if shared is None:
        shared = (e.topics[i] * m.topics[j]).sum(axis=-1, dtype=float)
    coverage, jaccard = _topic_parts(shared, e.n_topics[i], m.n_topics[j])
    return {
        "skills": coverage,
        "topics": jaccard,
        **_profile_parts(e, m, i, j, c.anywhere),
    }


def total(c: Cohort, parts: dict[str, np.ndarray]) -> np.ndarray:
    """The weighted sum of the criteria, added in their fixed order."""
    score = np.zeros(np.broadcast(*parts.values()).shape)
    for name, values in parts.items():
        score = score + c.weights.get(name, 0.0) * values
    return score


def _named(
    pairs: tuple[np.ndarray, np.ndarray], m: int, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """True where (i, j) is one of `pairs`."""
    named = np.sort(pairs[0] * m + pairs[1])
    code = i * m + j
    at = np.minimum(np.searchsorted(named, code), max(len(named) - 1, 0))
    return named[at] == code if len(named) else np.zeros(np.shape(code), dtype=bool)


def rule_checks(c: Cohort, data: MatchInput, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """For each hard rule in force, True where mentee `i` with mentor `j` passes."""
    e, m, rules = c.mentees, c.mentors, data.rules
    shape = np.broadcast(i, j).shape
    masks: dict[str, np.ndarray] = {}
    if rules.mentor_more_junior:
        masks["junior"] = m.grade[j] < e.grade[i]
    if rules.outside_reporting_line:
        masks["line"] = ~_named(c.line, len(m.grade), i, j)
    if data.forbidden:
        masks["forbidden"] = ~_named(c.forbidden, len(m.grade), i, j)
    if rules.cross_department:
        masks["department"] = e.department[i] != m.department[j]
    if rules.max_tz_gap_hours is not None:
        masks["time_zone"] = hour_gap(e.utc_offset[i], m.utc_offset[j]) <= rules.max_tz_gap_hours
    return {name: np.broadcast_to(mask, shape) for name, mask in masks.items()}


@dataclass(frozen=True)
class Graph:
    """Feasible pairs, row by row (row r is the r-th mentee asked for): row r's mentors are
    mentor[start[r]:start[r + 1]], with their scores. `best`, when asked for, marks each row's
    and each mentor's best pairs by score (see feasible_graph)."""

    start: np.ndarray
    mentor: np.ndarray
    score: np.ndarray
    best: np.ndarray | None = None


class _Best:
    """Each row's `per_row` highest scores and each mentor's `per_mentor` highest (ties at the
    k-th included), taken from the dense blocks as they are built: when most pairs are allowed,
    far cheaper than picking them out of the sparse graph afterwards. When most are not, the
    blocks are mostly -inf, ties on which make NumPy's partition several times slower, so
    marking stops (the sparse pick is then the cheaper)."""

    def __init__(self, per_row: int, per_mentor: int, width: int) -> None:
        self.per_row, self.per_mentor = per_row, per_mentor
        self.rows: list[np.ndarray] = []
        self.top = np.full((0, width), -np.inf)  # the highest per_mentor of each mentor so far

    def add(self, scores: np.ndarray, ok: np.ndarray) -> bool:
        """A block's scores (-inf where a rule fails) and where they are finite; False, and
        nothing marked, if too few are."""
        if np.count_nonzero(ok) < ok.size * DENSE_ENOUGH:
            return False
        width, k = scores.shape[1], self.per_row
        if 0 < k < width:
            kth = np.partition(scores, width - k, axis=1)[:, width - k]
            self.rows.append((scores >= kth[:, None])[ok])
        else:
            self.rows.append(np.full(int(ok.sum()), k > 0))
        if self.per_mentor > 0:
            seen = np.concatenate([self.top, scores])
            if len(seen) > self.per_mentor:
                seen = np.partition(seen, len(seen) - self.per_mentor, axis=0)
                seen = seen[len(seen) - self.per_mentor :]
            self.top = seen
        return True

    def marks(self, mentor: np.ndarray, score: np.ndarray) -> np.ndarray:
        """For each pair of the graph, whether it is among the best of its row or its mentor."""
        rows = np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=bool)
        if self.per_mentor <= 0:
            return rows
        if len(self.top) < self.per_mentor:  # fewer rows than that: every pair is kept
            return np.ones(len(score), dtype=bool)
        return rows | (score >= self.top.min(axis=0)[mentor])


def _block_rules(
    c: Cohort, data: MatchInput, who: np.ndarray, banned: tuple[np.ndarray, ...]
) -> np.ndarray:
    """Profile points of mentees `who` with every mentor, -inf where a hard rule fails."""
    e, m, rules = c.mentees, c.mentors, data.rules
    points = np.take(np.take(c.profile_points, e.profile[who], axis=0), m.profile, axis=1)
    if rules.mentor_more_junior:
        points[m.grade[None, :] >= e.grade[who][:, None]] = -np.inf
    if rules.cross_department:
        points[e.department[who][:, None] == m.department[None, :]] = -np.inf
    at = np.searchsorted(who, banned[0])
    hit = (at < len(who)) & (who[np.minimum(at, len(who) - 1)] == banned[0])
    points[at[hit], banned[1][hit]] = -np.inf
    return points


def feasible_graph(
    c: Cohort, data: MatchInput, rows: np.ndarray, best: tuple[int, int] | None = None
) -> Graph:
    """Every pair of a mentee in `rows` (sorted) with a mentor that keeps every hard rule;
    `best` = (per row, per mentor) also marks each row's and each mentor's best pairs."""
    e, m = c.mentees, c.mentors
    width = len(m.grade)
    marking = _Best(*best, width) if best else None
    banned = tuple(np.concatenate([a, b]) for a, b in zip(c.line, c.forbidden, strict=True))
    block = max(1, BLOCK_CELLS // max(width, 1))
    columns = np.tile(np.arange(width, dtype=np.int32), min(block, len(rows)))
    # Topic-table indices are whole numbers: float32 holds them exactly up to 2**24, at half the
    # memory traffic of 64 bits.
    small = len(c.topic_points) <= 2**24
    exact, index = (np.float32, np.int32) if small else (np.float64, np.int64)
    counts, mentor, score = [], [], []
    for lo in range(0, len(rows), block):
        who = rows[lo : lo + block]
        scores = _block_rules(c, data, who, banned)
        key = (e.topics[who] @ m.topics.T).astype(exact, copy=False)
        key *= c.topic_stride
        key += e.topic_key[who].astype(exact)[:, None]
        key += m.topic_key.astype(exact)[None, :]
        scores += c.topic_points[key.astype(index)]
        ok = np.isfinite(scores)
        if marking is not None and not marking.add(scores, ok):
            marking = None
        flat = np.flatnonzero(ok)
        counts.append(ok.sum(axis=1))
        mentor.append(columns[flat])
        score.append(scores.ravel()[flat])
    start = np.concatenate([[0], np.cumsum(np.concatenate(counts))]) if counts else np.zeros(1)
    mentors = np.concatenate(mentor) if mentor else np.zeros(0, np.int32)
    scored = np.concatenate(score) if score else np.zeros(0)
    return Graph(
        start=start.astype(np.int64),
        mentor=mentors,
        score=scored,
        best=None if marking is None else marking.marks(mentors, scored),
    )
