"""How long from a need to a signed contract: the percentile used by the time to contract report
(reporting) and the comparison a buyer sees on its new contract."""

from __future__ import annotations

from datetime import timedelta

from .models import Contract


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (the 'inclusive' method)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def days(duration: timedelta) -> float:
    return duration.total_seconds() / 86400


def route_median_days(route: str) -> float | None:
    """The national median time to contract on this route, in days (None: no contracts)."""
    durations = [
        days(duration)
        for duration in Contract.objects.filter(
            route=route, time_to_award__isnull=False
        ).values_list("time_to_award", flat=True)
    ]
    return percentile(durations, 0.5) if durations else None
