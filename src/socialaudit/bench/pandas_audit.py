"""The audit's metrics written the straightforward way in pandas: the benchmark's baseline.

Same definitions, same thresholds, same calendar and bootstrap code as
:mod:`socialaudit.metrics`; only the relational work (selecting inbound posts, finding
first responses, aggregating per company and channel, brand activity, influencers,
storytelling tags) is done with pandas merges and group-bys on frames loaded from the
store.  :func:`compare` checks that both give the same numbers, so the benchmark compares
like with like.
"""

from __future__ import annotations

import warnings

import numpy as np
import pyarrow as pa

from ..metrics.actionable import COMPLAINT_CUES, QUESTION_MARK, QUESTION_OPENING
from ..metrics.config import AuditConfig
from ..metrics.responses import add_business_seconds, calendars_for
from ..metrics.storytelling import BOOTSTRAP_LIMIT, NARRATIVE_CUES, ratio_ci

ALL = "all"


def pandas_audit(con, config: AuditConfig | None = None) -> dict:
    import pandas as pd

    config = config or AuditConfig()
    posts = con.execute("""
        SELECT channel, post_id, account_id, company_id, author_role, kind, parent_id, ref_id, conversation_id,
               created_at, text, likes, shares, comments, media_type, mentions, hashtags FROM posts
    """).df()
    accounts = con.execute("SELECT channel, account_id, handle, followers, company_id, identity FROM accounts").df()
    companies = con.sql("SELECT * FROM companies").to_arrow_table()

    # Inbound posts and actionable flags.
    inbound = posts[(posts.author_role == "consumer") & posts.company_id.notna()].copy()
    text = inbound.text.fillna("").str.lower()
    with warnings.catch_warnings():  # the patterns have groups; only whether they match matters here
        warnings.simplefilter("ignore", UserWarning)
        inbound["question"] = text.str.contains(QUESTION_MARK) | text.str.contains(QUESTION_OPENING)
        inbound["complaint"] = text.str.contains(COMPLAINT_CUES)
    inbound["actionable"] = inbound.question | inbound.complaint

    # First response: same company, channel, conversation; after the post, within the window.
    brand = posts.loc[posts.author_role == "brand", ["channel", "conversation_id", "company_id", "post_id",
                                                      "created_at"]]
    pairs = inbound[["channel", "conversation_id", "company_id", "post_id", "created_at"]].merge(
        brand, on=["channel", "conversation_id", "company_id"], suffixes=("", "_b"))
    window = pd.Timedelta(seconds=config.window_seconds)
    pairs = pairs[(pairs.created_at_b > pairs.created_at) & (pairs.created_at_b <= pairs.created_at + window)]
    first = pairs.sort_values("created_at_b").groupby(["channel", "post_id"], as_index=False).first()
    resp = inbound.merge(first[["channel", "post_id", "post_id_b", "created_at_b"]], on=["channel", "post_id"],
                         how="left")
    resp["responded"] = resp.created_at_b.notna()
    resp["response_seconds"] = (resp.created_at_b - resp.created_at).dt.total_seconds()
    resp["week"] = resp.created_at.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W").dt.start_time
    table = pa.table({"company": resp.company_id.astype(str).to_numpy(), "created_at": resp.created_at,
                      "first_response_at": resp.created_at_b})
    resp["business_seconds"] = add_business_seconds(table, calendars_for(companies)).column(
        "business_seconds").to_pandas()

    both = pd.concat([resp, resp.assign(channel=ALL)])
    g = both.groupby(["company_id", "channel"])
    answered = both[both.responded]
    ga = answered.groupby(["company_id", "channel"])
    metrics = pd.DataFrame({
        "inbound": g.size(),
        "actionable": g.actionable.sum(),
        "responded": g.responded.sum(),
        "actionable_responded": (both.actionable & both.responded).groupby([both.company_id, both.channel]).sum(),
        "median_response_s": ga.response_seconds.median(),
        "p90_response_s": ga.response_seconds.quantile(0.9),
        "median_business_s": ga.business_seconds.median(),
        "weeks_actionable": both[both.actionable].groupby(["company_id", "channel"]).week.nunique(),
        "weeks_answered": both[both.actionable & both.responded].groupby(["company_id", "channel"]).week.nunique(),
    })
    metrics["response_rate"] = metrics.actionable_responded / metrics.actionable.where(metrics.actionable > 0)

    # Brand activity: interactions with consumer content.
    roles = posts[["channel", "post_id", "author_role"]]
    bp = posts[(posts.author_role == "brand") & posts.company_id.notna()]
    bp = bp.merge(roles.rename(columns={"post_id": "parent_id", "author_role": "parent_role"}),
                  on=["channel", "parent_id"], how="left")
    bp = bp.merge(roles.rename(columns={"post_id": "ref_id", "author_role": "ref_role"}), on=["channel", "ref_id"],
                  how="left")
    bp["interaction"] = (bp.parent_role == "consumer") | (bp.ref_role == "consumer")
    bb = pd.concat([bp, bp.assign(channel=ALL)])
    activity = bb.groupby(["company_id", "channel"]).agg(brand_posts=("post_id", "size"),
                                                         interactions=("interaction", "sum"))
    activity["broadcast_only"] = (1 - activity.interactions / activity.brand_posts) >= config.broadcast_only_share

    # Influencers engaged via replies, shares, quotes and mentions.
    consumers = accounts[accounts.company_id.isna()].copy()
    cp = posts[posts.author_role == "consumer"]
    counts = cp[["likes", "shares", "comments"]]
    cp = cp.assign(e=counts.fillna(0).sum(axis=1).where(counts.notna().any(axis=1)))
    eng = cp.groupby(["channel", "account_id"]).e.sum(min_count=1).rename("engagement")
    consumers = consumers.merge(eng, on=["channel", "account_id"], how="left")

    def top_share(values):
        """In the top share: the account and all at least as large are at most that share."""
        known = values.notna()
        share = values[known].rank(method="max", ascending=False) / known.sum()
        return (share.reindex(values.index) <= config.influencer_top_share + 1e-9).fillna(False) & (values > 0)

    infl = consumers[(consumers.followers >= config.influencer_min_followers)
                     | top_share(consumers.followers) | top_share(consumers.engagement)].copy()
    infl["ident"] = infl.identity.fillna("handle:" + infl.handle.str.lower())
    infl = infl[["channel", "account_id", "handle", "ident"]]
    authors = posts[["channel", "post_id", "account_id"]]
    hits = []
    for col in ("parent_id", "ref_id"):
        h = bp[["company_id", "channel", col]].merge(authors.rename(columns={"post_id": col}), on=["channel", col])
        hits.append(h.merge(infl, on=["channel", "account_id"])[["company_id", "channel", "ident"]])
    mentions = bp[["company_id", "channel", "mentions"]].explode("mentions").dropna()
    infl["handle_lower"] = infl.handle.str.lower()
    hits.append(mentions.merge(infl, left_on=["channel", "mentions"], right_on=["channel", "handle_lower"])[
        ["company_id", "channel", "ident"]])
    engaged = pd.concat(hits).drop_duplicates()
    cross = engaged.groupby(["company_id", "ident"]).channel.nunique()
    cross = (cross >= config.influencer_min_channels).groupby(level=0).sum().rename("cross_channel_influencers")

    # Storytelling: series tags, narrative posts, lift.
    own = bp[bp.parent_id.isna() & bp.kind.isin(["post", "mention"])].copy()
    own["week"] = own.created_at.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W").dt.start_time
    tags = own[["company_id", "post_id", "week", "hashtags"]].explode("hashtags").dropna(subset=["hashtags"])
    per_tag = tags.groupby(["company_id", "hashtags"]).agg(n=("post_id", "nunique"), weeks=("week", "nunique"))
    series = per_tag[per_tag.n >= config.storytelling_series_posts].reset_index()
    in_series = tags.merge(series, on=["company_id", "hashtags"]).groupby("post_id").weeks.max()
    own["series_weeks"] = own.post_id.map(in_series).fillna(0)
    t = own.text.fillna("")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        narrative = t.str.lower().str.contains(NARRATIVE_CUES)
    own["story"] = ((own.series_weeks > 0) | (own.media_type == "video")
                    | (t.str.len() >= config.storytelling_long_form_chars) | narrative)
    own["eng"] = own.likes.fillna(0) + own.shares.fillna(0) + own.comments.fillna(0)
    rng = np.random.default_rng(config.seed)
    effective = {}
    for company, grp in own.groupby("company_id"):
        s, o = grp.eng[grp.story].to_numpy(float), grp.eng[~grp.story].to_numpy(float)
        ok = len(s) >= 2 and len(o) >= 2
        low = ratio_ci(s, o, config.bootstrap_samples, config.confidence, rng)[1] if ok else np.nan
        weeks = grp.series_weeks[grp.story].max() if grp.story.any() else 0
        effective[company] = bool(low > 1 and weeks >= config.storytelling_series_weeks)
    return {"metrics": metrics, "activity": activity, "cross": cross, "effective": effective}


