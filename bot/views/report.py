"""The lead's report as Block Kit, and the per-pair CSV. Pure: a Report in, blocks or bytes
out. Counts and averages only; survey figures under the minimum say so instead."""

from __future__ import annotations

import csv
import io

from bot.services.momentum import STATES
from bot.services.reports import NOT_AGREED, PAUSED, Report
from bot.views.blocks import Block, context, count, divider, escape, header, section

NOT_ENOUGH = "not enough answers yet"
CSV_HEADER = (
    "pair_id",
    "mentor",
    "mentee",
    "status",
    "momentum",
    "sessions_held",
    "sessions_planned",
    "first_session",
    "last_session",
    "median_days_between_sessions",
    "average_session_rating",
)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def report_blocks(report: Report) -> list[Block]:
    r = report
    mentors, mentees = r.signed_up.get("mentor", 0), r.signed_up.get("mentee", 0)
    states = [*(str(s) for s in STATES), PAUSED, NOT_AGREED]
    momentum = ", ".join(f"{r.momentum[s]} {s}" for s in states if r.momentum.get(s)) or "no pairs"
    blocks: list[Block] = [
        header(f"Report: {r.programme}"[:150]),
        context(
            f"{r.status.capitalize()} · {r.made_on:%d %b %Y} · survey figures appear over at "
            f"least {r.minimum} answers"
        ),
        section(
            f"*Sign-ups:* {mentors} mentors, {mentees} mentees"
            + (f" ({r.withdrawn} withdrew)" if r.withdrawn else "")
            + f"\n*Match rate:* {_pct(r.match_rate)} of people are in a pair"
            + f"\n*Chemistry meetings:* {_pct(r.chemistry_rate)} said go "
            f"({r.chemistry_go} of {r.chemistry_decided} decided)"
            + f"\n*Pairs by momentum:* {momentum}"
            + f"\n*Sessions:* {r.held} held of {r.planned} planned; median "
            f"{_num(r.median_gap_days, 0)} days between sessions"
            + f"\n*Actions taken back to the organisation:* {r.actions_for_organisation} "
            f"({r.actions_for_organisation_done} done)"
        ),
        divider(),
        section(_pulse_text(r)),
        section(_uplift_text(r)),
        section(_end_text(r)),
        context("Counts and averages only: what pairs wrote and who answered what stay private."),
    ]
    return blocks


def _pulse_text(r: Report) -> str:
    if not r.pulses:
        return "*Pulse surveys:* none yet."
    lines = ["*Pulse surveys* (value, balance, openness, breadth; 1–5)"]
    for p in r.pulses[-8:]:
        if p.averages is None:
            lines.append(f"• #{p.number} ({p.opens_on:%d %b}): {NOT_ENOUGH}")
        else:
            a = p.averages
            lines.append(
                f"• #{p.number} ({p.opens_on:%d %b}, {p.respondents} answers): value "
                f"{a['value']:.1f}, balance {a['balance']:.1f}, openness {a['openness']:.1f}, "
                f"breadth {a['breadth']:.1f}"
            )
    return "\n".join(lines)


def _uplift_text(r: Report) -> str:
    if not r.uplift:
        return "*Objectives:* no re-ratings yet."
    lines = ["*Objectives* (baseline → latest re-rating)"]
    for u in r.uplift[:10]:
        name = escape(u.objective)
        if u.baseline is None or u.later is None:
            lines.append(f"• {name}: {NOT_ENOUGH}")
        else:
            lines.append(
                f"• {name}: {u.baseline:.1f} → {u.later:.1f} "
                f"({u.later - u.baseline:+.1f}, {u.respondents} people, {u.phase})"
            )
    return "\n".join(lines)


def _end_text(r: Report) -> str:
    if r.recommend.respondents == 0:
        return "*End review:* no answers yet."
    if r.recommend.score is None:
        return f"*Would recommend:* {NOT_ENOUGH}"
    implemented = NOT_ENOUGH
    if r.actions_implemented:
        order = ("all", "most", "some", "none")
        implemented = ", ".join(
            f"{r.actions_implemented[k]} {k}" for k in order if r.actions_implemented.get(k)
        )
    return (
        f"*Would recommend:* score {r.recommend.score:+d} (average "
        f"{_num(r.recommend.average)} of 10, {r.recommend.respondents} answers)\n"
        f"*Actions put into practice:* {implemented}"
    )


def pairs_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for p in report.pairs:
        writer.writerow(
            (
                p.pair_id,
                _cell(p.mentor),
                _cell(p.mentee),
                p.status,
                p.momentum,
                p.held,
                p.planned,
                p.first_session.isoformat() if p.first_session else "",
                p.last_session.isoformat() if p.last_session else "",
                "" if p.median_gap_days is None else p.median_gap_days,
                "" if p.average_rating is None else p.average_rating,
            )
        )
    return out.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    # A name starting like a formula would run as one in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def home_summary(report: Report) -> str:
    """One line per figure for the lead's App Home."""
    mentors, mentees = report.signed_up.get("mentor", 0), report.signed_up.get("mentee", 0)
    at_risk = report.momentum.get("at risk", 0) + report.momentum.get("stalled", 0)
    return (
        f"{mentors} mentors, {mentees} mentees · match rate {_pct(report.match_rate)} · "
        f"sessions {report.held}/{report.planned} · {count(at_risk, 'pair')} stalled or at risk"
    )
