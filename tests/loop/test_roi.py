"""ROI of one company: hand-worked answers, missing inputs, ranges and reproducibility."""

import pytest

from socialaudit.loop.profile import Profile
from socialaudit.loop.roi import NO_ROI, Observed, roi

# A quarter of a year: 365 / 91.25 = 4, so every observed count is multiplied by 4.
QUARTER = 91.25


def full_profile(**overrides) -> Profile:
    values = dict(company_id="acme", social_spend=100_000, social_fte=2, cost_per_fte=60_000,
                  cost_per_contact=6, deflection_pct=25, attributed_revenue=200_000,
                  value_per_idea=5_000, idea_acceptance_pct=10)
    values.update(overrides)
    return Profile(**values)


def test_every_input_known_hand_worked():
    # cost  = 100,000 + 2 x 60,000                       = 220,000
    # service: 5,000 answers a quarter -> 20,000 a year; x 25 % deflected = 5,000 contacts x 6 = 30,000
    # revenue                                            = 200,000
    # ideas: 30 a quarter -> 120 a year; x 10 % accepted = 12 ideas x 5,000 = 60,000
    # value = 30,000 + 200,000 + 60,000                  = 290,000
    # ROI   = (290,000 - 220,000) / 220,000 = 70 / 220  = 0.318181...
    r = roi(full_profile(), Observed("acme", QUARTER, service_answers=5_000, ideas_routed=30))
    assert r.status == "computed"
    assert r.cost == pytest.approx(220_000)
    assert r.value_parts == pytest.approx({"deflected_service_contacts": 30_000, "attributed_revenue": 200_000,
                                           "product_ideas": 60_000})
    assert r.value == pytest.approx(290_000)
    assert r.roi == pytest.approx(70 / 220)
    assert not r.negative and r.positive
    # no ranges: the band collapses on the point and nothing is uncertain
    assert r.roi_low == r.roi_high == pytest.approx(70 / 220)
    assert r.p_negative == 0.0 and r.tornado == [] and r.missing == []


def test_annualisation():
    obs = Observed("acme", 30, service_answers=100, ideas_routed=3)
    assert obs.annual("service_answers") == pytest.approx(100 * 365 / 30)
    # twice the counts over twice the period is the same year
    a = roi(full_profile(), Observed("acme", 365, 1_000, 10))
    b = roi(full_profile(), Observed("acme", 730, 2_000, 20))
    assert a.roi == pytest.approx(b.roi)
    with pytest.raises(ValueError):
        Observed("acme", 0, 1, 1)


def test_missing_spend_is_no_roi_not_zero():
    r = roi(Profile(company_id="x", attributed_revenue=1_000), None)
    assert r.status == NO_ROI
    assert r.roi is None and r.roi_low is None and r.p_negative is None
    assert r.missing == ["social_spend"]
    assert r.cost is None and r.value == pytest.approx(1_000)
    assert not r.negative


def test_fte_without_cost_per_fte_is_no_roi():
    r = roi(Profile(company_id="x", social_spend=10, social_fte=3, attributed_revenue=100), None)
    assert r.status == NO_ROI and r.missing == ["cost_per_fte"]


def test_no_value_term_lists_every_value_input():
    r = roi(Profile(company_id="x", social_spend=10), Observed("x", 365, 10, 10))
    assert r.status == NO_ROI
    assert r.missing == ["cost_per_contact", "deflection_pct", "attributed_revenue", "value_per_idea",
                         "idea_acceptance_pct"]
    assert r.cost == pytest.approx(10)
    assert r.value_parts == {"deflected_service_contacts": None, "attributed_revenue": None, "product_ideas": None}


def test_service_inputs_without_observation_need_the_observation():
    r = roi(Profile(company_id="x", social_spend=10, cost_per_contact=5, deflection_pct=20), None)
    assert r.status == NO_ROI and r.missing == ["observed.service_answers"]


def test_partly_known_term_is_left_out_and_listed():
    # spend only (no FTE): cost 1,000; revenue 1,500; the service term lacks deflection_pct
    r = roi(Profile(company_id="x", social_spend=1_000, attributed_revenue=1_500, cost_per_contact=5),
            Observed("x", 365, 100, 0))
    assert r.status == "computed"
    assert r.roi == pytest.approx(0.5)
    assert r.missing == ["deflection_pct"]
    assert r.value_parts["deflected_service_contacts"] is None
    assert any("social_fte unknown" in n for n in r.notes)


def test_negative_roi():
    # (100,000 - 500,000) / 500,000 = -0.8
    r = roi(Profile(company_id="x", social_spend=500_000, attributed_revenue=100_000), None)
    assert r.roi == pytest.approx(-0.8) and r.negative and r.p_negative == 1.0


def test_zero_cost_is_no_roi_with_reason():
    r = roi(Profile(company_id="x", social_spend=0, attributed_revenue=10), None)
    assert r.status == NO_ROI and r.roi is None and "zero" in r.reason


def test_ranges_band_tornado_and_seed():
    p = Profile(company_id="x", social_spend=[80_000, 120_000], attributed_revenue=[100_000, 300_000])
    r = roi(p, None, samples=4000, seed=1)
    # point at mid-points: 200,000 / 100,000 - 1 = 1.0
    assert r.roi == pytest.approx(1.0)
    assert r.roi_low < r.roi < r.roi_high
    assert 0 < r.p_negative < 0.2  # negative only when revenue < spend
    # tornado: revenue 100k..300k gives 0.0..2.0 (swing 2); spend 80k..120k gives 1.5..0.667 (swing 0.833)
    assert [t.input for t in r.tornado] == ["attributed_revenue", "social_spend"]
    assert (r.tornado[0].roi_at_low, r.tornado[0].roi_at_high) == pytest.approx((0.0, 2.0))
    assert (r.tornado[1].roi_at_low, r.tornado[1].roi_at_high) == pytest.approx((1.5, 200 / 120 - 1))
    again = roi(p, None, samples=4000, seed=1)
    assert (again.roi_low, again.roi_high, again.p_negative) == (r.roi_low, r.roi_high, r.p_negative)
    other = roi(p, None, samples=4000, seed=2)
    assert (other.roi_low, other.roi_high) != (r.roi_low, r.roi_high)


def test_observed_for_another_company_is_refused():
    with pytest.raises(ValueError):
        roi(full_profile(), Observed("other", 365, 1, 1))
