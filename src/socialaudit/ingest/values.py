"""Reading single values from sources: ids, timestamps, counts, booleans.

Each function either returns a clean value or raises :class:`RecordError` with a reason a
user can act on ("bad timestamp 'Tue Octo 31' in created_at"), so parsers stay short and
every format words its errors the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from ..model import UTC
from .base import RecordError

_TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"
_DIGITS = re.compile(r"[0-9]+")
_FLOAT_ID = re.compile(r"([0-9]+)(?:\.0*)?")
#: Epoch seconds (9-10 digits: 1973-2286) or milliseconds (12-13 digits); a bare "2019" is
#: a broken value, not 33 minutes past 1970.
_EPOCH = re.compile(r"(?:[0-9]{9,10}|[0-9]{12,13})(?:\.[0-9]+)?")

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})


def snippet(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def require_id(value: Any, column: str) -> str:
    """A non-empty id as text (platform ids are strings; numbers are accepted)."""
    if value is None or isinstance(value, bool):
        raise RecordError(f"missing id in {column}")
    if isinstance(value, (dict, list, tuple, set)):
        raise RecordError(f"bad id in {column}: expected a string or number, found {type(value).__name__}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise RecordError(f"bad id {value!r} in {column}")
    text = str(value).strip()
    if not text:
        raise RecordError(f"empty id in {column}")
    return text


def numeric_id(value: str, column: str, *, allow_float_format: bool = False) -> str:
    """A decimal integer id; TWCS writes parent ids float-formatted (``3.0``)."""
    text = value.strip()
    pattern = _FLOAT_ID if allow_float_format else _DIGITS
    match = pattern.fullmatch(text)
    if not match:
        raise RecordError(f"non-numeric id '{snippet(text)}' in {column}")
    return match.group(1) if allow_float_format else text


def optional_id(value: Any, column: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return require_id(value, column)


def parse_bool(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RecordError(f"bad boolean '{snippet(value)}' in {column} (expected true/false)")


def optional_bool(value: Any, column: str) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_bool(value, column)


def optional_count(value: Any, column: str) -> int | None:
    """A non-negative count; APIs send numbers or numeric strings (YouTube ``"123"``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RecordError(f"bad count {value!r} in {column}")
    try:
        number = int(value) if not isinstance(value, float) else int(value) if value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0:
        raise RecordError(f"bad count '{snippet(value)}' in {column}")
    return number


def parse_timestamp(value: Any, column: str, *, fmt: str | None = None,
                    naive_tz: dt.tzinfo = UTC) -> dt.datetime:
    """A timestamp in UTC from ISO 8601, the Twitter v1 format, epoch seconds/ms, or ``fmt``.

    Naive timestamps are read in ``naive_tz`` (UTC unless a mapping says otherwise).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RecordError(f"missing timestamp in {column}")
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=naive_tz)).astimezone(UTC)
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _from_epoch(float(value))
        text = str(value).strip()
        if fmt:
            stamp = dt.datetime.strptime(text, fmt)
        elif _EPOCH.fullmatch(text):
            return _from_epoch(float(text))
        elif text[:3].isalpha() and not text[:4].isdigit():
            stamp = dt.datetime.strptime(text, _TWITTER_FORMAT)
        else:
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
                text = text[:-2] + ":" + text[-2:]  # Graph API: 2019-05-22T15:04:05+0000
            stamp = dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError) as exc:
        raise RecordError(f"bad timestamp '{snippet(value)}' in {column}") from exc
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=naive_tz)
    return stamp.astimezone(UTC)


def _from_epoch(seconds: float) -> dt.datetime:
    if seconds > 1e11:  # milliseconds (LinkedIn, many exports)
        seconds /= 1000.0
    if not 1e8 <= seconds < 1e10:
        raise ValueError("epoch out of range")
    return dt.datetime.fromtimestamp(seconds, tz=UTC)


def zone(name: str) -> dt.tzinfo:
    return ZoneInfo(name)


def optional_text(value: Any, name: str) -> str | None:
    """Optional text; anything else is refused here, not later when the batch is columnarised."""
    if value is None or isinstance(value, str):
        return value
    raise RecordError(f"expected text in {name}, found {type(value).__name__}")


def optional_object(value: Any, name: str) -> dict:
    """A nested object that may be absent (``{}``) but, if present, must be an object."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"expected an object in {name}, found {type(value).__name__}")
    return value


TWITTER_EPOCH_MS = 1288834974657
#: Snowflake ids carry their creation time from 2010-11-04 on; older, sequential ids are far
#: smaller (below ~3e10) and would all decode to the first seconds of that epoch.
FIRST_SNOWFLAKE = 1 << 42  # 2**20 ms (17 minutes) of snowflake time after the epoch
_UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def snowflake_time(tweet_id: str) -> dt.datetime:
    """Creation time encoded in a Twitter snowflake id (ids from late 2010 on), to the ms.

    ``(id >> 22) + 1288834974657`` is the Unix time in milliseconds.  Raises
    :class:`RecordError` for an id that is not a snowflake (too small, or wider than the 63
    bits a tweet id has).
    """
    try:
        value = int(tweet_id)
    except ValueError:
        raise RecordError(f"tweet id {snippet(tweet_id)} is not a number, so its time is unknown") from None
    if not FIRST_SNOWFLAKE <= value < 1 << 63:
        raise RecordError(f"tweet id {tweet_id} is not a Twitter snowflake id, so its time is unknown")
    ms = (value >> 22) + TWITTER_EPOCH_MS
    return _UNIX_EPOCH + dt.timedelta(milliseconds=ms)
