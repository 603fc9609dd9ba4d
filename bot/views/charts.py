"""The report's chart: pulse averages per round, sessions held per week and retention (the
share of mentors, mentees and the workspace still active at each point), as a PNG.
CPU-bound (matplotlib): callers run it off the event loop."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.services.reports import PULSE_QUESTIONS, Report

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Pulse measures often share their averages (two questions both at 4.0): each line gets its own
# marker and dash, and sits a little to the side of its round, so none hides behind another.
PULSE_STYLES = {
    "value": ("o", "-"),
    "balance": ("s", "--"),
    "openness": ("^", "-."),
    "breadth": ("D", ":"),
}
SIDE_STEP = 0.06  # of a round, between neighbouring lines
# Retention's groups, each with its marker and dash: the workspace is the baseline.
RETENTION_STYLES = {
    "mentors": ("o", "-"),
    "mentees": ("s", "--"),
    "workspace": ("^", ":"),
}


def trends_png(report: Report) -> bytes:
    figure = trends_figure(report)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def trends_figure(report: Report) -> Figure:
    import matplotlib  # heavy: only when a chart is drawn

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 9), dpi=100)
    pulse, sessions, retention = figure.subplots(3, 1)
    _pulse_lines(pulse, report)
    pulse.set_title(f"{report.programme}: pulse averages per round (1–5)")

    weeks = report.sessions_by_week
    if weeks:
        days = list(weeks)
        sessions.bar(days, list(weeks.values()), width=5)
        sessions.set_title("Sessions held per week")
    else:
        sessions.text(0.5, 0.5, "No sessions logged yet", ha="center", va="center")
        sessions.set_axis_off()
    _retention_lines(retention, report)
    figure.tight_layout()
    return figure


def _retention_lines(axes: Axes, report: Report) -> None:
    r = report.retention
    points = r.points if r else []
    series = {
        group: [(n, getattr(p, group)) for n, p in enumerate(points)] for group in RETENTION_STYLES
    }
    shown = {g: [(n, v) for n, v in s if v is not None] for g, s in series.items()}
    if not any(shown.values()):
        why = "no point reached yet" if not points else "groups too small to show"
        axes.text(0.5, 0.5, f"Retention: {why}", ha="center", va="center")
        axes.set_axis_off()
        return
    middle = (len(RETENTION_STYLES) - 1) / 2
    for n, (group, values) in enumerate(shown.items()):
        if values:
            marker, dashes = RETENTION_STYLES[group]
            side = (n - middle) * SIDE_STEP  # equal shares stay apart, as pulse lines do
            xs, ys = zip(*values, strict=True)
            axes.plot(
                [x + side for x in xs],
                [100 * y for y in ys],
                marker=marker,
                linestyle=dashes,
                label=group,
            )
    axes.set_xticks(range(len(points)), [p.label for p in points])
    axes.set_xlim(-0.5, len(points) - 0.5)
    axes.set_ylim(0, 105)
    axes.set_ylabel("% still active")
    hidden = [g for g, values in shown.items() if not values]
    note = f" ({', '.join(hidden)}: too few to show)" if hidden else ""
    axes.set_title(f"Retention: still in the workspace{note}")
    axes.legend(loc="lower left", fontsize="small")


def _pulse_lines(pulse: Axes, report: Report) -> None:
    shown = [p for p in report.pulses if p.averages is not None]
    if not shown:
        pulse.text(0.5, 0.5, "Pulse surveys: not enough answers yet", ha="center", va="center")
        pulse.set_axis_off()
        return
    rounds = [p.number for p in shown]
    middle = (len(PULSE_QUESTIONS) - 1) / 2
    for n, question in enumerate(PULSE_QUESTIONS):
        marker, dashes = PULSE_STYLES[question]
        side = (n - middle) * SIDE_STEP
        values = [p.averages[question] for p in shown if p.averages]
        pulse.plot(
            [r + side for r in rounds],
            values,
            marker=marker,
            linestyle=dashes,
            markersize=6,
            label=question,
        )
    pulse.set_ylim(0.75, 5.25)  # room for a whole marker at 1 and at 5
    pulse.set_yticks([1, 2, 3, 4, 5])
    pulse.set_xticks(rounds)
    pulse.legend(loc="lower right", fontsize="small")
