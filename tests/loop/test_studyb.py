"""Study B findings on a tiny hand-made cohort (every value worked out by hand below)."""

import pytest

from socialaudit.loop.profile import Profile
from socialaudit.loop.roi import RoiResult
from socialaudit.loop.studyb import TABLE_SCHEMA, CompanyLoop, findings_table, studyb_findings


def result(value: float | None) -> RoiResult:
    status = "no ROI" if value is None else "computed"
    return RoiResult("c", status, 1.0, None, value, value, value, None, {}, [])


ALL5 = ["rnd", "product", "service", "sales", "marketing"]

COHORT = [
    CompanyLoop("c1", "media_entertainment",
                Profile(company_id="c1", social_fte=2, social_spend=200, realises_business_value=True,
                        corporate_blog=True, mobile_apps=True, video_channels=True, gamification=True,
                        departments=ALL5, measures_roi=True),
                result(0.4), "leader", 90, rnd_reads_regularly=True, product_reads_regularly=True,
                consumer_interactions=100, self_reports={"silos_ineffective": True}),
    CompanyLoop("c2", "media_entertainment",
                Profile(company_id="c2", social_fte=1, social_spend=100, realises_business_value=False,
                        corporate_blog=True, mobile_apps=False, gamification=False,
                        departments=["rnd", "product", "service"]),
                result(-0.1), "leader", 80, rnd_reads_regularly=False, product_reads_regularly=True,
                consumer_interactions=50, self_reports={"silos_ineffective": False}),
    CompanyLoop("c3", "insurance",
                Profile(company_id="c3", social_fte=0.5, social_spend=50, realises_business_value=False,
                        corporate_blog=False, mobile_apps=False, video_channels=False, gamification=False,
                        departments=["marketing"], measures_roi=False),
                result(None), "laggard", 10, rnd_reads_regularly=False, consumer_interactions=5),
    CompanyLoop("c4", "insurance",
                Profile(company_id="c4", social_spend=100, corporate_blog=True, video_channels=False),
                result(0.2), "laggard", 20, product_reads_regularly=False, consumer_interactions=15),
    CompanyLoop("c5", "retail", None, None, "middle", 50, rnd_reads_regularly=False, product_reads_regularly=False,
                consumer_interactions=30),
    CompanyLoop("c6", None, Profile(company_id="c6", social_fte=[0, 2], social_spend=100,
                                    realises_business_value=False),
                result(-0.3), "middle", 40),
]


@pytest.fixture(scope="module")
def findings():
    return {f.key: f for f in studyb_findings(COHORT)}


def test_cohort_shares(findings):
    # >= 1 FTE: c1 (2) yes, c2 (1) yes, c3 (0.5) no, c6 ([0, 2] -> mid 1) yes; c4, c5 unknown -> 3 / 4
    f = findings["fte_at_least_one"]
    assert (f.count, f.n, f.value, f.study_value) == (3, 4, 0.75, 0.64)
    assert "2 companies without the data" in f.note
    # Wilson 95 % for 3 / 4 worked by hand: centre 0.6275, half-width 0.3269
    assert (f.ci_low, f.ci_high) == pytest.approx((0.3006, 0.9544), abs=1e-3)
    # business value: c1 yes; c2, c3, c6 no -> 1 / 4
    assert (findings["realises_business_value"].count, findings["realises_business_value"].n) == (1, 4)
    # R&D reads: c1 yes; c2, c3, c5 no -> 1 / 4; product: c1, c2 yes; c4, c5 no -> 2 / 4
    assert findings["rnd_reads_regularly"].value == 0.25 and findings["rnd_reads_regularly"].study_value == 0.27
    assert findings["product_reads_regularly"].value == 0.5 and findings["product_reads_regularly"].n == 4
    # no ROI: c3 of c1-c4, c6 (c5 has no ROI result) -> 1 / 5
    assert (findings["no_roi"].count, findings["no_roi"].n) == (1, 5)
    # negative among computed: c2, c6 of c1, c2, c4, c6 -> 2 / 4
    assert (findings["negative_roi"].count, findings["negative_roi"].n, findings["negative_roi"].value) == (2, 4, 0.5)


