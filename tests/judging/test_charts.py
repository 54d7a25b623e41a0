"""The ranking page's chart geometry."""

from __future__ import annotations

from app.judging import charts


def test_a_judges_equal_scores_are_one_dot_as_dark_as_the_stack_they_replace() -> None:
    chart = charts.dots([("Giulia", [3.0, 3.0, 3.0, 5.0, 1.0], 3.0), ("Marco", [4.0], 4.0)])

    giulia, marco = chart.dots
    assert [opacity for _x, opacity in giulia.points] == [0.5, 0.875, 0.5]  # 1, 5 and three 3s
    xs = [x for x, _opacity in giulia.points]
    assert xs == sorted(xs) and len(set(xs)) == 3
    assert giulia.points[1][0] == round(chart.axis.x(3.0), 1) == round(giulia.x_mean, 1)
    assert marco.points == [(round(chart.axis.x(4.0), 1), 0.5)]


def test_a_judge_of_a_hundred_projects_on_a_five_point_scale_is_five_dots() -> None:
    chart = charts.dots([("Giulia", [float(1 + n % 5) for n in range(100)], 3.0)])

    (giulia,) = chart.dots
    assert len(giulia.points) == 5
    assert all(opacity == 1.0 for _x, opacity in giulia.points)  # 20 stacked: opaque


def test_a_judges_dots_are_drawn_as_one_path_per_opacity() -> None:
    chart = charts.dots([("Giulia", [3.0, 3.0, 3.0, 5.0, 1.0], 3.0)])

    (giulia,) = chart.dots
    (one, _o), (three, _t), (five, _f) = giulia.points
    y = round(giulia.y, 1)
    assert giulia.layers == [(0.5, f"M{one} {y}h0M{five} {y}h0"), (0.875, f"M{three} {y}h0")]
