"""Registry files: validation errors name the file, the line and the field."""

from __future__ import annotations

import pytest
from helpers import write

from socialaudit.errors import ConfigError
from socialaudit.hours import parse_hours
from socialaudit.registry import load_registry

from helpers import REGISTRY


def test_bundled_registry_is_valid_and_covers_the_sample_brands():
    reg = load_registry(REGISTRY)
    handles = {h for (_, h) in reg.brand_handles()}
    assert {"sprintcare", "amazonhelp", "applesupport", "chipotletweets", "aldiuk"} <= handles
    assert all(c.industry for c in reg.companies)


@pytest.mark.parametrize("body, where, message", [
    ("companies:\n  - id: a\n    name: A\n    timezone: Europe/Lndon\n", ":4 (companies[0].timezone)",
     "unknown time zone 'Europe/Lndon'"),
    ("companies:\n  - id: a\n    name: A\n    industry: mining\n", ":4 (companies[0].industry)", "unknown industry"),
    ("companies:\n  - id: a\n    name: A\n    colour: red\n", ":4 (companies[0].colour)", "unknown field 'colour'"),
    ("companies:\n  - id: a\n", ":2 (companies[0].name)", "missing required field 'name'"),
    ("companies:\n  - id: a\n    name: A\n    business_hours: {mon-fri: '17:00-09:00'}\n",
     ":4 (companies[0].business_hours)", "the end must be after the start"),
    ("companies:\n  - id: a\n    name: A\n  - id: a\n    name: B\n", "companies[1].id", "duplicate company id"),
    ("companies: [\n", ":2", "not valid YAML"),
])
def test_errors_are_located(tmp_path, body, where, message):
    path = write(tmp_path / "r.yaml", body)
    with pytest.raises(ConfigError) as err:
        load_registry(path)
    assert str(err.value).startswith(f"{path}{where}") or where in str(err.value), str(err.value)
    assert message in str(err.value)


def test_csv_registry(tmp_path):
    path = write(tmp_path / "r.csv", "company_id,name,industry,timezone,business_hours,channel,handle\n"
                                     "acme,Acme,retail,Europe/Berlin,mon-fri 08:00-18:00; sat 10:00-14:00,twitter,AcmeHelp\n"
                                     "acme,,,,,facebook,acme.page\n")
    reg = load_registry(path)
    assert reg.brand_handles() == {("twitter", "acmehelp"): "acme", ("facebook", "acme.page"): "acme"}
    with pytest.raises(ConfigError, match=r"r2.csv:3: company 'acme' has two different name values"):
        load_registry(write(tmp_path / "r2.csv", "company_id,name\nacme,Acme\nacme,Other\n"))


def test_business_hours_forms():
    assert parse_hours("24/7")[6] == [(0, 1440)]
    week = parse_hours({"mon-fri": "08:00-12:00", "weekdays": ["13:00-17:00"], "sat": "closed"})
    assert week[0] == [(480, 720), (780, 1020)] and week[5] == [] and week[6] == []
    assert parse_hours({"fri-mon": "10:00-11:00"})[6] == [(600, 660)]
    with pytest.raises(ValueError, match="overlapping"):
        parse_hours({"mon": ["08:00-12:00", "11:00-13:00"]})