def test_self_reported_rows_kept_apart(findings):
    # measures_roi: c1 yes, c3 no -> never computes: 1 / 2
    assert (findings["no_roi_self_reported"].count, findings["no_roi_self_reported"].n) == (1, 2)
    assert (findings["silos_ineffective_self_reported"].value, findings["silos_ineffective_self_reported"].n) == (
        0.5, 2)
    assert "rnd_reads_regularly_self_reported" not in findings  # nobody answered it


def test_leaders_vs_laggards(findings):
    # spend: leaders (200 + 100) / 2 = 150, laggards (50 + 100) / 2 = 75 -> ratio 2
    f = findings["leaders_spend_ratio"]
    assert (f.value, f.value_leaders, f.value_laggards, f.n_leaders, f.n_laggards) == (2.0, 150, 75, 2, 2)
    assert (f.study_value, f.study_leaders) == (2.0, 28e6)
    # positive ROI: leaders c1 yes c2 no -> 0.5; laggards c3 no ROI, c4 yes -> 0.5
    f = findings["leaders_positive_roi"]
    assert (f.value_leaders, f.value_laggards, f.value) == (0.5, 0.5, 0.0)
    assert (f.study_leaders, f.study_laggards) == (0.62, 0.17) and f.study_value == pytest.approx(0.45)
    assert f.ci_low < 0 < f.ci_high
    # blog: leaders 2/2, laggards 1/2
    f = findings["leaders_corporate_blog"]
    assert (f.value_leaders, f.value_laggards, f.value, f.n) == (1.0, 0.5, 0.5, 4)
    # apps: leaders 1/2, laggards c3 no, c4 unknown -> 0/1
    f = findings["leaders_mobile_apps"]
    assert (f.value_leaders, f.value_laggards, f.n_leaders, f.n_laggards) == (0.5, 0.0, 2, 1)
    # video: leaders c1 yes, c2 unknown -> 1/1; laggards 0/2
    f = findings["leaders_video_channels"]
    assert (f.value_leaders, f.value_laggards, f.n_leaders, f.n_laggards) == (1.0, 0.0, 1, 2)
    f = findings["leaders_gamification"]
    assert (f.value_leaders, f.value_laggards, f.study_leaders) == (0.5, 0.0, None)
    # departments: leaders 5 and 3 -> 4; laggards c3 1 (c4 unknown) -> 1
    f = findings["leaders_departments"]
    assert (f.value_leaders, f.value_laggards, f.value, f.n_laggards, f.study_leaders) == (4.0, 1.0, 3.0, 1, 5.0)


def test_industries(findings):
    # media & entertainment (100 + 50) / 2 = 75; retail 30; insurance (5 + 15) / 2 = 10; c6 has no industry
    most, least = findings["most_active_industry"], findings["least_active_industry"]
    assert "media & entertainment" in most.statement and most.value == 75 and most.count == 2 and most.n == 5
    assert "insurance" in least.statement and least.value == 10
    one = studyb_findings([CompanyLoop("a", "retail", consumer_interactions=3)])
    assert {f.key: f.value for f in one}["most_active_industry"] is None


def test_empty_groups_give_no_values():
    rows = {f.key: f for f in studyb_findings([CompanyLoop("a", maturity_class="middle")])}
    assert rows["leaders_corporate_blog"].value is None and rows["leaders_corporate_blog"].n == 0
    assert rows["fte_at_least_one"].value is None and rows["fte_at_least_one"].ci_low is None


def test_findings_table(findings):
    table = findings_table(list(findings.values()))
    assert table.schema == TABLE_SCHEMA
    assert table.column_names == ["key", "statement", "value", "value_leaders", "value_laggards", "count", "n",
                                  "n_leaders", "n_laggards", "ci_low", "ci_high", "study_value", "study_leaders",
                                  "study_laggards", "note"]
    assert table.num_rows == len(findings)
