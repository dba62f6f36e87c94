"""Company profile files: YAML, CSV and directories; every problem located (file, line, field) and
reported at once; the store round trip; the bundled example."""

from __future__ import annotations

import pytest
from helpers import REGISTRY, REPO, write

from socialaudit.errors import ConfigError
from socialaudit.loop.profile import Profile, Range
from socialaudit.loop.profiles import FILE_FIELDS, ProfileFileError, load_profiles, read_profiles, save_profiles
from socialaudit.model import PROFILE_SCHEMA
from socialaudit.registry import load_registry
from socialaudit.store.schema import create_table_sql

EXAMPLE = REPO / "data" / "examples" / "profiles_example.yaml"

COHORT = """\
currency: eur
year: 2023
example: true
companies:
  - company_id: acme
    social_spend: 1.5M..2M
    social_fte: 12
    cost_per_fte: 80k
    departments: [rnd, service]
    corporate_blog: yes
    gamification: no
    deflection_pct: 30%
    attributed_revenue: [1M, 3M]
    value_per_idea: {low: 1000, high: 5000}
  - company_id: beta
    year: 2024
    currency: GBP
    social_spend: 0
    departments: none
    measures_roi: unknown
"""


def test_yaml_cohort(tmp_path):
    acme, beta = load_profiles(write(tmp_path / "p.yaml", COHORT))
    assert (acme.company_id, acme.year, acme.currency, acme.example) == ("acme", 2023, "EUR", True)
    assert acme.social_spend == Range(low=1.5e6, high=2e6) and acme.social_fte == Range(low=12, high=12)
    assert acme.cost_per_fte.low == 80_000 and acme.deflection_pct.low == 30
    assert acme.attributed_revenue == Range(low=1e6, high=3e6) and acme.value_per_idea.high == 5000
    assert acme.departments == ["rnd", "service"]
    assert (acme.corporate_blog, acme.gamification, acme.mobile_apps) == (True, False, None)
    assert acme.source == str((tmp_path / "p.yaml").resolve())
    # a company's own year and currency win over the file's; example: true at the top marks all
    assert (beta.year, beta.currency, beta.example) == (2024, "GBP", True)
    # zero is zero, none is no department, unknown is unknown
    assert beta.social_spend == Range(low=0, high=0) and beta.departments == [] and beta.measures_roi is None
    assert beta.social_fte is None


def test_yaml_single_profile_and_list(tmp_path):
    (one,) = load_profiles(write(tmp_path / "one.yaml", "company_id: acme\nsocial_fte: 2..4\n"))
    assert one.social_fte == Range(low=2, high=4) and one.example is False
    two = load_profiles(write(tmp_path / "list.yml", "- company_id: a\n- company_id: b\n  year: 2020\n"))
    assert [(p.company_id, p.year) for p in two] == [("a", None), ("b", 2020)]


def test_csv(tmp_path):
    path = write(tmp_path / "p.csv",
                 "company_id,year,social_spend,departments,corporate_blog,mobile_apps,measures_roi,example\n"
                 "acme,2023,1M..2M,rnd;service,yes,0,,\n"
                 "\n"
                 "beta,2023,250000,,true,1,unknown,yes\n")
    acme, beta = load_profiles(path)
    assert acme.social_spend == Range(low=1e6, high=2e6) and acme.departments == ["rnd", "service"]
    assert (acme.corporate_blog, acme.mobile_apps, acme.measures_roi, acme.example) == (True, False, None, False)
    assert beta.social_spend.low == 250_000 and beta.departments is None and beta.example is True


def test_directory(tmp_path):
    write(tmp_path / "a.yaml", "company_id: a\nsocial_fte: 1\n")
    write(tmp_path / "b.csv", "company_id,social_fte\nb,2\n")
    write(tmp_path / "notes.txt", "not a profile")
    assert [p.company_id for p in load_profiles(tmp_path)] == ["a", "b"]
    write(tmp_path / "c.yml", "company_id: a\n")
    with pytest.raises(ConfigError, match=r"c.yml:1 \(company_id\): duplicate profile of company 'a' with no year "
                                          r"\(first at .*a.yaml:1\)"):
        load_profiles(tmp_path)


