"""KPI history charts, drawn on the server as SVG (like reporting/charts.py, which contracts may
not import): one line of ratings per KPI, Inadequate (1) to Good (4). Each chart is an image
with a title and a description, and the page shows the same figures in a table."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .models import RATING_SCORES, Rating

LINE = "#1d70b8"
GRID = "#b1b4b6"
FONT = mark_safe('font-family="arial, sans-serif" font-size="13"')  # noqa: S308 (a constant)
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 600, 220, 150, 15, 40


def kpi_chart(chart_id: str, kpi_name: str, results) -> SafeString:
    """A line chart of one KPI's ratings by period ('' when nothing has been reported)."""
    points = [(r.report.period_end, RATING_SCORES.get(r.rating), r) for r in results]
    if not points:
        return mark_safe("")  # noqa: S308 (empty)
    plot_w, plot_h = WIDTH - LEFT - 20, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def y(score: int) -> float:
        return TOP + plot_h - (score - 1) * plot_h / 3

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
        '<text x="{}" y="{}" text-anchor="end" {}>{}</text>',
        (
            (
                LEFT,
                WIDTH - 20,
                y(score),
                y(score),
                GRID,
                LEFT - 8,
                y(score) + 4,
                FONT,
                label,
            )
            for rating, score in RATING_SCORES.items()
            for label in [Rating(rating).label]
        ),
    )
    coords = [(LEFT + i * step, y(score)) for i, (_, score, _) in enumerate(points) if score]
    path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
        ((f"{x:.1f}", f"{yy:.1f}", LINE) for x, yy in coords),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" {}>{}</text>',
        (
            (f"{LEFT + i * step:.1f}", HEIGHT - 12, FONT, f"{day:%b %Y}")
            for i, (day, _, _) in enumerate(points)
        ),
    )
    summary = "; ".join(f"{day:%B %Y}: {r.get_rating_display()}" for day, _, r in points)
    return format_html(
        '<svg class="ndx-chart" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-title">{3}: rating by period</title><desc id="{0}-desc">{4}</desc>'
        '{5}<polyline fill="none" stroke="{6}" '
        'stroke-width="3" points="{7}"/>{8}{9}</svg>',
        chart_id,
        WIDTH,
        HEIGHT,
        kpi_name,
        summary,
        grid,
        LINE,
        path,
        dots,
        labels,
    )
