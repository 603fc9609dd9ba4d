"""The matching engine: the globally best assignment of mentees to mentors under hard rules.

Pure: plain data in, plain data out. Scores and rule checks are computed for all pairs at once
with numpy; the assignment is SciPy's `linear_sum_assignment` over a matrix in which a mentor
with capacity c appears as c columns. Pairs breaking a hard rule cost far more than any score,
so the result has as many pairs as the rules allow and, among those, the highest total score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.services.matching.model import (
    DEFAULT_WEIGHTS,
    Candidate,
    MatchInput,
    MatchResult,
    Pair,
    Reason,
    Unmatched,
)

WORKING_HOURS = 8.0
PERSONALITY_CODES = {"introvert": 0, "extrovert": 1, "either": 2}
RULE_WORDS = {
    "junior": "the mentor would not be the more junior",
    "line": "one reports to the other",
    "forbidden": "vetoed or paired before",
    "department": "same department",
    "time_zone": "too many time zones apart",
}


def _hour_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hours between UTC offsets, the short way round the clock."""
    gap = np.abs(a[:, None] - b[None, :]) % 24
    return np.minimum(gap, 24 - gap)


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


def rule_masks(data: MatchInput) -> dict[str, np.ndarray]:
    """For each hard rule in force, a mentee x mentor matrix of True where the pair passes."""
    mentees, mentors, rules = data.mentees, data.mentors, data.rules
    n, m = len(mentees), len(mentors)
    masks: dict[str, np.ndarray] = {}
    if rules.mentor_more_junior:
        grade_e = np.array([p.grade_level for p in mentees])
        grade_m = np.array([p.grade_level for p in mentors])
        masks["junior"] = grade_m[None, :] < grade_e[:, None]
    if rules.outside_reporting_line:
        managers = dict(data.managers)
        for person in (*mentees, *mentors):
            if person.manager_id:
                managers.setdefault(person.id, person.manager_id)
        line = np.ones((n, m), dtype=bool)
        mentor_index = {p.id: j for j, p in enumerate(mentors)}
        mentee_index = {p.id: i for i, p in enumerate(mentees)}
        for i, mentee in enumerate(mentees):
            for boss in _ancestors(mentee.id, managers, rules.reporting_line_depth):
                if boss in mentor_index:
                    line[i, mentor_index[boss]] = False
        for j, mentor in enumerate(mentors):
            for boss in _ancestors(mentor.id, managers, rules.reporting_line_depth):
                if boss in mentee_index:
                    line[mentee_index[boss], j] = False
        masks["line"] = line
    if data.forbidden:
        allowed = np.ones((n, m), dtype=bool)
        mentor_index = {p.id: j for j, p in enumerate(mentors)}
        mentee_index = {p.id: i for i, p in enumerate(mentees)}
        for mentor_id, mentee_id in data.forbidden:
            if mentor_id in mentor_index and mentee_id in mentee_index:
                allowed[mentee_index[mentee_id], mentor_index[mentor_id]] = False
        masks["forbidden"] = allowed
    if rules.cross_department:
        dept_e = np.array([p.department.casefold() for p in mentees], dtype=object)
        dept_m = np.array([p.department.casefold() for p in mentors], dtype=object)
        masks["department"] = dept_e[:, None] != dept_m[None, :]
    if rules.max_tz_gap_hours is not None:
        gap = _hour_gap(
            np.array([p.utc_offset_hours for p in mentees], dtype=float),
            np.array([p.utc_offset_hours for p in mentors], dtype=float),
        )
        masks["time_zone"] = gap <= rules.max_tz_gap_hours
    return masks


def score_components(data: MatchInput) -> dict[str, np.ndarray]:
    """Each soft criterion for every pair, from 0 to 1 (mentee rows, mentor columns)."""
    mentees, mentors = data.mentees, data.mentors
    vocabulary = sorted({t for p in (*mentees, *mentors) for t in p.topics})
    column = {t: k for k, t in enumerate(vocabulary)}

    def hot(people: Sequence[Candidate]) -> np.ndarray:
        matrix = np.zeros((len(people), len(vocabulary)))
        for row, person in enumerate(people):
            matrix[row, [column[t] for t in person.topics]] = 1.0
        return matrix

    wanted, offered = hot(mentees), hot(mentors)
    shared = wanted @ offered.T
    n_wanted = wanted.sum(axis=1)[:, None]
    n_offered = offered.sum(axis=1)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(n_wanted > 0, shared / n_wanted, 0.0)
        union = n_wanted + n_offered - shared
        jaccard = np.where(union > 0, shared / union, 0.0)

    pers_e = np.array([PERSONALITY_CODES.get(p.personality, 2) for p in mentees])[:, None]
    pers_m = np.array([PERSONALITY_CODES.get(p.personality, 2) for p in mentors])[None, :]
    either = (pers_e == 2) | (pers_m == 2)
    personality = np.where(either, 0.5, np.where(pers_e != pers_m, 1.0, 0.0))

    med_e = np.array([p.medium for p in mentees], dtype=object)[:, None]
    med_m = np.array([p.medium for p in mentors], dtype=object)[None, :]
    medium = ((med_e == med_m) | (med_e == "any") | (med_m == "any")).astype(float)

    gap = _hour_gap(
        np.array([p.utc_offset_hours for p in mentees], dtype=float),
        np.array([p.utc_offset_hours for p in mentors], dtype=float),
    )
    overlap = np.clip(WORKING_HOURS - gap, 0, None) / WORKING_HOURS
    return {
        "skills": coverage,
        "topics": jaccard,
        "personality": personality,
        "medium": medium,
        "time_zone": overlap,
    }


