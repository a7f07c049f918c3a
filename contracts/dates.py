"""Date arithmetic for contract terms: months added and counted, and working days (Monday to
Friday, bank holidays in England and Wales for the years NDX runs in)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

# Bank holidays in England and Wales, 2025 to 2028 (gov.uk/bank-holidays).
BANK_HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in (
        "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26 "
        "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28 "
        "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28 "
        "2028-01-03 2028-04-14 2028-04-17 2028-05-01 2028-05-29 2028-08-28 2028-12-25 2028-12-26"
    ).split()
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`, rounded up (0 when end is not after start)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) < end:
        months += 1
    return months


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def working_days_after(day: date, count: int) -> date:
    """The date `count` working days after `day`."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            count -= 1
    return current
