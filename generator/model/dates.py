"""Days as ordinals (`datetime.date.toordinal`) and the forms the records write them in; the dataset's export day.

The simulation counts days as ints; records carry ISO dates (`YYYY-MM-DD`) and instants. Conversions are
cached: a dataset spans a few hundred distinct days.
"""
from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np

EPOCH = dt.date(1970, 1, 1).toordinal()       # numpy's datetime64[D] counts days from it
EXPORT_LAG_DAYS = 14                           # a dataset is exported two weeks after its period's last day


@cache
def iso(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


@cache
def stamp(ordinal: int) -> str:
    """The instant a day starts (UTC), as FHIR's meta.lastUpdated writes it."""
    return f"{iso(ordinal)}T00:00:00.000+00:00"


@cache
def year_of(ordinal: int) -> int:
    return dt.date.fromordinal(ordinal).year


def weekday(ordinal: int) -> int:
    """The day of the week of the day `ordinal`: Monday 0 .. Sunday 6 (ordinal 1, 0001-01-01, is a Monday)."""
    return (ordinal - 1) % 7


@cache
def month_end(ordinal: int) -> int:
    """The last day (ordinal) of the month holding the day `ordinal`."""
    d = dt.date.fromordinal(ordinal)
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1).toordinal() - 1


def ordinal(day: np.datetime64) -> int:
    """A numpy datetime64[D] as a day ordinal."""
    return EPOCH + int(day.astype("int64"))


def period_months(start: dt.date, end: dt.date) -> list[str]:
    """Every month of the period as 'YYYY-MM'."""
    months = np.arange(np.datetime64(start, "M"), np.datetime64(end, "M") + 1)
    return [str(m) for m in months]


@cache
def month_spans(months: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(first day, last day) ordinals of each 'YYYY-MM' month."""
    firsts = [dt.date.fromisoformat(m + "-01").toordinal() for m in months]
    return tuple((first, month_end(first)) for first in firsts)


def export_day(period_end: dt.date) -> int:
    """The day a dataset is 'exported', two weeks after its period: claims processed later are cut off at it."""
    return period_end.toordinal() + EXPORT_LAG_DAYS


def transaction_time(period_end: dt.date) -> str:
    """The export day's first instant: the manifest's transactionTime and every resource's meta.lastUpdated."""
    return stamp(export_day(period_end))
