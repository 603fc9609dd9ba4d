"""The engine's plain data: who is in the pool, the programme's rules, and the result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "skills": 4.0,  # how much of what the mentee wants the mentor offers
    "topics": 2.0,  # topics in common
    "personality": 1.0,  # introvert with extrovert beats two of a kind
    "medium": 1.0,  # they like to meet the same way
    "time_zone": 2.0,  # overlap of working hours
}


@dataclass(frozen=True)
class Candidate:
    id: str
    department: str
    grade_level: int
    topics: frozenset[str]
    personality: str  # introvert | extrovert | either
    medium: str  # in_person | video | site_visit | any
    utc_offset_hours: float
    manager_id: str | None = None
    taken: int = 0  # mentees a mentor already has from earlier rounds


@dataclass(frozen=True)
class Rules:
    mentor_more_junior: bool = True
    outside_reporting_line: bool = True
    reporting_line_depth: int = 2
    cross_department: bool = False
    max_tz_gap_hours: float | None = None
    mentor_capacity: int = 1
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


@dataclass(frozen=True)
class MatchInput:
    mentors: tuple[Candidate, ...]
    mentees: tuple[Candidate, ...]
    rules: Rules = Rules()
    pinned: frozenset[tuple[str, str]] = frozenset()  # (mentor id, mentee id) the lead fixed
    forbidden: frozenset[tuple[str, str]] = frozenset()  # vetoes, previous pairs, exclusions
    # Line managers of everyone known, participants or not, to follow reporting lines upwards.
    managers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reason:
    criterion: str
    points: float
    text: str


@dataclass(frozen=True)
class Pair:
    mentor_id: str
    mentee_id: str
    score: float
    reasons: tuple[Reason, ...]
    pinned: bool = False

    @property
    def explanation(self) -> str:
        parts = [f"{r.text} (+{r.points:.1f})" for r in self.reasons if r.points > 0]
        return "; ".join(parts) if parts else "No criterion scored; they were the best available."


@dataclass(frozen=True)
class Unmatched:
    person_id: str
    role: str  # mentor | mentee
    reason: str


@dataclass(frozen=True)
class MatchResult:
    pairs: tuple[Pair, ...]
    unmatched: tuple[Unmatched, ...]

    @property
    def total_score(self) -> float:
        return sum(p.score for p in self.pairs)

    @property
    def mean_score(self) -> float:
        return self.total_score / len(self.pairs) if self.pairs else 0.0
