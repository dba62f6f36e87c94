"""The Study B survey CSV: template and docs in step with the questions, the example, located errors."""

from __future__ import annotations

import csv
import re

import pytest
from helpers import REPO, write

from socialaudit.errors import ConfigError
from socialaudit.loop.profile import Range
from socialaudit.loop.profiles import ProfileFileError, read_profiles, save_profiles
from socialaudit.loop.survey import COLUMNS, OPTIONAL_COLUMNS, QUESTIONS, SurveyAnswers, load_survey

TEMPLATES = REPO / "data" / "templates"
TEMPLATE = TEMPLATES / "studyb_survey_template.csv"
EXAMPLE = TEMPLATES / "studyb_survey_example.csv"
DOC = REPO / "docs" / "survey.md"


def header(path):
    with path.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def test_template_header_is_the_documented_questions():
    assert tuple(header(TEMPLATE)) == COLUMNS
    assert load_survey(TEMPLATE).profiles == []
    documented = re.findall(r"^\| `([a-z_]+)` \|", DOC.read_text(), re.M)
    assert documented == list(COLUMNS + OPTIONAL_COLUMNS)
    doc = DOC.read_text()
    assert all(q.text in doc and q.answers in doc for q in QUESTIONS)


def test_example_rows_are_fictional_and_marked():
    assert tuple(header(EXAMPLE)) == COLUMNS + ("example",)
    result = load_survey(EXAMPLE)
    assert [p.company_id for p in result.profiles] == ["example-a", "example-b", "example-c"]
    assert all(p.example for p in result.profiles)
    a, b, c = result.answers
    assert a == SurveyAnswers("example-a", 2024, True, True, "digital", True, "positive",
                              ("acquisition", "after_sales"))
    assert result.profiles[0].departments == ["rnd", "product", "service", "sales", "marketing"]
    assert b.business_value == () and result.profiles[1].realises_business_value is False
    assert c.roi_result == "negative" and result.profiles[2].measures_roi is True


def test_answers_fill_profiles(tmp_path):
    path = write(tmp_path / "s.csv", "company_id,year,currency,social_spend,deflection_pct,roi_result,owner,"
                                     "business_value,silo_effective,gamification\n"
                                     "acme,2024,usd,1M..5M,30%,Break-even,Marketing,after-sales,,unknown\n")
    result = load_survey(path)
    (p,) = result.profiles
    assert (p.year, p.currency, p.social_spend, p.deflection_pct) == (2024, "USD", Range(low=1e6, high=5e6),
                                                                     Range(low=30, high=30))
    # a result implies the ROI is measured; empty and unknown stay unknown
    assert p.measures_roi is True and p.realises_business_value is True and p.gamification is None
    assert result.answers == [SurveyAnswers("acme", 2024, None, None, "marketing", None, "break_even",
                                            ("after_sales",))]
    assert p.source == str(path.resolve()) and p.example is False


@pytest.mark.parametrize("rows, where, message", [
    ("company_id,ownr\na,x\n", ":1 (ownr)", "unknown column 'ownr' (did you mean 'owner'?)"),
    ("company_id,owner\na,marketting\n", ":2 (owner)", "unknown owner 'marketting' (did you mean 'marketing'?)"),
    ("company_id,rnd_reads_regularly\na,often\n", ":2 (rnd_reads_regularly)", "expected yes or no"),
    ("company_id,measures_roi,roi_result\na,no,positive\n", ":2 (roi_result)",
     "an ROI result ('positive') is given but measures_roi is no"),
    ("company_id,roi_result\na,great\n", ":2 (roi_result)", "unknown ROI result 'great'"),
    ("company_id,business_value\na,none;acquisition\n", ":2 (business_value)", "'none' cannot be combined"),
    ("company_id,business_value\na,fame\n", ":2 (business_value)", "unknown business value 'fame'"),
    ("company_id,social_spend\na,-2M\n", ":2 (social_spend)", "must not be negative"),
    ("company_id,idea_acceptance_pct\na,150\n", ":2 (idea_acceptance_pct)", "between 0 and 100"),
    ("company_id,social_fte\na,9..3\n", ":2 (social_fte)", "range low 9 is above high 3"),
    ("company_id,departments\na,rnd;legal\n", ":2 (departments)", "unknown department(s) legal"),
    ("company_id,year\na,2024\nb,2024\na,2024\n", ":4 (company_id)", "duplicate profile of company 'a' with year 2024"),
    ("year\n2024\n", ":1 (company_id)", "missing column 'company_id'"),
])
def test_errors_are_located(tmp_path, rows, where, message):
    path = write(tmp_path / "s.csv", rows)
    with pytest.raises(ConfigError) as err:
        load_survey(path)
    assert str(err.value).startswith(f"{path}{where}: "), str(err.value)
    assert message in str(err.value)


def test_all_problems_are_reported_at_once(tmp_path):
    path = write(tmp_path / "s.csv", "company_id,owner,social_spend,deflection_pct,silo_efective\n"
                                     "a,boss,-1,101,\n"
                                     "b,service,5,5,\n")
    with pytest.raises(ProfileFileError) as err:
        load_survey(path)
    assert str(err.value).startswith(f"{path}: 4 problems:\n")
    assert [(p.line, p.field) for p in err.value.problems] == [
        (1, "silo_efective"), (2, "deflection_pct"), (2, "owner"), (2, "social_spend")]
    assert "did you mean 'silo_effective'?" in str(err.value)


def test_not_csv_or_missing(tmp_path):
    with pytest.raises(ConfigError, match="a survey file is CSV"):
        load_survey(write(tmp_path / "s.yaml", "company_id: a\n"))
    with pytest.raises(ConfigError, match="no such survey file"):
        load_survey(tmp_path / "none.csv")


def test_survey_profiles_go_to_the_store(store):
    result = load_survey(EXAMPLE)
    save_profiles(store.con, result.profiles)
    assert read_profiles(store.con) == result.profiles
