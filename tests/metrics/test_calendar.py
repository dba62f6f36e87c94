"""Business-hours durations (socialaudit.metrics.calendar): hand-worked cases, DST, holidays,
and 200,000 random pairs against a slow minute-by-minute reference."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import numpy as np
import pytest

from socialaudit.hours import hours_to_json, parse_hours
from socialaudit.metrics.calendar import BusinessCalendar

H = 3600.0
WEEKDAYS_9_17 = parse_hours({"mon-fri": "09:00-17:00"})
ALWAYS = parse_hours("24/7")


def local(zone: str, *args: int, fold: int = 0) -> float:
    """UTC epoch seconds of a local wall time."""
    return dt.datetime(*args, tzinfo=ZoneInfo(zone), fold=fold).timestamp()


def between(cal: BusinessCalendar, start: float, end: float) -> float:
    return float(cal.seconds_between(np.array([start]), np.array([end]))[0])


# -- hand-worked cases: Mon-Fri 09:00-17:00, Europe/Berlin, no holidays ------------------------
# 2017-03-03 is a Friday, 2017-03-04/05 the weekend, 2017-03-06 a Monday.

BERLIN = "Europe/Berlin"


@pytest.fixture
def berlin() -> BusinessCalendar:
    return BusinessCalendar(BERLIN, WEEKDAYS_9_17)


def test_friday_afternoon_to_monday_morning_is_two_hours(berlin):
    # Fri 16:00-17:00 (1 h) + weekend (0) + Mon 09:00-10:00 (1 h)
    assert between(berlin, local(BERLIN, 2017, 3, 3, 16), local(BERLIN, 2017, 3, 6, 10)) == 2 * H


def test_weekend_only_is_zero(berlin):
    assert between(berlin, local(BERLIN, 2017, 3, 4, 11), local(BERLIN, 2017, 3, 5, 15)) == 0


def test_before_opening_is_zero(berlin):
    assert between(berlin, local(BERLIN, 2017, 3, 6, 8), local(BERLIN, 2017, 3, 6, 8, 30)) == 0


def test_noon_to_noon_next_day_is_one_working_day(berlin):
    # Mon 12:00-17:00 (5 h) + Tue 09:00-12:00 (3 h)
    assert between(berlin, local(BERLIN, 2017, 3, 6, 12), local(BERLIN, 2017, 3, 7, 12)) == 8 * H


def test_reply_before_inbound_is_zero(berlin):
    assert between(berlin, local(BERLIN, 2017, 3, 7, 12), local(BERLIN, 2017, 3, 6, 12)) == 0


def test_partial_seconds_and_nan(berlin):
    t0 = local(BERLIN, 2017, 3, 6, 9)
    out = berlin.seconds_between(np.array([t0 + 0.25, np.nan, t0, t0]), np.array([t0 + 90.75, t0, np.nan, t0]))
    assert out[0] == pytest.approx(90.5)
    assert np.isnan(out[1]) and np.isnan(out[2])
    assert out[3] == 0  # empty span
    assert np.isnan(berlin.seconds_between(np.array([np.nan]), np.array([np.nan]))).all()
    assert berlin.seconds_between(np.array([]), np.array([])).shape == (0,)


def test_scalar_and_broadcast_inputs(berlin):
    start = local(BERLIN, 2017, 3, 6, 9)
    ends = start + np.array([0, H, 10 * H])  # 09:00, 10:00, 19:00 on Monday
    assert berlin.seconds_between(start, ends).tolist() == [0, H, 8 * H]


def test_from_store_reads_the_stored_json():
    cal = BusinessCalendar.from_store(BERLIN, hours_to_json(WEEKDAYS_9_17), None)
    assert between(cal, local(BERLIN, 2017, 3, 3, 16), local(BERLIN, 2017, 3, 6, 10)) == 2 * H


# -- several intervals a day, closed days, overnight, multi-week ------------------------------

SPLIT = parse_hours({"mon-fri": ["09:00-12:00", "13:00-17:00"], "sat": "10:00-14:00", "sun": "closed"})


def test_lunch_break_is_not_counted():
    cal = BusinessCalendar(BERLIN, SPLIT)
    # Mon 11:00-12:00 (1 h) + lunch (0) + 13:00-14:30 (1.5 h)
    assert between(cal, local(BERLIN, 2017, 3, 6, 11), local(BERLIN, 2017, 3, 6, 14, 30)) == 2.5 * H
    # inside the lunch break only
    assert between(cal, local(BERLIN, 2017, 3, 6, 12, 10), local(BERLIN, 2017, 3, 6, 12, 50)) == 0


def test_overnight_wait_counts_evening_and_morning():
    cal = BusinessCalendar(BERLIN, SPLIT)
    # Tue 16:30-17:00 (0.5 h) + night (0) + Wed 09:00-09:45 (0.75 h)
    assert between(cal, local(BERLIN, 2017, 3, 7, 16, 30), local(BERLIN, 2017, 3, 8, 9, 45)) == 1.25 * H


def test_saturday_open_sunday_closed():
    cal = BusinessCalendar(BERLIN, SPLIT)
    # Fri 16:00-17:00 (1 h) + Sat 10:00-14:00 (4 h) + Sun closed + Mon 09:00-09:30 (0.5 h)
    assert between(cal, local(BERLIN, 2017, 3, 3, 16), local(BERLIN, 2017, 3, 6, 9, 30)) == 5.5 * H


def test_multi_week_span():
    cal = BusinessCalendar(BERLIN, SPLIT)
    # Mon 2017-03-06 00:00 to Mon 2017-03-27 00:00: three whole weeks of 5 * 7 h + 4 h = 39 h,
    # the DST change of Sunday 2017-03-26 falls outside the opening hours
    assert between(cal, local(BERLIN, 2017, 3, 6), local(BERLIN, 2017, 3, 27)) == 3 * 39 * H


def test_never_open_is_zero():
    cal = BusinessCalendar(BERLIN, {d: [] for d in range(7)})
    out = cal.seconds_between(np.array([0.0, 1.5e9]), np.array([1e9, 1.6e9]))
    assert out.tolist() == [0, 0]
    assert not cal.is_open(np.array([1.5e9])).any()


def test_missing_weekdays_are_closed():
    cal = BusinessCalendar(BERLIN, {0: [(540, 1020)]})  # Mondays only
    assert between(cal, local(BERLIN, 2017, 3, 6), local(BERLIN, 2017, 3, 13)) == 8 * H


def test_open_until_midnight_joins_the_next_day():
    cal = BusinessCalendar(BERLIN, parse_hours({"daily": ["00:00-02:00", "22:00-24:00"]}))
    # Mon 23:00 to Tue 01:00 is two hours across the date change
    assert between(cal, local(BERLIN, 2017, 3, 6, 23), local(BERLIN, 2017, 3, 7, 1)) == 2 * H


def test_is_open():
    cal = BusinessCalendar(BERLIN, SPLIT)
    t = np.array([local(BERLIN, 2017, 3, 6, h, m) for h, m in [(8, 59), (9, 0), (11, 59), (12, 0), (13, 0), (17, 0)]])
    assert cal.is_open(t).tolist() == [False, True, True, False, True, False]
    assert cal.is_open(np.array([np.nan])).tolist() == [False]


def test_intervals_are_cached():
    cal = BusinessCalendar(BERLIN, SPLIT)
    a, b = np.array([local(BERLIN, 2017, 3, 6)]), np.array([local(BERLIN, 2017, 6, 6)])
    cal.seconds_between(a, b)
    built = cal._intervals
    cal.seconds_between(a + 86400, b - 86400)  # inside the built span: reused
    assert cal._intervals is built
    cal.seconds_between(a - 30 * 86400, b)  # wider: rebuilt over the union
    assert cal._intervals is not built and cal._intervals.first < built.first
    assert cal._intervals.last >= built.last


# -- holidays ---------------------------------------------------------------------------------

NEW_YORK = "America/New_York"


def test_us_independence_day_is_closed():
    cal = BusinessCalendar(NEW_YORK, WEEKDAYS_9_17, "US")
    # Mon 2017-07-03 16:00-17:00 (1 h) + Tue 07-04 Independence Day (0) + Wed 09:00-10:00 (1 h)
    start, end = local(NEW_YORK, 2017, 7, 3, 16), local(NEW_YORK, 2017, 7, 5, 10)
    assert between(cal, start, end) == 2 * H
    # without holidays the Tuesday counts: 1 + 8 + 1 h
    assert between(BusinessCalendar(NEW_YORK, WEEKDAYS_9_17), start, end) == 10 * H


def test_regional_holiday_de_by():
    # Corpus Christi, Thursday 2017-06-15, is a holiday in Bavaria but not in Berlin
    start, end = local(BERLIN, 2017, 6, 14, 12), local(BERLIN, 2017, 6, 16, 12)
    bavaria = BusinessCalendar(BERLIN, WEEKDAYS_9_17, "DE-BY")
    berlin = BusinessCalendar(BERLIN, WEEKDAYS_9_17, "DE-BE")
    assert between(bavaria, start, end) == (5 + 0 + 3) * H
    assert between(berlin, start, end) == (5 + 8 + 3) * H


def test_regional_holiday_gb_eng():
    # Easter Monday 2017-04-17 is a bank holiday in England, not in Scotland
    london = "Europe/London"
    start, end = local(london, 2017, 4, 17, 9), local(london, 2017, 4, 18, 9)
    assert between(BusinessCalendar(london, WEEKDAYS_9_17, "GB-ENG"), start, end) == 0
    assert between(BusinessCalendar(london, WEEKDAYS_9_17, "GB-SCT"), start, end) == 8 * H


def test_holidays_of_later_years_are_loaded():
    cal = BusinessCalendar(NEW_YORK, WEEKDAYS_9_17, "US")
    between(cal, local(NEW_YORK, 2017, 7, 3), local(NEW_YORK, 2017, 7, 5))
    # Independence Day 2019 is a Thursday; the second call widens the span to 2019
    assert between(cal, local(NEW_YORK, 2019, 7, 4), local(NEW_YORK, 2019, 7, 5)) == 0


# -- DST ----------------------------------------------------------------------------------------
# Europe/Berlin 2017: Sun 03-26 02:00 CET -> 03:00 CEST; Sun 10-29 03:00 CEST -> 02:00 CET.


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK, "Australia/Lord_Howe", "America/Havana",
                                  "America/Santiago", "Asia/Kolkata", "UTC"])
def test_always_open_is_wall_clock(zone):
    # Lord_Howe moves by 30 minutes; Havana and Santiago change the clock at midnight
    cal = BusinessCalendar(zone, ALWAYS)
    rng = np.random.default_rng(1)
    start = local(zone, 2017, 1, 1) + rng.uniform(0, 365 * 86400, 5000)
    end = start + rng.uniform(0, 40 * 86400, 5000)
    np.testing.assert_allclose(cal.seconds_between(start, end), end - start, rtol=0, atol=1e-5)


def test_always_open_across_berlin_changes():
    cal = BusinessCalendar(BERLIN, ALWAYS)
    # local midnight to midnight: the spring day is 23 h, the autumn day 25 h
    assert between(cal, local(BERLIN, 2017, 3, 26), local(BERLIN, 2017, 3, 27)) == 23 * H
    assert between(cal, local(BERLIN, 2017, 10, 29), local(BERLIN, 2017, 10, 30)) == 25 * H


def test_nine_to_five_on_a_spring_forward_day_is_eight_hours():
    cal = BusinessCalendar(BERLIN, parse_hours({"daily": "09:00-17:00"}))
    assert between(cal, local(BERLIN, 2017, 3, 26), local(BERLIN, 2017, 3, 27)) == 8 * H
    assert between(cal, local(BERLIN, 2017, 10, 29), local(BERLIN, 2017, 10, 30)) == 8 * H


def test_interval_containing_the_change_lasts_its_real_time():
    cal = BusinessCalendar(BERLIN, parse_hours({"daily": "01:00-04:00"}))
    # spring: 01:00 CET (00:00 UTC) .. 04:00 CEST (02:00 UTC); 02:00-03:00 does not exist
    assert between(cal, local(BERLIN, 2017, 3, 26), local(BERLIN, 2017, 3, 27)) == 2 * H
    # autumn: 01:00 CEST (23:00 UTC) .. 04:00 CET (03:00 UTC); 02:00-03:00 happens twice
    assert between(cal, local(BERLIN, 2017, 10, 29), local(BERLIN, 2017, 10, 30)) == 4 * H
    # ordinary day before: 3 h
    assert between(cal, local(BERLIN, 2017, 3, 25), local(BERLIN, 2017, 3, 26)) == 3 * H


def test_fold_zero_convention():
    # A non-existent local time is read with the offset before the change (fold=0):
    # 02:30 on 2017-03-26 is 01:30 UTC = 03:30 CEST, so 02:30-04:00 is open 30 minutes, and
    # the non-existent hour 02:00-03:00 is open 0.
    day, nxt = local(BERLIN, 2017, 3, 26), local(BERLIN, 2017, 3, 27)
    cal = BusinessCalendar(BERLIN, parse_hours({"daily": "02:30-04:00"}))
    assert between(cal, day, nxt) == 0.5 * H
    utc_0115, utc_0145 = local("UTC", 2017, 3, 26, 1, 15), local("UTC", 2017, 3, 26, 1, 45)
    assert cal.is_open(np.array([utc_0115, utc_0145])).tolist() == [False, True]
    assert between(BusinessCalendar(BERLIN, parse_hours({"daily": "02:00-03:00"})), day, nxt) == 0
    # An ambiguous local time means its first occurrence: on 2017-10-29, 02:00-03:00 runs from the
    # first 02:00 (CEST, 00:00 UTC) to 03:00 CET (02:00 UTC), i.e. both passes of the hour: 2 h.
    cal = BusinessCalendar(BERLIN, parse_hours({"daily": "02:00-03:00"}))
    assert between(cal, local(BERLIN, 2017, 10, 29), local(BERLIN, 2017, 10, 30)) == 2 * H


def test_overlap_from_fold_zero_is_counted_once():
    # 01:00-02:30 becomes 00:00-01:30 UTC (02:30 read as CET) and 03:00-04:00 becomes 01:00-02:00
    # UTC: they overlap by 30 minutes, and the union 00:00-02:00 UTC is 2 h, not 2.5 h.
    cal = BusinessCalendar(BERLIN, parse_hours({"daily": ["01:00-02:30", "03:00-04:00"]}))
    assert between(cal, local(BERLIN, 2017, 3, 26), local(BERLIN, 2017, 3, 27)) == 2 * H
    assert between(cal, local(BERLIN, 2017, 3, 25), local(BERLIN, 2017, 3, 26)) == 2.5 * H


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "Europe/"])
def test_unknown_time_zone(zone):
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar(zone, WEEKDAYS_9_17)


@pytest.mark.parametrize("code", ["XX", "DE-ZZ", "", "GB-"])
def test_unknown_holiday_code(code):
    with pytest.raises(ValueError, match="holidays code"):
        BusinessCalendar(BERLIN, WEEKDAYS_9_17, code)


@pytest.mark.parametrize("hours", [{7: [(540, 1020)]}, {0: [(600, 540)]}, {0: [(0, 1441)]}])
def test_bad_hours(hours):
    with pytest.raises(ValueError):
        BusinessCalendar(BERLIN, hours)


# -- 200,000 random pairs against a slow reference ----------------------------------------------


def reference_seconds(zone: ZoneInfo, hours, closed: set[dt.date], start: float, end: float) -> float:
    """Minute by minute: a UTC minute counts when the local wall time at its beginning falls in an
    opening interval of a non-holiday day.  Exact for these calendars: their opening bounds are
    whole local minutes, the zones' offsets whole minutes, and no opening hour touches a clock
    change (so the open state is constant within each UTC minute and no convention is involved)."""
    if not end > start:
        return 0.0
    total = 0.0
    minute = np.floor(start / 60) * 60
    while minute < end:
        wall = dt.datetime.fromtimestamp(minute, zone)
        m = wall.hour * 60 + wall.minute
        if wall.date() not in closed and any(a <= m < b for a, b in hours[wall.weekday()]):
            total += min(end, minute + 60) - max(start, minute)
        minute += 60
    return total


@pytest.mark.parametrize("zone, code", [(BERLIN, "DE-BY"), (NEW_YORK, "US"), ("Asia/Kolkata", None)])
def test_random_pairs_against_reference(zone, code):
    cal = BusinessCalendar(zone, SPLIT, code)
    rng = np.random.default_rng(20170326)
    n = 200_000
    t0 = local(zone, 2017, 1, 1)
    start = t0 + rng.uniform(0, 365 * 86400, n)
    # mostly minutes to days, some weeks; a few negative waits and NaNs
    wait = rng.choice([1, 60, 3600, 86400, 7 * 86400], n) * rng.exponential(1.0, n)
    wait[rng.random(n) < 0.01] *= -1
    end = start + wait
    start[rng.random(n) < 0.001] = np.nan
    got = cal.seconds_between(start, end)

    assert got.shape == (n,)
    assert (np.isnan(got) == np.isnan(start)).all()
    ok = ~np.isnan(got)
    assert (got[ok] >= 0).all() and (got[ok] <= np.maximum(end - start, 0)[ok] + 1e-6).all()
    # additivity through a midpoint
    mid = start + (end - start) * rng.random(n)
    both = cal.seconds_between(start, mid) + cal.seconds_between(mid, end)
    np.testing.assert_allclose(both[ok & (end > start)], got[ok & (end > start)], rtol=0, atol=1e-5)

    closed = set(holidays_lib.country_holidays(*code.split("-"), years=[2016, 2017, 2018, 2019])) if code \
        else set()
    # the reference on a sample, weighted towards spans that cross days, with all negatives kept
    sample = np.flatnonzero(ok & (np.abs(wait) < 30 * 86400))
    sample = np.concatenate([rng.choice(sample, 400, replace=False), np.flatnonzero(ok & (wait < 0))[:20]])
    zone_info = ZoneInfo(zone)
    for i in sample:
        expected = reference_seconds(zone_info, cal.hours, closed, start[i], end[i])
        assert got[i] == pytest.approx(expected, abs=1e-5), (i, start[i], end[i])
