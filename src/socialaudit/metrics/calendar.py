"""Business-hours durations: how many seconds of a company's opening hours lie between two instants.

A reply sent on Monday 10:00 to a post from Friday 16:00 took three days of wall-clock time
but only two hours of the team's time (Mon-Fri 09-17).  Audits report both, so the business
figure must be cheap on about a million (inbound, reply) pairs.  The approach:

1. For the local days covering all the instants asked about (plus a day of margin), turn
   each opening interval of local time into an interval of UTC epoch seconds with zoneinfo.
   Working per *local* day makes daylight-saving changes right without special cases:
   09:00-17:00 is 8 hours on a spring-forward day, and an interval that contains the jump
   lasts its real elapsed time (01:00-04:00 is 2 hours when 02:00 jumps to 03:00).
2. Merge them into sorted, disjoint arrays ``starts``/``ends`` with ``before[k]``, the
   business seconds in all intervals before ``k``.
3. ``cum(t)``, the business seconds from the first interval up to ``t``, is then one
   ``np.searchsorted`` plus arithmetic, and a duration is ``cum(end) - cum(start)``.

Conventions (they decide only what happens when opening hours touch a clock change):

* Local times are resolved with ``fold=0`` (PEP 495).  A local time that happens twice
  (fall back) means its *first* occurrence; a local time that does not exist (spring
  forward) is read with the offset in force *before* the change, i.e. it lands as far after
  the jump as it was after its start: in Europe/Berlin on 2017-03-26, 02:30 is 01:30 UTC
  (03:30 CEST).  Hence, on that day, 01:00-04:00 is open 2 hours and 02:00-03:00 is open 0,
  and on the fall-back day (2017-10-29) 01:00-04:00 is open 4 hours, because the hour
  02:00-03:00 happens twice and both lie between the first 01:00 and 04:00.
* Intervals are merged after conversion, so no second is ever counted twice even when a
  ``fold=0`` reading makes two intervals of one day overlap in real time.  A 24/7
  calendar is therefore exactly wall-clock time, in every zone and across every change.
* A public holiday (any date the ``holidays`` package lists for the code, with its
  defaults, which include "observed" days) closes the whole local day.
* Durations count ``[start, end)``; ``end <= start`` gives 0; a NaN (or infinite) input gives
  NaN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
import numpy as np

from ..hours import WeekHours, hours_from_json

__all__ = ["BusinessCalendar"]

_MARGIN_DAYS = 1  # intervals of the neighbouring local days are built too: no instant falls outside


@dataclass(frozen=True)
class _Intervals:
    """Disjoint opening intervals in UTC epoch seconds for the local days ``first..last``."""

    first: int  # proleptic ordinal of the first local day covered
    last: int  # ... and of the last one
    starts: np.ndarray  # float64, strictly increasing
    ends: np.ndarray  # float64, ends[k] < starts[k + 1]
    before: np.ndarray  # float64, business seconds in intervals 0..k-1

    def cum(self, t: np.ndarray) -> np.ndarray:
        """Business seconds in [starts[0], t) for finite ``t`` inside the covered days."""
        if self.starts.size == 0:
            return np.zeros_like(t)
        k = np.searchsorted(self.starts, t, side="right") - 1
        inside = k >= 0
        kk = np.where(inside, k, 0)
        within = np.minimum(t - self.starts[kk], self.ends[kk] - self.starts[kk])
        return np.where(inside, self.before[kk] + within, 0.0)

    def is_open(self, t: np.ndarray) -> np.ndarray:
        if self.starts.size == 0:
            return np.zeros(t.shape, dtype=bool)
        k = np.searchsorted(self.starts, t, side="right") - 1
        kk = np.where(k >= 0, k, 0)
        return (k >= 0) & (t < self.ends[kk])


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name such as 'Europe/Berlin')") from exc


def _holiday_code(code: str) -> tuple[str, str | None]:
    """Split ``'GB-ENG'`` into ``('GB', 'ENG')`` and check that the ``holidays`` package knows it."""
    country, dash, subdiv = code.strip().partition("-")
    country, subdiv_or_none = country.upper(), (subdiv if dash else None)
    usage = "expected a country with optional subdivision, e.g. US, GB-ENG, DE-BY"
    if not country or subdiv_or_none == "":
        raise ValueError(f"unknown holidays code {code!r} ({usage})")
    try:
        holidays_lib.country_holidays(country, subdiv=subdiv_or_none, years=[])
    except (NotImplementedError, KeyError, ValueError, AttributeError) as exc:
        raise ValueError(f"unknown holidays code {code!r} ({usage}): {exc}") from exc
    return country, subdiv_or_none


def _normalise_hours(hours: WeekHours) -> dict[int, list[tuple[int, int]]]:
    """Validated copy; a weekday missing from ``hours`` is closed."""
    week: dict[int, list[tuple[int, int]]] = {d: [] for d in range(7)}
    for day, intervals in hours.items():
        if day not in week:
            raise ValueError(f"bad weekday {day!r} in hours (expected 0 = Monday .. 6 = Sunday)")
        for a, b in intervals:
            if not 0 <= a < b <= 1440:
                raise ValueError(f"bad interval ({a}, {b}) on weekday {day}: "
                                 "minutes must satisfy 0 <= start < end <= 1440")
        week[day] = sorted((int(a), int(b)) for a, b in intervals)
    return week


class BusinessCalendar:
    """Opening hours of one company in one time zone, with optional public holidays.

    ``hours`` is the canonical form of :mod:`socialaudit.hours` (weekday -> local
    ``(start_minute, end_minute)`` intervals); ``holidays`` a code such as ``US``, ``GB-ENG``
    or ``DE-BY`` for the ``holidays`` package, or ``None``.  Unknown zones or codes raise
    ``ValueError`` here, not in the middle of an audit.
    """

    def __init__(self, timezone: str, hours: WeekHours, holidays: str | None = None) -> None:
        self.timezone = timezone
        self.zone = _zone(timezone)
        self.hours = _normalise_hours(hours)
        self.holidays = holidays
        self._holiday_key = _holiday_code(holidays) if holidays is not None else None
        self._holiday_years: set[int] = set()
        self._holiday_days: set[int] = set()  # ordinals of closed local dates, for _holiday_years
        self._intervals: _Intervals | None = None

    @classmethod
    def from_store(cls, timezone: str, business_hours_json: str, holidays: str | None) -> BusinessCalendar:
        """From a ``companies`` row: the zone, ``business_hours`` as stored JSON, the holidays code."""
        return cls(timezone, hours_from_json(business_hours_json), holidays)

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.timezone!r}, holidays={self.holidays!r})"

    # -- public -------------------------------------------------------------------------

    def seconds_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Business seconds in [start, end) for arrays of UTC epoch seconds (float64); NaN where
        either input is NaN; 0 where end <= start."""
        start, end = np.broadcast_arrays(np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64))
        valid = np.isfinite(start) & np.isfinite(end)
        out = np.full(start.shape, np.nan)
        if not valid.any():
            return out
        s, e = start[valid], end[valid]
        intervals = self._covering(min(s.min(), e.min()), max(s.max(), e.max()))
        out[valid] = np.where(e > s, intervals.cum(e) - intervals.cum(s), 0.0)
        return out

    def is_open(self, utc_epoch_seconds: np.ndarray) -> np.ndarray:
        """Whether the team is open at each instant (False for NaN)."""
        t = np.asarray(utc_epoch_seconds, dtype=np.float64)
        valid = np.isfinite(t)
        out = np.zeros(t.shape, dtype=bool)
        if valid.any():
            tv = t[valid]
            out[valid] = self._covering(tv.min(), tv.max()).is_open(tv)
        return out

    # -- building -----------------------------------------------------------------------

    def _local_day(self, epoch: float) -> int:
        return dt.datetime.fromtimestamp(epoch, self.zone).date().toordinal()

    def _covering(self, lo: float, hi: float) -> _Intervals:
        """Intervals for every local day from ``lo`` to ``hi``; reused while they cover the span.

        A wider request rebuilds over the union of the old and new spans, so alternating
        calls over different periods of one audit do not rebuild each time.
        """
        first, last = self._local_day(lo) - _MARGIN_DAYS, self._local_day(hi) + _MARGIN_DAYS
        cached = self._intervals
        if cached is not None:
            if cached.first <= first and last <= cached.last:
                return cached
            first, last = min(first, cached.first), max(last, cached.last)
        self._intervals = self._build(first, last)
        return self._intervals

    def _closed_days(self, first: int, last: int) -> set[int]:
        if self._holiday_key is None:
            return set()
        # a neighbouring year too: an "observed" day can fall in the year before its holiday
        years = set(range(dt.date.fromordinal(first).year - 1, dt.date.fromordinal(last).year + 2))
        missing = years - self._holiday_years
        if missing:
            country, subdiv = self._holiday_key
            found = holidays_lib.country_holidays(country, subdiv=subdiv, years=sorted(missing))
            self._holiday_days.update(day.toordinal() for day in found)
            self._holiday_years |= missing
        return self._holiday_days

    def _build(self, first: int, last: int) -> _Intervals:
        closed = self._closed_days(first, last)
        starts: list[float] = []
        ends: list[float] = []
        for ordinal in range(first, last + 1):
            if ordinal in closed:
                continue
            day = dt.date.fromordinal(ordinal)
            spans = self.hours[day.weekday()]
            if not spans:
                continue
            # Wall-clock arithmetic on an aware datetime: midnight + 90 min is local 01:30 (fold=0),
            # and minute 1440 is the next local midnight.
            midnight = dt.datetime(day.year, day.month, day.day, tzinfo=self.zone)
            for a, b in spans:
                starts.append((midnight + dt.timedelta(minutes=a)).timestamp())
                ends.append((midnight + dt.timedelta(minutes=b)).timestamp())
        s, e = _merge(np.array(starts, dtype=np.float64), np.array(ends, dtype=np.float64))
        lengths = e - s
        before = np.concatenate(([0.0], np.cumsum(lengths)[:-1])) if s.size else s
        return _Intervals(first, last, s, e, before)


def _merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of intervals as sorted, disjoint arrays (empty ones dropped).

    Needed because ``fold=0`` can make an interval ending in a spring-forward gap overlap the
    next one, and because zones that change the clock at midnight can make neighbouring days
    touch or overlap; counting their union never counts a second twice.
    """
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if starts.size == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    new = np.concatenate(([True], starts[1:] > reach[:-1]))
    heads = np.flatnonzero(new)
    return starts[heads], np.maximum.reduceat(ends, heads)
