"""Maturity index and the leader/laggard split: hand-worked answers."""

import pytest
from pydantic import ValidationError

from socialaudit.loop.maturity import MaturityWeights, classify_cohort, maturity, roi_component
from socialaudit.loop.profile import Profile
from socialaudit.loop.roi import RoiResult


def result(status: str, value: float | None) -> RoiResult:
    return RoiResult("c", status, 1.0, None, value, value, value, None, {}, [])


def test_roi_component_values():
    assert roi_component(result("computed", 0.3)) == 1.0
    assert roi_component(result("computed", -0.2)) == 0.5
    assert roi_component(result("computed", 0.0)) == 0.5
    assert roi_component(result("no ROI", None)) == 0.0
    assert roi_component(result("no ROI", None), measures_roi=True) == 0.5
    assert roi_component(None, measures_roi=False) == 0.0
    assert roi_component(None) is None


def test_missing_component_renormalises_equal_weights():
    # practices: blog yes, apps no, video unknown, gamification yes -> 2 of 3 known = 0.6667
    # departments: 2 of 5 = 0.4; roi unknown (left out); engagement 50 -> 0.5
    # equal weights over the three known: (0.6667 + 0.4 + 0.5) / 3 = 0.52222 -> 52.22
    p = Profile(company_id="c", corporate_blog=True, mobile_apps=False, gamification=True,
                departments=["rnd", "service"])
    m = maturity("c", profile=p, engagement=50)
    assert m.used == ["practices", "departments", "engagement"]
    assert m.components["roi"] is None
    assert m.weights == pytest.approx({"practices": 1 / 3, "departments": 1 / 3, "engagement": 1 / 3})
    assert m.score == pytest.approx(100 * (2 / 3 + 0.4 + 0.5) / 3)


def test_custom_weights():
    # weights practices 1, departments 0, roi 1, engagement 2; all four known
    # practices 4/4 = 1, roi positive = 1, engagement 20 -> 0.2; departments weight 0 -> not used
    # (1*1 + 1*1 + 2*0.2) / 4 = 2.4 / 4 = 0.6 -> 60
    p = Profile(company_id="c", corporate_blog=True, mobile_apps=True, video_channels=True, gamification=True,
                departments=["rnd"])
    m = maturity("c", profile=p, roi=result("computed", 0.5), engagement=20,
                 weights=MaturityWeights(practices=1, departments=0, roi=1, engagement=2))
    assert m.score == pytest.approx(60.0)
    assert m.used == ["practices", "roi", "engagement"]


def test_nothing_known_gives_no_score():
    m = maturity("c")
    assert m.score is None and m.used == []


def test_weights_validated():
    with pytest.raises(ValidationError):
        MaturityWeights(practices=-1)
    with pytest.raises(ValidationError):
        MaturityWeights(practices=0, departments=0, roi=0, engagement=0)


def test_quartiles_on_eight_with_ties():
    # n = 8 -> k = 2. Leaders: fewer than 2 companies strictly higher -> a (0), b and c (1 each, tied at 80)
    # so three leaders.  Laggards: fewer than 2 strictly lower -> g and h (0 each, tied at 30); f has 2 lower.
    scores = {"a": 90, "b": 80, "c": 80, "d": 60, "e": 50, "f": 40, "g": 30, "h": 30}
    classes = classify_cohort(scores)
    assert classes == {"a": "leader", "b": "leader", "c": "leader", "d": "middle", "e": "middle",
                       "f": "middle", "g": "laggard", "h": "laggard"}


def test_quartiles_without_ties_and_all_tied():
    scores = {f"c{i}": float(i) for i in range(8)}
    classes = classify_cohort(scores)
    assert sorted(c for c, v in classes.items() if v == "leader") == ["c6", "c7"]
    assert sorted(c for c, v in classes.items() if v == "laggard") == ["c0", "c1"]
    assert set(classify_cohort(dict.fromkeys("abcd", 5.0)).values()) == {"middle"}


def test_small_cohort_and_missing_scores_unclassified():
    assert classify_cohort({"a": 1, "b": 2, "c": 3}) == {"a": "unclassified", "b": "unclassified",
                                                         "c": "unclassified"}
    classes = classify_cohort({"a": 1, "b": 2, "c": 3, "d": 4, "e": None})
    assert classes == {"a": "laggard", "b": "middle", "c": "middle", "d": "leader", "e": "unclassified"}
