"""The engagement score: a documented weighted composite, 0 to 100.

Components, each between 0 and 1 (weights in :data:`~socialaudit.metrics.config.DEFAULT_WEIGHTS`,
configurable):

* **responsiveness**: the response rate to actionable inbound posts;
* **speed**: the answered posts weighted by how fast (within the first SLA bucket 1, the
  second 0.75, third 0.5, fourth 0.25, later 0); 0 if actionable posts went unanswered and
  none was answered;
* **interaction**: on a channel, whether the company interacted with consumer content at
  all; for the company, the share of its channels where it did;
* **consistency**: on a channel, whether the company interacts *regularly* there; for the
  company, the share of its channels with actionable inbound where it does;
* **storytelling**: 1 if effective, 0.5 if the company tells stories that are not shown to
  work, 0 if it tells none;
* **influencers**: 1 if the company engages the same influencer on several channels
  (company) or any influencer (channel), 0.5 for an influencer on one channel only
  (company), else 0.

A component that does not apply (no inbound posts, so no response rate) is left out and the
remaining weights are rescaled, so a company is not rewarded or punished for what the data
cannot show.
"""

from __future__ import annotations

import math

from .engagement import ALL

SPEED_WEIGHTS = (1.0, 0.75, 0.5, 0.25, 0.0)


def components(row: dict, sla_names: list[str], channel_rows: list[dict] | None = None) -> dict[str, float | None]:
    """The six components of one company-channel row (``channel_rows`` for a company's ``all`` row)."""
    actionable = row.get("actionable") or 0
    responsiveness = row.get("response_rate") if actionable else None
    if not row.get("responded"):
        speed = 0.0 if actionable else None
    else:
        speed = sum(w * (row.get(name) or 0.0) for w, name in zip(SPEED_WEIGHTS, sla_names))
    story = 1.0 if row.get("storytelling_effective") else (0.5 if (row.get("storytelling_posts") or 0) > 0 else 0.0)
    if row["channel"] == ALL and channel_rows is not None:
        active = [r for r in channel_rows if (r.get("brand_posts") or 0) + (r.get("inbound") or 0) > 0]
        interaction = (sum(1 for r in active if r.get("ever_interacted")) / len(active)) if active else None
        with_inbound = [r for r in channel_rows if (r.get("actionable") or 0) > 0]
        consistency = (sum(1 for r in with_inbound if r.get("regular")) / len(with_inbound)) if with_inbound else None
        influencers = 1.0 if (row.get("cross_channel_influencers") or 0) > 0 else (
            0.5 if (row.get("influencers_engaged") or 0) > 0 else 0.0)
    else:
        active = (row.get("brand_posts") or 0) + (row.get("inbound") or 0) > 0
        interaction = (1.0 if row.get("ever_interacted") else 0.0) if active else None
        consistency = (1.0 if row.get("regular") else 0.0) if actionable else None
        influencers = 1.0 if (row.get("influencers_engaged") or 0) > 0 else 0.0
    return {"responsiveness": responsiveness, "speed": speed, "interaction": interaction,
            "consistency": consistency, "storytelling": story, "influencers": influencers}


def score(parts: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """Weighted mean of the components that apply, on a 0-100 scale."""
    used = {k: v for k, v in parts.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
    total = sum(weights[k] for k in used)
    if not total:
        return None
    return 100.0 * sum(weights[k] * v for k, v in used.items()) / total
