"""Calendar arithmetic on dates and datetimes."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import TypeVar

Moment = TypeVar("Moment", date, datetime)


def add_months(moment: Moment, months: int) -> Moment:
    """The same day `months` later (the last day of the month when it has fewer).

    Kept here rather than taking dateutil for one function: relativedelta does the
    same, and this is tested on every month end (tests/core/test_dates.py)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
