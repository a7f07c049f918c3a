"""Working days in England and Wales and the service levels of staff queues."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ndx.working_days import (
    add_working_days,
    bank_holidays,
    due_date,
    easter_sunday,
    is_past_due,
    is_working_day,
    service_level,
    working_days_between,
)

# Published on GOV.UK (https://www.gov.uk/bank-holidays), England and Wales.
PUBLISHED = {
    2020: ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"],
    2022: [
        "01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27",
    ],
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    2024: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_bank_holidays_match_the_published_lists(year):
    expected = [date(year, *map(int, day.split("-"))) for day in PUBLISHED[year]]
    assert list(bank_holidays(year)) == expected


def test_substitute_days_are_named():
    assert bank_holidays(2027)[date(2027, 12, 27)] == "Christmas Day (substitute day)"
    assert bank_holidays(2027)[date(2027, 12, 28)] == "Boxing Day (substitute day)"
    assert bank_holidays(2022)[date(2022, 12, 26)] == "Boxing Day"
    assert bank_holidays(2022)[date(2022, 12, 27)] == "Christmas Day (substitute day)"


def test_easter():
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2038) == date(2038, 4, 25)
    assert easter_sunday(2285) == date(2285, 3, 22)


def test_weekends_and_bank_holidays_are_not_working_days():
    assert is_working_day(date(2026, 12, 4))  # a Friday
    assert not is_working_day(date(2026, 12, 5))  # Saturday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day (substitute)


def test_adding_working_days_skips_weekends_and_bank_holidays():
    friday = date(2026, 4, 2)  # the day before Good Friday
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == date(2026, 4, 7)  # after Good Friday and Easter Monday
    assert add_working_days(date(2026, 12, 4), 5) == date(2026, 12, 11)
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    with pytest.raises(ValueError):
        add_working_days(friday, -1)


def test_working_days_between():
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 11)) == 5
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4  # 29, 30, 31, 4
    assert working_days_between(date(2026, 12, 11), date(2026, 12, 4)) == 0


def test_a_datetime_counts_from_its_day_in_london():
    late_evening = datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))  # 1 July in London
    assert add_working_days(late_evening, 1) == date(2026, 7, 2)


def test_service_levels_come_from_settings(settings):
    settings.NDX_SERVICE_LEVELS = {"offers": 5, "applications": 10, "reviews": 3}
    assert service_level("offers") == 5
    received = date(2026, 12, 4)  # Friday
    assert due_date("offers", received) == date(2026, 12, 11)
    assert due_date("reviews", received) == date(2026, 12, 9)
    assert not is_past_due("offers", received, today=date(2026, 12, 11))
    assert is_past_due("offers", received, today=date(2026, 12, 12))
    settings.NDX_SERVICE_LEVELS = {"offers": 2, "applications": 10, "reviews": 3}
    assert due_date("offers", received) == date(2026, 12, 8)
    with pytest.raises(LookupError):
        service_level("frameworks")


def test_every_staff_queue_has_a_service_level(settings):
    assert set(settings.NDX_SERVICE_LEVELS) >= {"offers", "applications", "reviews"}
    assert all(int(days) > 0 for days in settings.NDX_SERVICE_LEVELS.values())
