"""What ``socialaudit roi`` and ``maturity`` share: loading profiles (and survey answers),
auditing the store, and assessing the cohort."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..loop.assess import Assessment, assess
from ..loop.maturity import MaturityWeights
from ..loop.profile import Profile
from ..loop.profiles import load_profiles, save_profiles
from ..loop.reads import ReadPolicy
from ..metrics.audit import run_audit
from ..metrics.config import AuditConfig
from ..store import Store

ProfilesOption = Annotated[Path, typer.Option("--profiles", help="Company profiles: a YAML or CSV file, or a folder "
                                                                 "of them (docs/profiles.md).")]
SurveyOption = Annotated[Path | None, typer.Option("--survey", help="Study B questionnaire answers (CSV, "
                                                                    "docs/survey.md); companies without a profile are added from it.")]


def load_inputs(profiles: Path, survey: Path | None) -> tuple[list[Profile], dict[str, dict]]:
    """Profiles from the file(s), plus the survey's companies that have none; the survey's self-reports."""
    loaded = load_profiles(profiles)
    reports: dict[str, dict] = {}
    if survey is not None:
        from ..loop.survey import load_survey

        result = load_survey(survey)
        have = {p.company_id for p in loaded}
        loaded += [p for p in result.profiles if p.company_id not in have]
        for a in result.answers:
            reports[a.company_id] = {"rnd_reads_regularly": a.rnd_reads_regularly,
                                     "product_reads_regularly": a.product_reads_regularly,
                                     "silos_ineffective": None if a.silo_effective is None else not a.silo_effective}
    return loaded, reports


def assess_store(db: Path, profiles: list[Profile], reports: dict[str, dict], *, weights: MaturityWeights | None = None,
                 quantile: float = 0.25, samples: int = 2000, seed: int = 0,
                 read_policy: ReadPolicy | None = None) -> Assessment:
    """Save the profiles to the store, audit it, and assess the cohort."""
    with Store(db) as store:
        save_profiles(store.con, profiles)
        audit = run_audit(store.con, AuditConfig(bootstrap_samples=200, seed=seed))
        return assess(store.con, audit, profiles, weights=weights, quantile=quantile, samples=samples, seed=seed,
                      read_policy=read_policy, self_reports=reports)
