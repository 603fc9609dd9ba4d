"""The matching engine: the globally best assignment of mentees to mentors under hard rules.

Pure: plain data in, plain data out. The pairs the hard rules allow are scored into a sparse
graph (graph.py), and assign.py finds the assignment with as many pairs as the rules allow and,
among those, the highest total score, with a proof that no other assignment does better. Pinned
pairs are made first, whatever the rules say; explanations are built for the chosen pairs only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bot.services.matching.assign import best_assignment, shortlist
from bot.services.matching.graph import (
    WORKING_HOURS,
    Cohort,
    cohort,
    components,
    feasible_graph,
    rule_checks,
    total,
)
from bot.services.matching.model import MatchInput, MatchResult, Pair, Reason, Unmatched

RULE_WORDS = {
    "junior": "the mentor would not be the more junior",
    "line": "one reports to the other",
    "forbidden": "vetoed or paired before",
    "department": "same department",
    "time_zone": "too many time zones apart",
}
# Rule checks for people left unmatched go in blocks of about this many pairs.
BLOCK_CELLS = 1 << 20


def rule_masks(data: MatchInput) -> dict[str, np.ndarray]:
    """For each hard rule in force, a mentee x mentor matrix of True where the pair passes."""
    everyone = rule_checks(
        cohort(data), data, np.arange(len(data.mentees))[:, None], np.arange(len(data.mentors))
    )
    return {name: np.array(mask) for name, mask in everyone.items()}


def score_components(data: MatchInput) -> dict[str, np.ndarray]:
    """Each soft criterion for every pair, from 0 to 1 (mentee rows, mentor columns)."""
    c = cohort(data)
    shared = (c.mentees.topics @ c.mentors.topics.T).astype(float)
    return components(
        c, np.arange(len(data.mentees))[:, None], np.arange(len(data.mentors)), shared
    )


def _pairs(
    c: Cohort, data: MatchInput, i: np.ndarray, j: np.ndarray, *, pinned: bool
) -> list[Pair]:
    """Pairs of mentees i[k] with mentors j[k], scored and explained."""
    parts = components(c, i, j)
    scores = total(c, parts).tolist()
    # Python floats from here: far faster than numpy scalars one pair at a time.
    points = {name: (c.weights.get(name, 0.0) * values).tolist() for name, values in parts.items()}
    complementary = (parts["personality"] == 1.0).tolist()
    overlap = (parts["time_zone"] * WORKING_HOURS).tolist()
    pairs = []
    for k, (mentee_at, mentor_at) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        mentee, mentor = data.mentees[mentee_at], data.mentors[mentor_at]
        shared = sorted(mentee.topics & mentor.topics)
        texts = {
            "skills": f"offers {len(shared)} of the {len(mentee.topics)} topics the mentee wants"
            + (f" ({', '.join(shared)})" if shared else ""),
            "topics": "shares topics of interest",
            "personality": "complementary personalities"
            if complementary[k]
            else "one is happy either way",
            "medium": "like to meet the same way",
            "time_zone": f"{overlap[k]:.0f} working hours overlap",
        }
        reasons = tuple(Reason(name, round(points[name][k], 2), texts[name]) for name in parts)
        pairs.append(Pair(mentor.id, mentee.id, scores[k], reasons, pinned=pinned))
    return pairs


def _pin(data: MatchInput, capacity: np.ndarray) -> tuple[list[int], list[int]]:
    """(mentee, mentor) indices of the pinned pairs that can be kept, in order; uses capacity."""
    mentor_index = {p.id: j for j, p in enumerate(data.mentors)}
    mentee_index = {p.id: i for i, p in enumerate(data.mentees)}
    mentees: list[int] = []
    mentors: list[int] = []
    for mentor_id, mentee_id in sorted(data.pinned):
        i, j = mentee_index.get(mentee_id), mentor_index.get(mentor_id)
        if i is None or j is None or i in mentees or capacity[j] == 0:
            continue
        mentees.append(i)
        mentors.append(j)
        capacity[j] -= 1
    return mentees, mentors


Progress = Callable[[str], None]


def match(data: MatchInput, progress: Progress | None = None) -> MatchResult:
    """The best assignment; `progress`, if given, hears each stage as it starts."""
    tell = progress or (lambda stage: None)
    tell("scoring")
    data = MatchInput(
        mentors=tuple(sorted(data.mentors, key=lambda p: p.id)),
        mentees=tuple(sorted(data.mentees, key=lambda p: p.id)),
        rules=data.rules,
        pinned=data.pinned,
        forbidden=data.forbidden,
        managers=data.managers,
    )
    c = cohort(data)
    n, m = len(data.mentees), len(data.mentors)
    capacity = np.array(
        [max(max(data.rules.mentor_capacity, 1) - p.taken, 0) for p in data.mentors],
        dtype=np.int64,
    )
    pin_e, pin_m = _pin(data, capacity)
    pairs = _pairs(
        c, data, np.array(pin_e, dtype=np.int64), np.array(pin_m, dtype=np.int64), pinned=True
    )
    rows = np.setdiff1d(np.arange(n), pin_e)
    graph = feasible_graph(c, data, rows, best=shortlist(capacity))
    tell("assigning")
    mentor_of = best_assignment(graph.start, graph.mentor, graph.score, capacity, graph.best)
    paired = mentor_of >= 0
    pairs += _pairs(c, data, rows[paired], mentor_of[paired], pinned=False)
    busy = np.zeros(m, dtype=bool)
    busy[[*pin_m, *mentor_of[paired].tolist()]] = True
    idle = np.flatnonzero(~busy & np.array([not p.taken for p in data.mentors], dtype=bool))
    # Anyone with an allowed pair fits; only the others need each rule counted.
    alone = rows[~paired]
    mentee_fits = np.diff(graph.start)[~paired] > 0
    mentor_fits = np.bincount(graph.mentor, minlength=m)[idle] > 0
    unmatched = [
        Unmatched(data.mentees[i].id, "mentee", why)
        for i, why in zip(
            alone.tolist(), _why_unmatched(c, data, alone, mentee_fits, "mentee"), strict=True
        )
    ] + [
        Unmatched(data.mentors[j].id, "mentor", why)
        for j, why in zip(
            idle.tolist(), _why_unmatched(c, data, idle, mentor_fits, "mentor"), strict=True
        )
    ]
    pairs.sort(key=lambda p: (p.mentee_id, p.mentor_id))
    return MatchResult(pairs=tuple(pairs), unmatched=tuple(unmatched))


def _why_unmatched(
    c: Cohort, data: MatchInput, people: np.ndarray, fits: np.ndarray, role: str
) -> list[str]:
    """Why each of `people` (mentee or mentor indices) has no pair; `fits` marks those known
    to have someone the rules allow."""
    other = "mentor" if role == "mentee" else "mentee"
    others = np.arange(len(data.mentors) if role == "mentee" else len(data.mentees))
    if not len(others):
        return [f"There is no {other} in the pool yet." for _ in people]
    texts = [
        f"Every {other} who fits was needed for another pair; you stay in the pool for the "
        "next round."
    ] * len(people)
    unknown = np.flatnonzero(~fits)
    block = max(1, BLOCK_CELLS // len(others))
    axis = 1 if role == "mentee" else 0
    for lo in range(0, len(unknown), block):
        at = unknown[lo : lo + block]
        who = people[at]
        pairs = (who[:, None], others) if axis else (others[:, None], who)
        masks = rule_checks(c, data, *pairs)
        allowed = np.ones(np.broadcast(*pairs).shape, dtype=bool)
        for mask in masks.values():
            allowed &= mask
        fitting = np.asarray(allowed.any(axis=axis))
        excluded = {rule: (~mask).sum(axis=axis) for rule, mask in masks.items()}
        for k in np.flatnonzero(~fitting).tolist():
            counts = [
                f"{int(count[k])} ruled out ({RULE_WORDS[rule]})"
                for rule, count in excluded.items()
                if count[k]
            ]
            texts[at[k]] = f"No {other} fits the programme's rules: " + "; ".join(counts) + "."
    return texts


def ranked_mentors(data: MatchInput) -> tuple[Pair, ...]:
    """For the one mentee in `data`: every mentor the hard rules allow who has room for one
    more mentee (the programme's capacity less what they have `taken`), best score first, each
    scored and explained as `match` would. What a mentee choosing their mentor is offered."""
    [mentee] = data.mentees
    data = MatchInput(
        mentors=tuple(sorted(data.mentors, key=lambda p: p.id)),
        mentees=(mentee,),
        rules=data.rules,
        forbidden=data.forbidden,
        managers=data.managers,
    )
    if not data.mentors:
        return ()
    c = cohort(data)
    everyone = np.arange(len(data.mentors))
    allowed = np.array([p.taken < max(data.rules.mentor_capacity, 1) for p in data.mentors])
    for mask in rule_checks(c, data, np.zeros_like(everyone), everyone).values():
        allowed &= mask
    at = np.flatnonzero(allowed)
    ranked = _pairs(c, data, np.zeros_like(at), at, pinned=False)
    return tuple(sorted(ranked, key=lambda p: (-p.score, p.mentor_id)))
