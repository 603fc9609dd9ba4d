"""Matching engine speed, memory and quality against a greedy baseline, on random cohorts.

    .venv/bin/python bench/matching.py

Prints, for 1,000 mentors with 1,000 mentees and for 1,250 mentors (capacity 4) with 5,000
mentees: the time of one `match` call (building the score matrix included), the peak memory of
the process, and the total score against greedy (each mentee in turn takes the best mentor left).
Targets: at most 1 s and 10 s on one core, under 1 GB, never below greedy.

Then, as `/mentoring-admin match` runs it (in the app's one-thread CPU executor), the largest
match again while the event loop ticks every millisecond: the worst and 99th-percentile delay
of those ticks is how long an acknowledgement could have waited behind the engine.
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# One core, as the target says; must be set before numpy loads its thread pools.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bot.services.matching.engine import match, rule_masks, score_components  # noqa: E402
from bot.services.matching.model import (  # noqa: E402
    DEFAULT_WEIGHTS,
    Candidate,
    MatchInput,
    Rules,
)

TOPICS = [
    "AI",
    "Social media",
    "Hybrid working",
    "Digital tools",
    "D&I",
    "Generational",
    "Data",
    "Security",
    "Customers",
    "Sustainability",
]
DEPARTMENTS = ["Marketing", "Finance", "Engineering", "Sales", "Operations", "People", "Legal"]
OFFSETS = [-8.0, -5.0, 0.0, 1.0, 2.0, 5.5, 8.0, 10.0]


def cohort(mentors: int, mentees: int, capacity: int, seed: int) -> MatchInput:
    rng = random.Random(seed)

    def people(prefix: str, count: int, grades: tuple[int, int]) -> list[Candidate]:
        return [
            Candidate(
                id=f"{prefix}{i:05d}",
                department=rng.choice(DEPARTMENTS),
                grade_level=rng.randint(*grades),
                topics=frozenset(rng.sample(TOPICS, rng.randint(1, 4))),
                personality=rng.choice(["introvert", "extrovert", "either"]),
                medium=rng.choice(["video", "in_person", "site_visit", "any"]),
                utc_offset_hours=rng.choice(OFFSETS),
            )
            for i in range(count)
        ]

    juniors = people("m", mentors, (1, 4))
    seniors = people("e", mentees, (4, 7))
    # Reporting lines: some mentors report to some mentees, up to two levels.
    managers = {m.id: rng.choice(seniors).id for m in juniors if rng.random() < 0.3}
    forbidden = frozenset(
        (rng.choice(juniors).id, rng.choice(seniors).id) for _ in range(mentees // 10)
    )
    rules = Rules(mentor_capacity=capacity, max_tz_gap_hours=8, reporting_line_depth=2)
    return MatchInput(tuple(juniors), tuple(seniors), rules, forbidden=forbidden, managers=managers)


def greedy_total(data: MatchInput) -> tuple[int, float]:
    masks = rule_masks(data)
    feasible = np.logical_and.reduce(list(masks.values())) if masks else None
    weights = {**DEFAULT_WEIGHTS, **dict(data.rules.weights)}
    scores = sum(weights[k] * v for k, v in score_components(data).items())
    load = np.zeros(len(data.mentors), dtype=int)
    total, pairs = 0.0, 0
    for i in range(len(data.mentees)):
        row = np.where(feasible[i] & (load < data.rules.mentor_capacity), scores[i], -np.inf)
        j = int(np.argmax(row))
        if np.isfinite(row[j]):
            load[j] += 1
            total += float(scores[i, j])
            pairs += 1
    return pairs, total


async def loop_delay_while_matching(data: MatchInput) -> tuple[float, float, float]:
    """(engine seconds, worst tick delay ms, p99 tick delay ms) with the engine off the loop."""
    loop = asyncio.get_running_loop()
    delays: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            delays.append((time.perf_counter() - before - 0.001) * 1000)

    ticker = asyncio.create_task(tick())
    with ThreadPoolExecutor(max_workers=1) as cpu:
        started = time.perf_counter()
        await loop.run_in_executor(cpu, match, data, lambda stage: None)
        elapsed = time.perf_counter() - started
    done.set()
    await ticker
    delays.sort()
    return elapsed, delays[-1], delays[int(len(delays) * 0.99)]


def main() -> None:
    for mentors, mentees, capacity in ((1000, 1000, 1), (1250, 5000, 4)):
        data = cohort(mentors, mentees, capacity, seed=mentors + mentees)
        started = time.perf_counter()
        result = match(data)
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        g_pairs, g_total = greedy_total(data)
        print(
            f"{mentors} mentors (capacity {capacity}) x {mentees} mentees: {elapsed:.2f} s, "
            f"peak memory {peak_mb:.0f} MB; {len(result.pairs)} pairs, total score "
            f"{result.total_score:.1f} (mean {result.mean_score:.2f}) vs greedy {g_pairs} pairs, "
            f"{g_total:.1f}; {len(result.unmatched)} unmatched",
            flush=True,
        )
    print("targets: <= 1 s and <= 10 s on one core, < 1 GB, never below greedy")
    elapsed, worst, p99 = asyncio.run(loop_delay_while_matching(data))
    print(
        f"event loop while the largest match runs off it ({elapsed:.1f} s): tick delay worst "
        f"{worst:.1f} ms, p99 {p99:.2f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
