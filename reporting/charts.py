"""Charts drawn on the server as SVG. Each chart is an image with a title and a description
(role="img"); pages show the same figures in a table and sum them up in words, so the chart is
never the only way to read them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

BAR = "#1d70b8"  # GOV.UK blue
TARGET = "#d4351c"  # GOV.UK red
INK = "#0b0c0c"
GRID = "#b1b4b6"
FONT = 'font-family="arial, sans-serif" font-size="14"'


@dataclass
class Point:
    label: str
    value: Decimal | None  # None: no figure for this group (drawn as a gap)
    text: str  # the value as people read it, e.g. 41.2% or £1.2m


def short_money(value: Decimal | float) -> str:
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if amount >= size:
            return f"{sign}£{amount / size:.3g}{suffix}"
    return f"{sign}£{amount:,.0f}"


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _ticks(low: float, high: float, percent: bool) -> tuple[float, float, list[float]]:
    if percent:
        return 0.0, 1.0, [i / 5 for i in range(6)]
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    count = round((end - start) / step)
    return start, end, [start + i * step for i in range(count + 1)]


def _tick_text(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else short_money(value)


def _html(template: str, *args) -> SafeString:
    """format_html with numbers written to one decimal place."""
    return format_html(
        template, *(f"{a:.1f}".rstrip("0").rstrip(".") if isinstance(a, float) else a for a in args)
    )


def _svg(chart_id: str, title: str, description: str, width: int, height: int, body) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="ndx-chart" role="img" '
        'aria-labelledby="{0}-title {0}-desc" viewBox="0 0 {1} {2}" width="{1}" height="{2}" '
        'focusable="false">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>{5}</svg>',
        chart_id,
        width,
        height,
        title,
        description,
        body,
    )


def column_chart(
    chart_id: str,
    points: list[Point],
    *,
    title: str,
    description: str,
    percent: bool,
    target: Decimal | None = None,
    target_label: str = "",
    tick_text=None,
) -> SafeString:
    """Vertical columns, one per group, in order (for trends over time). `tick_text(value)`
    writes the axis labels (default: percentages or money)."""
    width, height = 680, 340
    left, right, top, bottom = 64, 16, 24, 72
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(p.value) for p in points if p.value is not None]
    low, high, ticks = _ticks(min([0.0, *values]), max([0.0, *values]), percent)

    def y(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    parts = []
    for tick in ticks:
        parts.append(
            _html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}" {}>{}</text>',
                left,
                width - right,
                y(tick),
                y(tick),
                GRID,
                left - 6,
                y(tick) + 5,
                INK,
                mark_safe(FONT),  # noqa: S308 (a constant)
                tick_text(tick) if tick_text else _tick_text(tick, percent),
            )
        )
    count = max(len(points), 1)
    slot = plot_w / count
    bar_w = max(min(slot * 0.7, 64), 2)
    label_every = max(1, math.ceil(count / 12))
    rotate = count > 6
    for index, point in enumerate(points):
        x = left + index * slot + (slot - bar_w) / 2
        centre = left + index * slot + slot / 2
        if point.value is not None:
            top_y, base_y = y(max(float(point.value), 0)), y(min(float(point.value), 0))
            parts.append(
                _html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    x,
                    top_y,
                    bar_w,
                    max(base_y - top_y, 1),
                    BAR,
                )
            )
            if count <= 12:
                parts.append(
                    _html(
                        '<text x="{}" y="{}" text-anchor="middle" fill="{}" {}>{}</text>',
                        centre,
                        top_y - 6,
                        INK,
                        mark_safe(FONT),  # noqa: S308 (a constant)
                        point.text,
                    )
                )
        if index % label_every == 0:
            label_y = top + plot_h + 18
            transform = f' transform="rotate(-40 {centre:.1f} {label_y})"' if rotate else ""
            anchor = "end" if rotate else "middle"
            parts.append(
                _html(
                    '<text x="{}" y="{}" text-anchor="{}" fill="{}" {}{}>{}</text>',
                    centre,
                    label_y,
                    anchor,
                    INK,
                    mark_safe(FONT),  # noqa: S308 (a constant)
                    mark_safe(transform),  # noqa: S308 (numbers only)
                    point.label,
                )
            )
    parts.append(
        _html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            left,
            width - right,
            y(0),
            y(0),
            INK,
        )
    )
    if target is not None:
        parts.append(_target_line(left, width - right, y(float(target)), target_label))
    return _svg(chart_id, title, description, width, height, mark_safe("".join(parts)))  # noqa: S308


def _target_line(x1: float, x2: float, y: float, label: str) -> SafeString:
    return _html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" '
        'stroke-dasharray="8 4"/>'
        '<text x="{}" y="{}" text-anchor="end" fill="{}" {}>{}</text>',
        x1,
        x2,
        y,
        y,
        TARGET,
        x2,
        y - 6,
        TARGET,
        mark_safe(FONT),  # noqa: S308 (a constant)
        label,
    )


def bar_chart(
    chart_id: str,
    points: list[Point],
    *,
    title: str,
    description: str,
    target: Decimal | None = None,
    target_label: str = "",
) -> SafeString:
    """Horizontal bars of shares (0 to 100%), one per group (for categories such as lots)."""
    width = 680
    left, right, top, bottom = 270, 64, 28, 36
    row_h = 30
    height = top + bottom + row_h * max(len(points), 1)
    plot_w = width - left - right

    def x(value: float) -> float:
        return left + max(min(value, 1.0), 0.0) * plot_w

    parts = []
    for tick in [i / 5 for i in range(6)]:
        parts.append(
            _html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="middle" fill="{}" {}>{}</text>',
                x(tick),
                x(tick),
                top,
                height - bottom,
                GRID,
                x(tick),
                height - bottom + 20,
                INK,
                mark_safe(FONT),  # noqa: S308 (a constant)
                f"{tick * 100:.0f}%",
            )
        )
    for index, point in enumerate(points):
        y = top + index * row_h
        label = point.label if len(point.label) <= 34 else point.label[:33] + "…"
        parts.append(
            _html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}" {}>{}</text>',
                left - 8,
                y + 20,
                INK,
                mark_safe(FONT),  # noqa: S308 (a constant)
                label,
            )
        )
        if point.value is not None:
            end = x(float(point.value))
            parts.append(
                _html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" fill="{}" {}>{}</text>',
                    left,
                    y + 5,
                    max(end - left, 1),
                    row_h - 10,
                    BAR,
                    end + 6,
                    y + 20,
                    INK,
                    mark_safe(FONT),  # noqa: S308 (a constant)
                    point.text,
                )
            )
    if target is not None:
        tx = x(float(target))
        parts.append(
            _html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="8 4"/>'
                '<text x="{}" y="{}" text-anchor="middle" fill="{}" {}>{}</text>',
                tx,
                tx,
                top - 4,
                height - bottom,
                TARGET,
                tx,
                top - 10,
                TARGET,
                mark_safe(FONT),  # noqa: S308 (a constant)
                target_label,
            )
        )
    return _svg(chart_id, title, description, width, height, mark_safe("".join(parts)))  # noqa: S308