def compare(audit_companies: pa.Table, baseline: dict) -> list[str]:
    """Differences between the audit's company table and the pandas results (empty = same)."""
    problems = []
    rows = {(r["company_id"], r["channel"]): r for r in audit_companies.to_pylist()}
    m = baseline["metrics"]
    for (company, channel), b in m.iterrows():
        a = rows.get((company, channel))
        if a is None:
            problems.append(f"{company}/{channel}: missing in the audit")
            continue
        for col in ("inbound", "actionable", "responded", "actionable_responded", "weeks_actionable",
                    "weeks_answered"):
            bv = 0 if np.isnan(b[col]) else int(b[col])
            if int(a[col] or 0) != bv:
                problems.append(f"{company}/{channel}: {col} {a[col]} vs pandas {bv}")
        for col in ("median_response_s", "p90_response_s", "median_business_s", "response_rate"):
            av, bv = a[col], b[col]
            if (av is None) != (bv is None or np.isnan(bv)) or (av is not None and not np.isclose(av, bv)):
                problems.append(f"{company}/{channel}: {col} {av} vs pandas {bv}")
    for (company, channel), b in baseline["activity"].iterrows():
        a = rows.get((company, channel))
        if a is None or int(a["interactions"]) != int(b.interactions) or bool(a["broadcast_only"]) != bool(
                b.broadcast_only):
            problems.append(f"{company}/{channel}: brand activity differs")
    for company, n in baseline["cross"].items():
        a = rows.get((company, ALL))
        if a is None or int(a["cross_channel_influencers"] or 0) != int(n):
            problems.append(f"{company}: cross-channel influencers {a and a['cross_channel_influencers']} vs {n}")
    for company, eff in baseline["effective"].items():
        a = rows.get((company, ALL))
        if a is not None and (a["top_level_posts"] or 0) <= BOOTSTRAP_LIMIT:
            continue  # resampled intervals: the two implementations draw random numbers in another order
        if a is None or bool(a["storytelling_effective"]) != eff:
            problems.append(f"{company}: storytelling effective {a and a['storytelling_effective']} vs {eff}")
    return problems
