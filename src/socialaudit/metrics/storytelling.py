"""Storytelling posts and whether storytelling works for a company.

A storytelling post is a brand's own top-level post in narrative form: part of a series
(a hashtag the company used on at least ``storytelling_series_posts`` posts), a video, a
long-form text, or a text with narrative cues ("behind the scenes", "episode 3", "meet
our ...", German equivalents).

Storytelling is *effective* for a company when its storytelling posts lift engagement
(likes + shares + comments per post) over its other posts — the lower bound of the
bootstrap confidence interval of the ratio of means is above 1 — **and** it tells its
stories as series spanning at least ``storytelling_series_weeks`` weeks, not as scattered
single posts (Study A's distinction).  Without engagement counts in the data the lift is
not measurable and storytelling is not shown to be effective.
"""

from __future__ import annotations

import functools

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .config import AuditConfig
from .engagement import ALL
from .responses import in_period

#: Narrative forms, EN/DE.  Deliberately specific: "24/7", dates or "here's how we can help"
#: are not stories.
NARRATIVE_CUES = (
    r"behind the scenes|our story|the story of|true story|storytime|meet (our|the) |"
    r"episode \d|chapter \d|part \d+ of|\(\d+/\d+\)|once upon a time|"
    r"hinter den kulissen|unsere geschichte|die geschichte (von|hinter)|folge \d|teil \d+ (von|unserer)|"
    r"lernt? (unser|unsere) (team|mitarbeiter)"
)
#: When both groups have at least this many posts, the bootstrap distribution of a ratio of
#: means is normal to within a rounding error; the interval is then computed by the delta
#: method instead of by resampling, which keeps audits of large cohorts fast.  A small group
#: (three story posts among thousands) is always resampled.
BOOTSTRAP_LIMIT = 200


def own_posts(posts: ir.Table, config: AuditConfig) -> ir.Table:
    """Brand top-level own content in the period, with its week and engagement."""
    period = in_period(posts, config)
    own = period.filter((period.author_role == "brand") & period.company_id.notnull()
                        & period.parent_id.isnull() & period.kind.isin(["post", "mention"]))
    counts = [own.likes, own.shares, own.comments]
    measured = counts[0].notnull() | counts[1].notnull() | counts[2].notnull()
    engagement = ibis.ifelse(measured, sum(c.fill_null(0) for c in counts), ibis.null()).cast("float64")
    return own.select("company_id", "channel", "post_id", "text", "media_type", "hashtags",
                      week=own.created_at.truncate("W"), engagement=engagement)


def series_tags(own: ir.Table, config: AuditConfig) -> ir.Table:
    """(company_id, tag, posts, weeks) of the hashtags a company uses as series."""
    tagged = own.select("company_id", "post_id", "week", tag=own.hashtags.unnest())
    per_tag = tagged.group_by(["company_id", "tag"]).aggregate(posts=tagged.post_id.nunique(),
                                                               weeks=tagged.week.nunique())
    return per_tag.filter(per_tag.posts >= config.storytelling_series_posts)


def storytelling_posts(own: ir.Table, config: AuditConfig) -> ir.Table:
    """Own posts with ``story`` (narrative form) and ``in_series`` (carries a series tag) flags."""
    series = series_tags(own, config)
    tagged = own.select("company_id", "channel", "post_id", tag=own.hashtags.unnest())
    hits = tagged.join(series, ["company_id", "tag"]).group_by(["channel", "post_id"]).aggregate(
        in_series=ibis.literal(True), series_weeks=series.weeks.max())
    flagged = own.left_join(hits, ["channel", "post_id"]).select(
        *own.columns, in_series=hits.in_series.fill_null(False), series_weeks=hits.series_weeks.fill_null(0))
    text = flagged.text.fill_null("")
    story = (flagged.in_series | (flagged.media_type == "video").fill_null(False)
             | (text.length() >= config.storytelling_long_form_chars)
             | text.lower().re_search(NARRATIVE_CUES))
    return flagged.mutate(story=story)


def ratio_ci(story: np.ndarray, other: np.ndarray, samples: int, confidence: float,
             rng: np.random.Generator) -> tuple[float, float, float]:
    """Ratio of mean engagement (story / other) and its confidence interval.

    Percentile bootstrap of the two groups' means (see :func:`_resampled_means`); when both
    groups have at least :data:`BOOTSTRAP_LIMIT` posts, the delta-method normal interval (what
    the bootstrap converges to).  Resamples where both means are 0 have no ratio and are left out.
    """
    mean_s, mean_o = float(story.mean()), float(other.mean())
    if mean_o <= 0:
        # The other posts got no engagement at all, so every resample of them is 0 too: the
        # ratio and both bounds are infinite when the stories got some (a lift beyond measure,
        # which the earlier NaN bounds reported as "not effective"), undefined when they got none.
        value = np.inf if mean_s > 0 else np.nan
        return value, value, value
    ratio = mean_s / mean_o
    alpha = (1 - confidence) / 2
    if min(len(story), len(other)) < BOOTSTRAP_LIMIT:
        s, o = _resampled_means(story, samples, rng), _resampled_means(other, samples, rng)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(o > 0, s / o, np.where(s > 0, np.inf, np.nan))
        low, high = np.nanquantile(ratios, [alpha, 1 - alpha])
        return ratio, float(low), float(high)
    var = story.var(ddof=1) / len(story) / mean_o**2 + mean_s**2 * other.var(ddof=1) / len(other) / mean_o**4
    half = _z(confidence) * float(np.sqrt(var))
    return ratio, ratio - half, ratio + half


