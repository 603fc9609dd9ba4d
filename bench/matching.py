"""Matching engine speed and memory, each beside an anchor measured in the same run, and its
score against a greedy baseline, on random cohorts.

    .venv/bin/python bench/matching.py [--cases 1000x1000,1250x5000,sparse20000]
                                       [--anchor-timeout 600] [--no-loop]

Cases: 1,000 mentors with 1,000 mentees; 1,250 mentors (capacity 4) with 5,000 mentees; and a
20,000-person cohort (8,000 mentors with capacity 2, 12,000 mentees) in 24 time zones, matched
within one hour of each other and across departments, so the hard rules leave few pairs.

Each case runs in a fresh process, so its peak memory (the process's peak RSS: interpreter,
libraries, the cohort and the engine) is its own; its garbage collector is set as the engine's
worker process sets it. For each it prints one `match` call's time (scoring every pair
included; the process's first, so its memory is new to it), the anchor, SciPy's
`linear_sum_assignment` alone on a random dense matrix of the same size (mentees x mentor
places), timed in its own fresh process, and the ratio of the two; the share of pairs the
rules allow; and the total score against greedy (each mentee in turn takes the best mentor
left). The load average is printed before and after each case, since other work may share the
machine.

Then the 1,250 x 5,000 match again while the event loop ticks every millisecond, twice: in a
thread (how `/mentoring-admin match` ran it before; SciPy holds the GIL, so this is the
anchor) and as the app runs it now, in the engine's worker process (its input and result
moved across as the app moves them), beside the same ticks with nothing running (the noise
floor of a shared machine); all with the app's garbage-collector settings. The worst and
99th-percentile delay of those ticks is how long an acknowledgement could have waited; each
line gives the match's own time too.

Targets (one core): 1,000 x 1,000 in <= 0.25 s, 1,250 x 5,000 in <= 3 s under 400 MB, the
sparse 20,000 in <= 30 s; never below greedy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# One core, as the targets say; must be set before numpy loads its thread pools.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bot.collector import tune_garbage_collector  # noqa: E402
from bot.services.matching.engine import match  # noqa: E402
from bot.services.matching.graph import cohort as arrays  # noqa: E402
from bot.services.matching.graph import feasible_graph  # noqa: E402
from bot.services.matching.model import Candidate, MatchInput, Rules  # noqa: E402
from bot.services.matching.process import EngineProcess  # noqa: E402

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
# The sparse cohort: more departments, every whole-hour time zone.
MANY_DEPARTMENTS = [*DEPARTMENTS, "Support", "Research", "Design", "Facilities", "Procurement"]
ALL_OFFSETS = [float(h) for h in range(-11, 13)]

CASES = {
    "1000x1000": {"mentors": 1000, "mentees": 1000, "capacity": 1, "sparse": False},
    "1250x5000": {"mentors": 1250, "mentees": 5000, "capacity": 4, "sparse": False},
    "sparse20000": {"mentors": 8000, "mentees": 12000, "capacity": 2, "sparse": True},
}
TARGETS = {"1000x1000": 0.25, "1250x5000": 3.0, "sparse20000": 30.0}


def cohort(mentors: int, mentees: int, capacity: int, seed: int, sparse: bool) -> MatchInput:
    rng = random.Random(seed)
    departments = MANY_DEPARTMENTS if sparse else DEPARTMENTS
    offsets = ALL_OFFSETS if sparse else OFFSETS

    def people(prefix: str, count: int, grades: tuple[int, int]) -> list[Candidate]:
        return [
            Candidate(
                id=f"{prefix}{i:05d}",
                department=rng.choice(departments),
                grade_level=rng.randint(*grades),
                topics=frozenset(rng.sample(TOPICS, rng.randint(1, 4))),
                personality=rng.choice(["introvert", "extrovert", "either"]),
                medium=rng.choice(["video", "in_person", "site_visit", "any"]),
                utc_offset_hours=rng.choice(offsets),
            )
            for i in range(count)
        ]

    juniors = people("m", mentors, (1, 5) if sparse else (1, 4))
    seniors = people("e", mentees, (3, 7) if sparse else (4, 7))
    # Reporting lines: some mentors report to some mentees, up to two levels.
    managers = {m.id: rng.choice(seniors).id for m in juniors if rng.random() < 0.3}
    forbidden = frozenset(
        (rng.choice(juniors).id, rng.choice(seniors).id) for _ in range(mentees // 10)
    )
    rules = Rules(
        mentor_capacity=capacity,
        max_tz_gap_hours=1 if sparse else 8,
        cross_department=sparse,
        reporting_line_depth=2,
    )
    return MatchInput(tuple(juniors), tuple(seniors), rules, forbidden=forbidden, managers=managers)


def greedy_and_density(data: MatchInput) -> tuple[int, float, float]:
    """(pairs, total score) when each mentee in turn takes the best mentor left with room, and
    the share of all pairs the hard rules allow."""
    rows = np.arange(len(data.mentees))
    graph = feasible_graph(arrays(data), data, rows)
    load = np.zeros(len(data.mentors), dtype=int)
    pairs, total = 0, 0.0
    for r in rows:
        lo, hi = graph.start[r], graph.start[r + 1]
        mentors, scores = graph.mentor[lo:hi], graph.score[lo:hi]
        open_ = load[mentors] < data.rules.mentor_capacity
        if open_.any():
            k = int(np.argmax(np.where(open_, scores, -np.inf)))
            load[mentors[k]] += 1
            total += float(scores[k])
            pairs += 1
    density = len(graph.score) / max(len(data.mentees) * len(data.mentors), 1)
    return pairs, total, density


async def ticking_while(work: Awaitable[object]) -> tuple[float, float, float]:
    """(seconds `work` took, worst tick delay ms, p99 tick delay ms) while the event loop
    ticks every millisecond beside it."""
    delays: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            delays.append((time.perf_counter() - before - 0.001) * 1000)

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await work
    elapsed = time.perf_counter() - started
    done.set()
    await ticker
    delays.sort()
    return elapsed, delays[-1], delays[int(len(delays) * 0.99)]


async def loop_delay_while_matching(data: MatchInput) -> dict[str, object]:
    """The match off the event loop two ways: in a thread (how the app ran it before, the
    anchor) and in the app's engine process (started and warm first, as the app keeps it)."""
    loop = asyncio.get_running_loop()
    tune_garbage_collector()  # as `run` and `serve` do once started
    idle = await ticking_while(asyncio.sleep(1.5))
    with ThreadPoolExecutor(max_workers=1) as cpu:
        thread = await ticking_while(loop.run_in_executor(cpu, match, data, lambda stage: None))
    engine = EngineProcess()
    try:
        started = time.perf_counter()
        await engine.start()
        start = time.perf_counter() - started
        # The worker's first match pays for its memory (page faults); the app's worker is
        # long-lived, so its next matches are the usual case.
        first = await ticking_while(engine.match(data, lambda stage: None))
        process = await ticking_while(engine.match(data, lambda stage: None))
    finally:
        await engine.close()
    return {"idle": idle, "thread": thread, "first": first, "process": process, "start": start}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(name: str, loop_delay: bool) -> dict[str, object]:
    """Runs in its own process: one case's figures."""
    spec = CASES[name]
    tune_garbage_collector()  # as the engine's worker process does once started
    data = cohort(
        int(spec["mentors"]),
        int(spec["mentees"]),
        int(spec["capacity"]),
        seed=int(spec["mentors"]) + int(spec["mentees"]),
        sparse=bool(spec["sparse"]),
    )
    before = peak_mb()
    started = time.perf_counter()
    result = match(data)
    elapsed = time.perf_counter() - started
    figures: dict[str, object] = {
        "seconds": elapsed,
        "peak_mb": peak_mb(),
        "before_mb": before,
        "pairs": len(result.pairs),
        "total": result.total_score,
        "unmatched": len(result.unmatched),
    }
    figures["greedy_pairs"], figures["greedy_total"], figures["density"] = greedy_and_density(data)
    if loop_delay:
        figures["loop"] = asyncio.run(loop_delay_while_matching(data))
    return figures


