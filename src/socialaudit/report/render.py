"""The Jinja2 environment shared by every report.

Autoescaping is on for every template: post text, handles and file names come from
untrusted sources and are always escaped.  Styles are inlined from ``report.css`` so a
report is one file that can be e-mailed and opened offline.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("socialaudit.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: "–" if n is None else f"{n:,}"
    env.globals["pct"] = lambda x: "–" if x is None else f"{100 * x:.0f}%"
    env.globals["stylesheet"] = files("socialaudit.report").joinpath("templates/report.css").read_text()
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