def _resampled_means(values: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of bootstrap resamples of ``values``.

    A group of at least :data:`BOOTSTRAP_LIMIT` values has normally distributed resampled
    means (central limit theorem), so they are drawn from that normal directly instead of
    resampling thousands of values thousands of times; small groups are resampled.
    """
    n = len(values)
    if n >= BOOTSTRAP_LIMIT:
        return rng.normal(values.mean(), values.std() / np.sqrt(n), samples)
    return values[rng.integers(0, n, size=(samples, n))].mean(axis=1)


def storytelling_metrics(posts: ir.Table, config: AuditConfig) -> pa.Table:
    """Per company and channel (and ``all``): storytelling posts, lift with CI, effectiveness."""
    flagged = storytelling_posts(own_posts(posts, config), config)
    # Sorted, so the bootstrap draws the same resamples whatever order the engine returns rows
    # in (DuckDB and Spark differ): the intervals are then equal on both.
    rows = flagged.select("company_id", "channel", "post_id", "story", "in_series", "series_weeks", "engagement") \
        .to_pyarrow().sort_by([("company_id", "ascending"), ("channel", "ascending"), ("post_id", "ascending")])
    rng = np.random.default_rng(config.seed)
    data = {name: rows.column(name).to_numpy(zero_copy_only=False) for name in rows.column_names
            if name not in ("company_id", "channel", "post_id")}
    out: list[dict] = []
    for (company, channel), idx in _groups(rows.column("company_id"), rows.column("channel")):
        story = data["story"][idx].astype(bool)
        engagement = data["engagement"][idx].astype(float)
        measured = ~np.isnan(engagement)
        series_weeks = int(data["series_weeks"][idx][story].max()) if story.any() else 0
        record = {"company_id": company, "channel": channel, "top_level_posts": len(idx),
                  "storytelling_posts": int(story.sum()),
                  "series_posts": int(data["in_series"][idx].astype(bool).sum()),
                  "series_weeks": series_weeks,
                  "storytelling_lift": None, "lift_ci_low": None, "lift_ci_high": None}
        s, o = engagement[story & measured], engagement[~story & measured]
        low = np.nan
        if len(s) >= 2 and len(o) >= 2:
            ratio, low, high = ratio_ci(s, o, config.bootstrap_samples, config.confidence, rng)
            record.update(storytelling_lift=_finite(ratio), lift_ci_low=_finite(low), lift_ci_high=_finite(high))
        # on the bound itself: an infinite one (no engagement on the other posts) is written as
        # null but is above 1; a NaN one (nothing measurable) is not
        record["storytelling_effective"] = bool(low > 1 and series_weeks >= config.storytelling_series_weeks)
        out.append(record)
    return pa.Table.from_pylist(out, schema=STORYTELLING_SCHEMA)


STORYTELLING_SCHEMA = pa.schema([
    ("company_id", pa.string()), ("channel", pa.string()), ("top_level_posts", pa.int64()),
    ("storytelling_posts", pa.int64()), ("series_posts", pa.int64()), ("series_weeks", pa.int64()),
    ("storytelling_lift", pa.float64()), ("lift_ci_low", pa.float64()), ("lift_ci_high", pa.float64()),
    ("storytelling_effective", pa.bool_()),
])


@functools.lru_cache(maxsize=8)
def _z(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - confidence) / 2))


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _groups(companies: pa.ChunkedArray, channels: pa.ChunkedArray):
    """(company, channel) and (company, 'all') groups as index arrays.

    The names are dictionary-encoded (in Arrow's C++) and grouped by their integer codes, so
    no Python or NumPy string work is done per row.
    """
    comp = pc.dictionary_encode(companies).combine_chunks()
    chan = pc.dictionary_encode(channels).combine_chunks()
    comp_codes = comp.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    chan_codes = chan.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    comp_names, chan_names = comp.dictionary.to_pylist(), chan.dictionary.to_pylist()
    for key, with_channel in ((comp_codes * (len(chan_names) + 1) + chan_codes, True), (comp_codes, False)):
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        edges = [0, *(np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1).tolist(), len(order)]
        for lo, hi in zip(edges, edges[1:]):
            if hi > lo:
                first = order[lo]
                name = comp_names[comp_codes[first]]
                yield (name, chan_names[chan_codes[first]] if with_channel else ALL), order[lo:hi]