def run_anchor(rows: int, columns: int) -> float:
    """Runs in its own process: seconds for linear_sum_assignment on a random dense matrix."""
    from scipy.optimize import linear_sum_assignment

    matrix = np.random.default_rng(rows + columns).random((rows, columns))
    started = time.perf_counter()
    linear_sum_assignment(matrix)
    return time.perf_counter() - started


def in_child(arguments: list[str], timeout: float | None = None) -> object:
    """The JSON a fresh process of this script prints for the given arguments."""
    done = subprocess.run(
        [sys.executable, __file__, *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def report(name: str, anchor_timeout: float, loop_delay: bool) -> None:
    spec = CASES[name]
    mentees, places = int(spec["mentees"]), int(spec["mentors"]) * int(spec["capacity"])
    print(
        f"{name}: {spec['mentors']} mentors (capacity {spec['capacity']}) x {mentees} "
        f"mentees ({load()})",
        flush=True,
    )
    ours = in_child(["--child", name] + ([] if loop_delay else ["--no-loop"]))
    assert isinstance(ours, dict)
    try:
        anchor: float | None = float(
            in_child(["--anchor", str(mentees), str(places)], anchor_timeout)
        )  # type: ignore[arg-type]
    except subprocess.TimeoutExpired:
        anchor = None
    anchor_text = f"{anchor:.2f} s" if anchor is not None else f"> {anchor_timeout:.0f} s"
    ratio = (
        f"{ours['seconds'] / anchor:.3f}" if anchor else f"< {ours['seconds'] / anchor_timeout:.3f}"
    )
    print(
        f"  engine {ours['seconds']:.2f} s (target {TARGETS[name]} s) | anchor: "
        f"linear_sum_assignment on a random dense {mentees} x {places} {anchor_text} | "
        f"engine / anchor {ratio}"
    )
    print(
        f"  peak memory {ours['peak_mb']:.0f} MB (process; {ours['before_mb']:.0f} MB before "
        f"the engine ran) | rules allow {ours['density']:.1%} of pairs"
    )
    print(
        f"  {ours['pairs']} pairs, total score {ours['total']:.1f} vs greedy "
        f"{ours['greedy_pairs']} pairs, {ours['greedy_total']:.1f}; {ours['unmatched']} "
        f"unmatched ({load()})",
        flush=True,
    )
    if "loop" in ours:
        loop = ours["loop"]
        assert isinstance(loop, dict)
        started = f"started in {loop['start']:.2f} s beforehand"
        for way, label in (
            ("idle", "with no match (the noise floor)"),
            ("thread", "while this match runs in a thread (the anchor: how it ran before)"),
            ("first", f"while this match runs in the engine's new worker process ({started})"),
            ("process", "while it runs again in that worker process, as later matches do"),
        ):
            elapsed, worst, p99 = loop[way]
            print(
                f"  event loop {label}: {elapsed:.2f} s, tick delay worst {worst:.1f} ms, "
                f"p99 {p99:.2f} ms",
                flush=True,
            )
    print(f"  ({load()})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--anchor-timeout", type=float, default=600.0)
    parser.add_argument("--no-loop", action="store_true", help="skip the event-loop delay")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--anchor", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, not args.no_loop and args.child == "1250x5000")))
        return
    if args.anchor:
        print(json.dumps(run_anchor(*args.anchor)))
        return
    for name in args.cases.split(","):
        report(name, args.anchor_timeout, not args.no_loop)


if __name__ == "__main__":
    main()
