"""The engine's input and result as pickled chunks of plain tuples, to cross into and out of
the engine's worker process (process.py).

Why chunks of tuples: one `pickle.loads` of a 5,000-pair MatchResult runs for tens of
milliseconds in C without letting go of the GIL, and whichever thread of the app's process
does it stalls the event loop as long. Tuples pickle about ten times faster than dataclasses,
and in chunks the app's side can let the loop run between two of them.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from dataclasses import fields
from operator import attrgetter

from bot.services.matching.model import (
    Candidate,
    MatchInput,
    MatchResult,
    Pair,
    Reason,
    Unmatched,
)

# Each chunk is well under a millisecond of (un)pickling and rebuilding on a quiet machine.
PEOPLE_PER_CHUNK = 200
PAIRS_PER_CHUNK = 50

_candidate_row = attrgetter(*(f.name for f in fields(Candidate)))


def _dump(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def input_chunks(data: MatchInput) -> Iterator[bytes]:
    """The input: first its rules and constraints, then its people a chunk at a time."""
    yield _dump((len(data.mentors), data.rules, data.pinned, data.forbidden, dict(data.managers)))
    people = (*data.mentors, *data.mentees)
    for lo in range(0, len(people), PEOPLE_PER_CHUNK):
        yield _dump([_candidate_row(p) for p in people[lo : lo + PEOPLE_PER_CHUNK]])


def read_input(chunks: Sequence[bytes]) -> MatchInput:
    """What `input_chunks` gave, whole again (in the worker, where stalls harm no one)."""
    mentors, rules, pinned, forbidden, managers = pickle.loads(chunks[0])
    people = [Candidate(*row) for chunk in chunks[1:] for row in pickle.loads(chunk)]
    return MatchInput(
        mentors=tuple(people[:mentors]),
        mentees=tuple(people[mentors:]),
        rules=rules,
        pinned=pinned,
        forbidden=forbidden,
        managers=managers,
    )


def result_chunks(result: MatchResult) -> list[bytes]:
    """The result: the unmatched first (few, short), then the pairs a chunk at a time."""
    chunks = [_dump([(u.person_id, u.role, u.reason) for u in result.unmatched])]
    for lo in range(0, len(result.pairs), PAIRS_PER_CHUNK):
        rows = [
            (
                p.mentor_id,
                p.mentee_id,
                p.score,
                tuple((r.criterion, r.points, r.text) for r in p.reasons),
                p.pinned,
            )
            for p in result.pairs[lo : lo + PAIRS_PER_CHUNK]
        ]
        chunks.append(_dump(rows))
    return chunks


def read_unmatched(chunk: bytes) -> list[Unmatched]:
    """The first chunk of `result_chunks`."""
    return [Unmatched(*row) for row in pickle.loads(chunk)]


def read_pairs(chunk: bytes) -> list[Pair]:
    """One of the later chunks of `result_chunks`."""
    return [
        Pair(mentor, mentee, score, tuple(Reason(*r) for r in reasons), pinned=pinned)
        for mentor, mentee, score, reasons, pinned in pickle.loads(chunk)
    ]
