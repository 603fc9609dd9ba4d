"""The report's chart shows every pulse measure, even when several have the same averages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import combinations

from bot.services.reports import PULSE_QUESTIONS, PulseRound, Recommend, Report
from bot.services.retention import Retention, RetentionPoint
from bot.views.charts import trends_figure, trends_png


def report(pulses: list[PulseRound]) -> Report:
    return Report(
        programme_id=1,
        programme="Digital cohort",
        status="running",
        made_on=date(2026, 5, 1),
        minimum=5,
        signed_up={"mentor": 6, "mentee": 6},
        withdrawn=0,
        matched=12,
        chemistry_decided=6,
        chemistry_go=6,
        momentum={},
        held=10,
        planned=36,
        median_gap_days=14.0,
        pulses=pulses,
        uplift=[],
        recommend=Recommend(0, None, None),
        actions_implemented=None,
        actions_for_organisation=0,
        actions_for_organisation_done=0,
        sessions_by_week={date(2026, 2, 2): 3, date(2026, 2, 9): 1},
    )


def same_everywhere(number: int, value: float) -> PulseRound:
    """A round in which all four measures have one average: the worst case for overlap."""
    return PulseRound(number, date(2026, 1, 1 + number), 6, dict.fromkeys(PULSE_QUESTIONS, value))


def test_measures_with_the_same_averages_stay_distinguishable() -> None:
    rounds = [same_everywhere(1, 4.0), same_everywhere(2, 4.0), same_everywhere(3, 5.0)]
    figure = trends_figure(report(rounds))
    pulse = figure.axes[0]
    lines = pulse.get_lines()
    assert [line.get_label() for line in lines] == list(PULSE_QUESTIONS)
    legend = pulse.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == list(PULSE_QUESTIONS)
    # Each line has its own marker and dash, and no point of one sits on a point of another.
    assert len({line.get_marker() for line in lines}) == len(lines)
    assert len({line.get_linestyle() for line in lines}) == len(lines)
    points = {
        line.get_label(): set(zip(line.get_xdata(), line.get_ydata(), strict=True))
        for line in lines
    }
    for a, b in combinations(points, 2):
        assert not points[a] & points[b], (a, b)
    # Every point is still drawn next to its own round, and whole markers fit at 1 and 5.
    for line in lines:
        assert all(abs(x - round(x)) < 0.5 for x in line.get_xdata())
    low, high = pulse.get_ylim()
    assert low < 1 and high > 5


def test_the_chart_is_a_png_with_or_without_pulse_answers() -> None:
    for pulses in ([], [same_everywhere(1, 3.0)]):
        assert trends_png(report(pulses))[:8] == b"\x89PNG\r\n\x1a\n"


def test_retention_draws_each_group_shown_apart_and_names_the_hidden_ones() -> None:
    retention = Retention(
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 7, 1),
        minimum=5,
        mentors=4,
        mentees=6,
        workspace=120,
        points=[
            RetentionPoint("at the end", date(2026, 7, 1), None, 1.0, 1.0),
            RetentionPoint("3 months after", date(2026, 10, 1), None, 5 / 6, 0.95),
        ],
    )
    figure = trends_figure(replace(report([]), retention=retention))
    axes = figure.axes[2]
    lines = {line.get_label(): line for line in axes.get_lines()}
    assert set(lines) == {"mentees", "workspace"}  # mentors: under the minimum
    assert "mentors: too few to show" in axes.get_title()
    assert [round(y, 1) for y in lines["mentees"].get_ydata()] == [100.0, 83.3]
    # Both at 100% at the end: side by side, not one on the other.
    ends = {label: (line.get_xdata()[0], line.get_ydata()[0]) for label, line in lines.items()}
    assert ends["mentees"] != ends["workspace"]
    assert trends_png(replace(report([]), retention=retention))[:8] == b"\x89PNG\r\n\x1a\n"
