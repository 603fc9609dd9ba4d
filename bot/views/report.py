"""The lead's report as Block Kit, and the per-pair CSV. Pure: a Report in, blocks or bytes
out. Counts and averages only; survey figures under the minimum say so instead."""

from __future__ import annotations

import csv
import io

from bot.services.momentum import STATES
from bot.services.reports import NOT_AGREED, PAUSED, Report
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, join, mrkdwn

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
    shown: list[Block] = [
        blocks.header(f"Report: {r.programme}"[:150]),
        blocks.context(
            mrkdwn(
                "{status} · {made:%d %b %Y} · survey figures appear over at least "
                "{minimum} answers",
                status=r.status.capitalize(),
                made=r.made_on,
                minimum=r.minimum,
            )
        ),
        blocks.section(
            mrkdwn(
                "*Sign-ups:* {mentors} mentors, {mentees} mentees{withdrawn}"
                "\n*Match rate:* {match} of people are in a pair"
                "\n*Chemistry meetings:* {chemistry} said go ({go} of {decided} decided)"
                "\n*Pairs by momentum:* {momentum}"
                "\n*Sessions:* {held} held of {planned} planned; median "
                "{gap} days between sessions"
                "\n*Actions taken back to the organisation:* {org} ({org_done} done)",
                mentors=mentors,
                mentees=mentees,
                withdrawn=f" ({r.withdrawn} withdrew)" if r.withdrawn else "",
                match=_pct(r.match_rate),
                chemistry=_pct(r.chemistry_rate),
                go=r.chemistry_go,
                decided=r.chemistry_decided,
                momentum=momentum,
                held=r.held,
                planned=r.planned,
                gap=_num(r.median_gap_days, 0),
                org=r.actions_for_organisation,
                org_done=r.actions_for_organisation_done,
            )
        ),
        blocks.divider(),
        blocks.section(_pulse_text(r)),
        blocks.section(_uplift_text(r)),
        blocks.section(_end_text(r)),
        blocks.section(_socials_text(r)),
        blocks.context(
            "Counts and averages only: what pairs wrote and who answered what stay private."
        ),
    ]
    return shown


SOCIALS_SHOWN = 10


def _socials_text(r: Report) -> Mrkdwn:
    """Kick-off attendance and the other socials: answers as counts, never names."""
    if not r.socials:
        return mrkdwn("*Kick-off and socials:* none announced.")
    lines = [mrkdwn("*Kick-off and socials* (answers to the invitation)")]
    for line in r.socials[:SOCIALS_SHOWN]:
        event, counts = line.event, line.counts
        if event.cancelled:
            figures = mrkdwn("cancelled")
        elif counts.going is None:
            figures = mrkdwn(
                "{invited} invited, {answered} answered: {none}",
                invited=counts.invited,
                answered=counts.answered,
                none=NOT_ENOUGH,
            )
        else:
            figures = mrkdwn(
                "{going} going, {not_going} not going, {no_answer} no answer of {invited} invited",
                going=counts.going,
                not_going=counts.not_going,
                no_answer=counts.no_answer,
                invited=counts.invited,
            )
        lines.append(
            mrkdwn(
                "• {title} ({at:%d %b %Y}): {figures}",
                title=event.title,
                at=event.starts_at,
                figures=figures,
            )
        )
    return join("\n", lines)


def _pulse_text(r: Report) -> Mrkdwn:
    if not r.pulses:
        return mrkdwn("*Pulse surveys:* none yet.")
    lines = [mrkdwn("*Pulse surveys* (value, balance, openness, breadth; 1–5)")]
    for p in r.pulses[-8:]:
        if p.averages is None:
            lines.append(
                mrkdwn(
                    "• #{number} ({opens:%d %b}): {none}",
                    number=p.number,
                    opens=p.opens_on,
                    none=NOT_ENOUGH,
                )
            )
        else:
            a = p.averages
            lines.append(
                mrkdwn(
                    "• #{number} ({opens:%d %b}, {answers} answers): value {value:.1f}, "
                    "balance {balance:.1f}, openness {openness:.1f}, breadth {breadth:.1f}",
                    number=p.number,
                    opens=p.opens_on,
                    answers=p.respondents,
                    value=a["value"],
                    balance=a["balance"],
                    openness=a["openness"],
                    breadth=a["breadth"],
                )
            )
    return join("\n", lines)


def _uplift_text(r: Report) -> Mrkdwn:
    if not r.uplift:
        return mrkdwn("*Objectives:* no re-ratings yet.")
    lines = [mrkdwn("*Objectives* (baseline → latest re-rating)")]
    for u in r.uplift[:10]:
        if u.baseline is None or u.later is None:
            lines.append(mrkdwn("• {name}: {none}", name=u.objective, none=NOT_ENOUGH))
        else:
            lines.append(
                mrkdwn(
                    "• {name}: {baseline:.1f} → {later:.1f} ({change:+.1f}, {people} people, "
                    "{phase})",
                    name=u.objective,
                    baseline=u.baseline,
                    later=u.later,
                    change=u.later - u.baseline,
                    people=u.respondents,
                    phase=u.phase,
                )
            )
    return join("\n", lines)


def _end_text(r: Report) -> Mrkdwn:
    if r.recommend.respondents == 0:
        return mrkdwn("*End review:* no answers yet.")
    if r.recommend.score is None:
        return mrkdwn("*Would recommend:* {none}", none=NOT_ENOUGH)
    implemented = NOT_ENOUGH
    if r.actions_implemented:
        order = ("all", "most", "some", "none")
        implemented = ", ".join(
            f"{r.actions_implemented[k]} {k}" for k in order if r.actions_implemented.get(k)
        )
    return mrkdwn(
        "*Would recommend:* score {score:+d} (average {average} of 10, {answers} answers)\n"
        "*Actions put into practice:* {implemented}",
        score=r.recommend.score,
        average=_num(r.recommend.average),
        answers=r.recommend.respondents,
        implemented=implemented,
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
                _fixed(p.median_gap_days, 1),  # a median of two gaps can end in .5
                _fixed(p.average_rating, 2),
            )
        )
    return out.getvalue().encode("utf-8")


def _fixed(value: float | None, digits: int) -> str:
    """A CSV number with as many decimals in every row of its column ("14.0", never "14" in
    one row and "14.0" in the next); empty when there is none."""
    return "" if value is None else f"{value:.{digits}f}"


def _cell(text: str) -> str:
    # A name starting like a formula would run as one in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def home_summary(report: Report) -> str:
    """One line per figure for the lead's App Home."""
    mentors, mentees = report.signed_up.get("mentor", 0), report.signed_up.get("mentee", 0)
    at_risk = report.momentum.get("at risk", 0) + report.momentum.get("stalled", 0)
    pairs_at_risk = blocks.count(at_risk, "pair")
    return (
        f"{mentors} mentors, {mentees} mentees · match rate {_pct(report.match_rate)} · "
        f"sessions {report.held}/{report.planned} · {pairs_at_risk} stalled or at risk"
    )