def _reasons(
    components: dict[str, np.ndarray], weights: dict[str, float], i: int, j: int, data: MatchInput
) -> tuple[Reason, ...]:
    mentee, mentor = data.mentees[i], data.mentors[j]
    shared = sorted(mentee.topics & mentor.topics)
    texts = {
        "skills": f"offers {len(shared)} of the {len(mentee.topics)} topics the mentee wants"
        + (f" ({', '.join(shared)})" if shared else ""),
        "topics": "shares topics of interest",
        "personality": "complementary personalities"
        if components["personality"][i, j] == 1.0
        else "one is happy either way",
        "medium": "like to meet the same way",
        "time_zone": f"{components['time_zone'][i, j] * WORKING_HOURS:.0f} working hours overlap",
    }
    return tuple(
        Reason(name, round(float(weights.get(name, 0.0) * values[i, j]), 2), texts[name])
        for name, values in components.items()
    )


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
    mentors, mentees, rules = data.mentors, data.mentees, data.rules
    weights = {**DEFAULT_WEIGHTS, **dict(rules.weights)}
    n, m = len(mentees), len(mentors)
    masks = rule_masks(data)
    feasible = np.ones((n, m), dtype=bool)
    for mask in masks.values():
        feasible &= mask
    components = score_components(data) if n and m else {}
    scores = np.zeros((n, m))
    for name, values in components.items():
        scores += weights.get(name, 0.0) * values

    mentor_index = {p.id: j for j, p in enumerate(mentors)}
    mentee_index = {p.id: i for i, p in enumerate(mentees)}
    capacity = np.array(
        [max(max(rules.mentor_capacity, 1) - p.taken, 0) for p in mentors], dtype=int
    )
    pairs: list[Pair] = []
    taken_mentees: set[int] = set()
    for mentor_id, mentee_id in sorted(data.pinned):
        i, j = mentee_index.get(mentee_id), mentor_index.get(mentor_id)
        if i is None or j is None or i in taken_mentees or capacity[j] == 0:
            continue
        taken_mentees.add(i)
        capacity[j] -= 1
        reasons = _reasons(components, weights, i, j, data)
        pairs.append(Pair(mentor_id, mentee_id, float(scores[i, j]), reasons, pinned=True))

    rows = [i for i in range(n) if i not in taken_mentees]
    columns = np.repeat(np.arange(m), capacity)
    matched_rows: set[int] = set()
    matched_mentors: set[int] = {mentor_index[p.mentor_id] for p in pairs}
    tell("assigning")
    if rows and len(columns):
        penalty = float(np.abs(scores).sum()) + 1.0  # worse than any total of real scores
        grid = np.ix_(np.array(rows), columns)
        matrix = np.where(feasible[grid], scores[grid], -penalty)
        row_ind, col_ind = linear_sum_assignment(matrix, maximize=True)
        for r, c in zip(row_ind, col_ind, strict=True):
            i, j = rows[r], int(columns[c])
            if not feasible[i, j]:
                continue
            matched_rows.add(i)
            matched_mentors.add(j)
            reasons = _reasons(components, weights, i, j, data)
            pairs.append(Pair(mentors[j].id, mentees[i].id, float(scores[i, j]), reasons))

    unmatched = [
        Unmatched(mentees[i].id, "mentee", _why_unmatched(i, masks, feasible, "mentee"))
        for i in rows
        if i not in matched_rows
    ] + [
        Unmatched(mentors[j].id, "mentor", _why_unmatched(j, masks, feasible, "mentor"))
        for j in range(m)
        if j not in matched_mentors and not mentors[j].taken
    ]
    pairs.sort(key=lambda p: (p.mentee_id, p.mentor_id))
    return MatchResult(pairs=tuple(pairs), unmatched=tuple(unmatched))


def _why_unmatched(
    index: int, masks: dict[str, np.ndarray], feasible: np.ndarray, role: str
) -> str:
    other = "mentor" if role == "mentee" else "mentee"
    axis_feasible = feasible[index, :] if role == "mentee" else feasible[:, index]
    if axis_feasible.size == 0:
        return f"There is no {other} in the pool yet."
    if axis_feasible.any():
        return (
            f"Every {other} who fits was needed for another pair; you stay in the pool for the "
            "next round."
        )
    counts = []
    for rule, mask in masks.items():
        passes = mask[index, :] if role == "mentee" else mask[:, index]
        excluded = int((~passes).sum())
        if excluded:
            counts.append(f"{excluded} ruled out ({RULE_WORDS[rule]})")
    return f"No {other} fits the programme's rules: " + "; ".join(counts) + "."


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
    weights = {**DEFAULT_WEIGHTS, **dict(data.rules.weights)}
    feasible = np.ones((1, len(data.mentors)), dtype=bool)
    for mask in rule_masks(data).values():
        feasible &= mask
    components = score_components(data)
    scores = np.zeros(len(data.mentors))
    for name, values in components.items():
        scores += weights.get(name, 0.0) * values[0]
    room = max(data.rules.mentor_capacity, 1)
    ranked = [
        Pair(mentor.id, mentee.id, float(scores[j]), _reasons(components, weights, 0, j, data))
        for j, mentor in enumerate(data.mentors)
        if feasible[0, j] and mentor.taken < room
    ]
    return tuple(sorted(ranked, key=lambda p: (-p.score, p.mentor_id)))
