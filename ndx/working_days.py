"""Working days in England and Wales, and the service levels of staff queues.

A working day is Monday to Friday except an England and Wales bank holiday. Bank holidays are
worked out from the rules in the Banking and Financial Dealings Act 1971 as applied each year
(New Year's Day, Good Friday, Easter Monday, the early May and spring bank holidays, the summer
bank holiday, Christmas Day and Boxing Day, with substitute days when they fall at a weekend),
plus the table below of one-off holidays and moved days since 2000. When a new one-off holiday
is announced, add it to ONE_OFF (and to MOVED if it replaces a usual day).

Service levels: settings.NDX_SERVICE_LEVELS gives a target in working days for each staff queue
("offers", "applications", "reviews"). An item received on a day is due `target` working days
later; it is past its service level from the day after that.

    due_date("offers", offer.submitted_at)        # the date a decision is due
    is_past_due("offers", offer.submitted_at)     # flag it on the staff home
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

# One-off bank holidays (royal occasions, the millennium).
ONE_OFF: dict[date, str] = {
    date(2002, 6, 3): "Golden Jubilee bank holiday",
    date(2011, 4, 29): "Royal wedding",
    date(2012, 6, 5): "Diamond Jubilee bank holiday",
    date(2022, 6, 3): "Platinum Jubilee bank holiday",
    date(2022, 9, 19): "State Funeral of Queen Elizabeth II",
    date(2023, 5, 8): "Coronation of King Charles III",
}
# Usual days moved to another date in a given year: {(year, usual name): new date}.
MOVED: dict[tuple[int, str], date] = {
    (2002, "Spring bank holiday"): date(2002, 6, 4),
    (2012, "Spring bank holiday"): date(2012, 6, 4),
    (2020, "Early May bank holiday"): date(2020, 5, 8),
    (2022, "Spring bank holiday"): date(2022, 6, 2),
}


def easter_sunday(year: int) -> date:
    """Easter Day in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    day = following - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def _next_weekday(day: date, taken: set[date]) -> date:
    while day.weekday() >= 5 or day in taken:
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays in `year`: {date: name}."""
    easter = easter_sunday(year)
    usual = {
        "New Year's Day": date(year, 1, 1),
        "Good Friday": easter - timedelta(days=2),
        "Easter Monday": easter + timedelta(days=1),
        "Early May bank holiday": _first_monday(year, 5),
        "Spring bank holiday": _last_monday(year, 5),
        "Summer bank holiday": _last_monday(year, 8),
    }
    days: dict[date, str] = {}
    for name, day in usual.items():
        day = MOVED.get((year, name), day)
        if name == "New Year's Day" and day.weekday() >= 5:
            day, name = _next_weekday(day, set()), "New Year's Day (substitute day)"
        days[day] = name
    # A day at the weekend moves to the next free weekday. When Christmas is a Sunday, Boxing
    # Day keeps its Monday and Christmas moves to the Tuesday.
    christmas = ("Christmas Day", date(year, 12, 25))
    boxing = ("Boxing Day", date(year, 12, 26))
    order = (boxing, christmas) if christmas[1].weekday() == 6 else (christmas, boxing)
    for name, day in order:
        if day.weekday() >= 5 or day in days:
            day, name = _next_weekday(day, set(days)), f"{name} (substitute day)"
        days[day] = name
    days.update({day: name for day, name in ONE_OFF.items() if day.year == year})
    return dict(sorted(days.items()))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def add_working_days(start: date | datetime, days: int) -> date:
    """The date `days` working days after `start` (start itself is not counted).
    add_working_days(Friday, 1) is the next Monday, or Tuesday after a bank holiday Monday."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = _as_date(start)
    for _ in range(days):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    return day


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    """Working days after `start` up to and including `end` (0 when end is not later)."""
    first, last = _as_date(start), _as_date(end)
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def service_level(queue: str) -> int:
    """The target, in working days, for `queue` (a key of settings.NDX_SERVICE_LEVELS)."""
    try:
        return int(settings.NDX_SERVICE_LEVELS[queue])
    except KeyError:
        raise LookupError(f"no service level is set for the {queue!r} queue") from None


def due_date(queue: str, received: date | datetime) -> date:
    """The date a decision on an item of `queue` received on `received` is due."""
    return add_working_days(received, service_level(queue))


def is_past_due(queue: str, received: date | datetime, today: date | None = None) -> bool:
    """True once the due date has gone by without a decision."""
    today = today or timezone.localdate()
    return today > due_date(queue, received)
