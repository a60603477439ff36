"""Charts drawn on the server as SVG numbers (no script, nothing fetched): a bar against its
target, and a month-by-month trend line."""

from __future__ import annotations

from dataclasses import dataclass

from api.services.indicator_board import TrendPoint

WIDTH, HEIGHT, PAD = 300, 90, 14


@dataclass(frozen=True)
class Trend:
    points: str  # the polyline's "x,y x,y"
    dots: list[tuple[float, float, str, str]]  # x, y, the month's label, its value shown
    labels: list[tuple[float, str]]  # x, the month's label (every month, counted or not)
    target_y: float | None  # the target's line, for rates
    label_y: float


def _y(value: float, top: float) -> float:
    usable = HEIGHT - 2 * PAD
    return round(HEIGHT - PAD - (value / top) * usable if top else HEIGHT - PAD, 1)


def trend(points: list[TrendPoint], *, rate: bool, target: float | None) -> Trend:
    known = [p.value for p in points if p.value is not None]
    top = 1.0 if rate else max([*known, 1.0])
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    dots = []
    labels = []
    for i, point in enumerate(points):
        x = round(PAD + i * step, 1)
        labels.append((x, point.label))
        if point.value is not None:
            dots.append((x, _y(point.value, top), point.label, point.shown))
    return Trend(
        points=" ".join(f"{x},{y}" for x, y, _, _ in dots),
        dots=dots,
        labels=labels,
        target_y=_y(target, top) if rate and target is not None else None,
        label_y=HEIGHT - 1,
    )


def bar_percent(value: float | None) -> int:
    """The bar's length in percent of its track (0–100)."""
    return 0 if value is None else max(0, min(100, round(value * 100)))