def test_empty_directory_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no profile files"):
        load_profiles(tmp_path)
    with pytest.raises(ConfigError, match="nope.yaml: no such profile file"):
        load_profiles(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="not a profile file"):
        load_profiles(write(tmp_path / "p.json", "{}"))


@pytest.mark.parametrize("body, where, message", [
    ("companies:\n  - company_id: a\n    socal_spend: 5\n", ":3 (companies[0].socal_spend)",
     "unknown field 'socal_spend' (did you mean 'social_spend'?)"),
    ("companies:\n  - company_id: a\n    social_spend: -5\n", ":3 (companies[0].social_spend)",
     "social_spend must not be negative (got -5)"),
    ("companies:\n  - company_id: a\n    cost_per_contact: -1..3\n", ":3 (companies[0].cost_per_contact)",
     "must not be negative"),
    ("companies:\n  - company_id: a\n    deflection_pct: 120\n", ":3 (companies[0].deflection_pct)",
     "a percentage must be between 0 and 100 (got 120)"),
    ("companies:\n  - company_id: a\n    social_fte: 5..3\n", ":3 (companies[0].social_fte)",
     "range low 5 is above high 3"),
    ("companies:\n  - company_id: a\n    social_fte: lots\n", ":3 (companies[0].social_fte)",
     "expected a number"),
    ("companies:\n  - company_id: a\n    departments: [rnd, legal]\n", ":3 (companies[0].departments)",
     "unknown department(s) legal"),
    ("companies:\n  - company_id: a\n    gamification: maybe\n", ":3 (companies[0].gamification)",
     "expected yes or no"),
    ("companies:\n  - company_id: a\n    currency: euro\n", ":3 (companies[0].currency)", "ISO 4217"),
    ("companies:\n  - company_id: a\n  - company_id: a\n", ":3 (companies[1].company_id)",
     "duplicate profile of company 'a' with no year"),
    ("companies:\n  - social_fte: 1\n", ":2 (companies[0].company_id)", "missing required field 'company_id'"),
    ("companies:\n  - company_id: a\n    year: 2020\n    year: 2021\n", ":4 (companies[0].year)", "given twice"),
    ("companies:\n  - just a name\n", ":2 (companies[0])", "a company profile is a mapping"),
    ("companies: a\n", ":1 (companies)", "'companies' is a list"),
    ("year: 1800\ncompanies: []\n", ":1 (year)", "greater than or equal to 1990"),
    ("social_spend: 5\ncompanies: []\n", ":1 (social_spend)", "company field: put it under 'companies'"),
    ("company_id: a\nmeasures_ri: yes\n", ":2 (measures_ri)", "did you mean 'measures_roi'?"),
    ("companies: [\n", ":2", "not valid YAML"),
    ("", ":1", "empty profile file"),
])
def test_yaml_errors_are_located(tmp_path, body, where, message):
    path = write(tmp_path / "p.yaml", body)
    with pytest.raises(ConfigError) as err:
        load_profiles(path)
    assert str(err.value).startswith(f"{path}{where}: "), str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize("rows, where, message", [
    ("company_id,socal_spend\na,5\n", ":1 (socal_spend)",
     "unknown column 'socal_spend' (did you mean 'social_spend'?)"),
    ("company_id,social_spend\na,1\nb,-5\n", ":3 (social_spend)", "must not be negative"),
    ("company_id,deflection_pct\na,101\n", ":2 (deflection_pct)", "between 0 and 100"),
    ("company_id,social_fte\na,9..2\n", ":2 (social_fte)", "range low 9 is above high 2"),
    ("company_id,departments\na,rnd;hr\n", ":2 (departments)", "unknown department(s) hr"),
    ("company_id,year\na,2023\na,2023\n", ":3 (company_id)", "duplicate profile of company 'a' with year 2023"),
    ("company_id,year\na,20x3\n", ":2 (year)", "expected a whole number"),
    ("social_fte\n1\n", ":1 (company_id)", "missing column 'company_id'"),
    ("company_id,social_fte\na\n", ":2: ", "the row has 1 cells, the header 2"),
    # a quoted cell over two lines and a blank line: rows are located by the physical line they start on
    ('company_id,departments\na,"rnd;\nservice"\n\nc,hr\n', ":5 (departments)", "unknown department(s) hr"),
])
def test_csv_errors_are_located(tmp_path, rows, where, message):
    path = write(tmp_path / "p.csv", rows)
    with pytest.raises(ConfigError) as err:
        load_profiles(path)
    assert str(err.value).startswith(f"{path}{where}"), str(err.value)
    assert message in str(err.value)


