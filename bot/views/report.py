"""The lead's report as Block Kit, and the per-pair CSV. Pure: a Report in, blocks or bytes
out. Counts and averages only; survey figures under the minimum say so instead."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.services.momentum import STATES
from bot.services.reports import NOT_AGREED, PAUSED, Recommend, Report, Uplift
from bot.services.retention import Retention, RetentionPoint
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.mrkdwn import Mrkdwn, join, mrkdwn
from bot.views.preparation import completion_line

NOT_ENOUGH = "not enough answers yet"
TOO_FEW = "too few to show"
NOT_LISTED = "not listed yet"
RETENTION_HEADER = (
    "point",
    "date",
    "mentors",
    "mentors_still_active_pct",
    "mentees",
    "mentees_still_active_pct",
    "workspace_members",
    "workspace_still_active_pct",
)
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


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


def number(value: float | None, digits: int = 1) -> str:
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
                "\n*Actions taken back to the organisation:* {org} ({org_done} done)"
                "\n*Drifting back to the hierarchy:* {drift}"
                "{preparation}",
                mentors=mentors,
                mentees=mentees,
                withdrawn=f" ({r.withdrawn} withdrew)" if r.withdrawn else "",
                match=percent(r.match_rate),
                chemistry=percent(r.chemistry_rate),
                go=r.chemistry_go,
                decided=r.chemistry_decided,
                momentum=momentum,
                held=r.held,
                planned=r.planned,
                gap=number(r.median_gap_days, 0),
                org=r.actions_for_organisation,
                org_done=r.actions_for_organisation_done,
                drift=_drift_text(r),
                preparation=mrkdwn("\n{line}", line=completion_line(r.preparation))
                if r.preparation
                else "",
            )
        ),
        blocks.divider(),
        blocks.section(_pulse_text(r)),
        blocks.section(_uplift_text(r)),
        blocks.section(_end_text(r)),
        *([blocks.section(_retention_text(r.retention))] if r.retention else []),
        blocks.section(_socials_text(r)),
        blocks.context(
            "Counts and averages only: what pairs wrote and who answered what stay private."
        ),
    ]
    return shown


def _drift_text(r: Report) -> str:
    """Pairs whose mentee did most of the teaching two sessions running, as a count only."""
    if r.drift.drifting is None:
        return f"not enough pairs answered yet (shown from {r.minimum})"
    pairs = blocks.count(r.drift.drifting, "pair")
    return f"{pairs} of {r.drift.assessed} that answered the balance question"


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
    return uplift_text(r.uplift)


def uplift_text(uplift: Sequence[Uplift]) -> Mrkdwn:
    """Each objective's average baseline against its latest re-rating, or that there are not
    enough answers for it yet."""
    if not uplift:
        return mrkdwn("*Objectives:* no re-ratings yet.")
    lines = [mrkdwn("*Objectives* (baseline → latest re-rating)")]
    for u in uplift[:10]:
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
        return recommend_text(r.recommend)
    implemented = NOT_ENOUGH
    if r.actions_implemented:
        order = ("all", "most", "some", "none")
        implemented = ", ".join(
            f"{r.actions_implemented[k]} {k}" for k in order if r.actions_implemented.get(k)
        )
    return mrkdwn(
        "{recommend}\n*Actions put into practice:* {implemented}",
        recommend=recommend_text(r.recommend),
        implemented=implemented,
    )


def recommend_text(recommend: Recommend) -> Mrkdwn:
    """Would-recommend as its net score and average, or that there are not enough answers."""
    if recommend.score is None:
        return mrkdwn("*Would recommend:* {none}", none=NOT_ENOUGH)
    return mrkdwn(
        "*Would recommend:* score {score:+d} (average {average} of 10, {answers} answers)",
        score=recommend.score,
        average=number(recommend.average),
        answers=recommend.respondents,
    )


def _retention_text(r: Retention) -> Mrkdwn:
    if not r.points:
        return mrkdwn(
            "*Retention:* the first figures come when the programme starts ({starts:%d %b %Y}).",
            starts=r.starts_on,
        )
    lines = [
        mrkdwn(
            "*Retention* (still in the workspace; beside everyone in the workspace at the start)"
        )
    ]
    for p in r.points:
        lines.append(
            mrkdwn(
                "• {label} ({on:%d %b %Y}): mentors {mentors}, mentees {mentees}, "
                "workspace {workspace}",
                label=p.label.capitalize(),
                on=p.on,
                mentors=_share(p.mentors),
                mentees=_share(p.mentees),
                workspace=_share(p.workspace, listed=r.workspace is not None),
            )
        )
    if any(p.mentors is None or p.mentees is None for p in r.points):
        lines.append(mrkdwn("_A group of fewer than {n} people shows no figure._", n=r.minimum))
    coming = r.next_point
    if coming is not None:
        lines.append(mrkdwn("Next figures on {on:%d %b %Y}.", on=coming))
    return join("\n", lines)


def _share(value: float | None, *, listed: bool = True) -> str:
    if not listed:
        return NOT_LISTED
    return TOO_FEW if value is None else percent(value)


def retention_csv(report: Report) -> bytes:
    """One row per point reached: each group's size at the start and the share of it still
    active; a share under the minimum group size is left empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RETENTION_HEADER)
    if report.retention is not None:
        writer.writerows(_retention_row(report.retention, p) for p in report.retention.points)
    return out.getvalue().encode("utf-8")


def _retention_row(r: Retention, p: RetentionPoint) -> tuple[str | int, ...]:
    def pct(value: float | None) -> str:
        return _fixed(None if value is None else 100 * value, 1)

    return (
        p.label,
        p.on.isoformat(),
        r.mentors,
        pct(p.mentors),
        r.mentees,
        pct(p.mentees),
        "" if r.workspace is None else r.workspace,
        pct(p.workspace),
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
    drifting = report.drift.drifting
    drift = "" if drifting is None else f" · {blocks.count(drifting, 'pair')} drifting"
    return (
        f"{mentors} mentors, {mentees} mentees · match rate {percent(report.match_rate)} · "
        f"sessions {report.held}/{report.planned} · {pairs_at_risk} stalled or at risk{drift}"
    )
