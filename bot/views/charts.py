"""The report's chart: pulse averages per round and sessions held per week, as a PNG.
CPU-bound (matplotlib): callers run it off the event loop."""

from __future__ import annotations

import io

from bot.services.reports import PULSE_QUESTIONS, Report


def trends_png(report: Report) -> bytes:
    import matplotlib  # heavy: only when a chart is drawn

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 6), dpi=100)
    pulse, sessions = figure.subplots(2, 1)
    shown = [p for p in report.pulses if p.averages is not None]
    if shown:
        rounds = [p.number for p in shown]
        for question in PULSE_QUESTIONS:
            values = [p.averages[question] for p in shown if p.averages]
            pulse.plot(rounds, values, marker="o", label=question)
        pulse.set_ylim(1, 5)
        pulse.set_xticks(rounds)
        pulse.legend(loc="lower right", fontsize="small")
    else:
        pulse.text(0.5, 0.5, "Pulse surveys: not enough answers yet", ha="center", va="center")
        pulse.set_axis_off()
    pulse.set_title(f"{report.programme}: pulse averages per round (1–5)")

    weeks = report.sessions_by_week
    if weeks:
        days = list(weeks)
        sessions.bar(days, list(weeks.values()), width=5)
        sessions.set_title("Sessions held per week")
    else:
        sessions.text(0.5, 0.5, "No sessions logged yet", ha="center", va="center")
        sessions.set_axis_off()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