def test_all_problems_are_reported_at_once(tmp_path):
    path = write(tmp_path / "p.yaml", "companies:\n"
                                      "  - company_id: a\n"
                                      "    social_spend: -1\n"
                                      "    deflection_pct: 150\n"
                                      "  - company_id: b\n"
                                      "    departments: [legal]\n"
                                      "    colour: red\n"
                                      "  - company_id: a\n")
    with pytest.raises(ProfileFileError) as err:
        load_profiles(path)
    text = str(err.value)
    assert text.startswith(f"{path}: 5 problems:\n")
    for where in (":3 (companies[0].social_spend)", ":4 (companies[0].deflection_pct)",
                  ":6 (companies[1].departments)", ":7 (companies[1].colour)", ":8 (companies[2].company_id)"):
        assert f"  {path}{where}: " in text, where
    assert [(p.line, p.field) for p in err.value.problems] == [
        (3, "companies[0].social_spend"), (4, "companies[0].deflection_pct"), (6, "companies[1].departments"),
        (7, "companies[1].colour"), (8, "companies[2].company_id")]


def test_store_round_trip_and_upsert(store, tmp_path):
    profiles = load_profiles(write(tmp_path / "p.yaml", COHORT))
    assert save_profiles(store.con, profiles) == 2
    assert read_profiles(store.con) == profiles
    row = store.con.execute("SELECT social_spend_low, social_spend_high, deflection_pct_low, departments, example "
                            "FROM profiles WHERE company_id = 'acme'").fetchone()
    assert row == (1.5e6, 2e6, 30.0, ["rnd", "service"], True)
    # upsert by company: a new profile of acme replaces the old one, beta stays
    save_profiles(store.con, [Profile(company_id="acme", year=2024, social_fte=3)])
    stored = {p.company_id: p for p in read_profiles(store.con)}
    assert stored["acme"].social_spend is None and stored["acme"].social_fte.low == 3 and "beta" in stored
    # of several years of one company, the latest is kept
    save_profiles(store.con, [Profile(company_id="c", year=2022, social_fte=1), Profile(company_id="c", year=2021)])
    assert next(p for p in read_profiles(store.con) if p.company_id == "c").year == 2022


def test_store_schema_holds_every_profile_field():
    columns = set(PROFILE_SCHEMA.names)
    for name in Profile.model_fields:
        assert name in columns or {f"{name}_low", f"{name}_high"} <= columns, name
    assert set(FILE_FIELDS) | {"source"} == set(Profile.model_fields)


def test_an_empty_table_of_the_old_layout_is_replaced(store):
    import pyarrow as pa
    old = pa.schema([pa.field("company_id", pa.string(), nullable=False), pa.field("deflection_rate", pa.float64())])
    store.con.execute("DROP TABLE profiles")
    store.con.execute(create_table_sql("profiles", old, ("company_id",)))
    save_profiles(store.con, [Profile(company_id="a", deflection_pct=10)])
    assert read_profiles(store.con)[0].deflection_pct == Range(low=10, high=10)


def test_example_file():
    text = EXAMPLE.read_text()
    assert "illustrative" in text.lower() and "not these companies' real figures" in text.lower().replace("\n# ", " ")
    profiles = load_profiles(EXAMPLE)
    assert len(profiles) == 6 and all(p.example for p in profiles)
    registry_ids = {c.id for c in load_registry(REGISTRY).companies}
    assert {p.company_id for p in profiles} <= registry_ids
    assert any(r is not None and r.low < r.high for p in profiles for r in (p.social_spend, p.deflection_pct))


def test_example_roi_is_positive_negative_and_not_computable():
    from socialaudit.loop.roi import NO_ROI, roi

    results = {p.company_id: roi(p, None) for p in load_profiles(EXAMPLE)}
    statuses = [r.status for r in results.values()]
    assert statuses.count(NO_ROI) == 1
    computed = [r.roi for r in results.values() if r.status != NO_ROI]
    assert sum(x < 0 for x in computed) == 1 and sum(x > 0 for x in computed) == 4
