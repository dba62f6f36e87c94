"""Opening hours of a company's social care team, as declared in the registry.

Written by people in YAML, e.g. ``{mon-fri: "08:00-20:00", sat: "10:00-16:00"}`` or
``"24/7"``; stored and used in a canonical form: for each weekday (0 = Monday) a list of
``(start_minute, end_minute)`` intervals.
"""

from __future__ import annotations

import json
import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = {"mon-fri": "09:00-17:00"}

WeekHours = dict[int, list[tuple[int, int]]]

_RANGE = re.compile(r"^\s*([01]?\d|2[0-4]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)\s*$")


def _days(spec: str) -> list[int]:
    spec = spec.strip().lower()
    if spec in ("daily", "every day", "all", "mon-sun"):
        return list(range(7))
    if spec == "weekdays":
        return list(range(5))
    if spec == "weekends":
        return [5, 6]
    result: list[int] = []
    for part in spec.split(","):
        part = part.strip()[:3] if "-" not in part else part.strip()
        if "-" in part:
            a, b = (p.strip()[:3] for p in part.split("-", 1))
            if a not in DAYS or b not in DAYS:
                raise ValueError(f"unknown day range '{part}' (use mon..sun)")
            i, j = DAYS.index(a), DAYS.index(b)
            result.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        else:
            if part not in DAYS:
                raise ValueError(f"unknown day '{part}' (use mon..sun, weekdays, daily)")
            result.append(DAYS.index(part))
    return result


def _interval(text: str) -> tuple[int, int]:
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"bad hours '{text}' (expected HH:MM-HH:MM)")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start > 1440 or end > 1440 or end <= start:
        raise ValueError(f"bad hours '{text}': the end must be after the start, within one day")
    return start, end


def parse_hours(spec: object) -> WeekHours:
    """Parse a registry ``business_hours`` value; raises ``ValueError`` with a clear reason."""
    if spec is None:
        spec = DEFAULT_HOURS
    if isinstance(spec, str):
        if spec.strip().lower() in ("24/7", "always"):
            return {d: [(0, 1440)] for d in range(7)}
        raise ValueError(f"bad business_hours '{spec}' (a mapping like {{mon-fri: '09:00-17:00'}} or '24/7')")
    if not isinstance(spec, dict):
        raise ValueError("business_hours must be a mapping of days to hours, or '24/7'")
    week: WeekHours = {d: [] for d in range(7)}
    for days, hours in spec.items():
        ranges = hours if isinstance(hours, list) else [hours]
        intervals = []
        for r in ranges:
            if isinstance(r, str) and r.strip().lower() == "closed":
                continue
            if not isinstance(r, str):
                raise ValueError(f"bad hours {r!r} for '{days}' (expected 'HH:MM-HH:MM' or 'closed')")
            intervals.append(_interval(r))
        for d in _days(str(days)):
            week[d] = sorted(week[d] + intervals)
    for d, intervals in week.items():
        for (a1, b1), (a2, _) in zip(intervals, intervals[1:]):
            if a2 < b1:
                raise ValueError(f"overlapping hours on {DAYS[d]}")
    return week


def hours_to_json(week: WeekHours) -> str:
    return json.dumps({DAYS[d]: [[a, b] for a, b in week[d]] for d in range(7)}, separators=(",", ":"))


def hours_from_json(text: str) -> WeekHours:
    data = json.loads(text)
    return {DAYS.index(k): [(int(a), int(b)) for a, b in v] for k, v in data.items()}
