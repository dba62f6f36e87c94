"""The Study B questionnaire as a CSV file, so a user can survey their own cohort.

Study B ("Mastering Digital Feedback") asked companies about their social-media spend, staff,
organisation, practices and ROI.  Observed posts answer some of those questions better than a
questionnaire (who responds, how fast), but others only the company knows (what it spends, who
owns social media, whether R&D reads comments).  This module reads one row per responding
company (columns = the question ids of :data:`QUESTIONS`, documented in ``docs/survey.md``;
template ``data/templates/studyb_survey_template.csv``) into the same :class:`Profile` records
a profile file gives, plus the self-reported answers that are no profile field
(:class:`SurveyAnswers`), so both can be set beside the observed data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .profile import Profile
from .profiles import Entry, Problem, check_duplicates, clean_value, raise_problems, read_csv_rows, read_text, validate
from .profiles import unknown_name as _unknown


@dataclass(frozen=True)
class Question:
    """One column of the questionnaire: its id, the wording asked, the answers allowed, what it fills."""

    id: str
    text: str
    answers: str
    fills: str


YES_NO = "yes / no (empty or `unknown`: not answered)"
AMOUNT = "an amount (`250000`, `1.5M`) or a range `low..high`"
OWNERS = ("marketing", "communications", "service", "sales", "product", "it", "digital", "shared", "other")
ROI_RESULTS = ("positive", "negative", "break_even")
BUSINESS_VALUES = ("acquisition", "after_sales")

QUESTIONS: tuple[Question, ...] = (
    Question("company_id", "Identifier of your company (as in your company registry, e.g. `comcast`).",
             "text, required", "Profile.company_id"),
    Question("year", "Which year do your answers describe?", "a year such as `2024`", "Profile.year"),
    Question("currency", "In which currency are the amounts you give?", "ISO 4217 code: `USD`, `EUR`, `GBP`, ...",
             "Profile.currency"),
    Question("social_spend", "How much does your company spend on social media per year (agencies, paid media, "
             "tools; staff not included)?",
             "an amount, or a band: `0..1M`, `1M..5M`, `5M..10M`, `10M..25M`, `25M..50M`, `50M..100M` "
             "(any `low..high` is accepted)", "Profile.social_spend"),
    Question("social_fte", "How many people, in full-time equivalents, work on social media?",
             "a number (`12`, `2.5`) or a range `low..high`", "Profile.social_fte"),
    Question("cost_per_fte", "What does one full-time equivalent cost per year, fully loaded (salary, benefits, "
             "overhead)?", AMOUNT, "Profile.cost_per_fte"),
    Question("departments", "Which departments take part in social media?",
             "several of `rnd`, `product`, `service`, `sales`, `marketing` separated by `;`, or `all`, or `none`",
             "Profile.departments"),
    Question("rnd_reads_regularly", "Does R&D regularly read consumer comments from social media?", YES_NO,
             "SurveyAnswers.rnd_reads_regularly"),
    Question("product_reads_regularly", "Does product management regularly read consumer comments from social "
             "media?", YES_NO, "SurveyAnswers.product_reads_regularly"),
    Question("owner", "Which organisation owns social media in your company?",
             "one of " + ", ".join(f"`{o}`" for o in OWNERS)
             + " (`digital`: a dedicated social/digital unit; `shared`: several departments together)",
             "SurveyAnswers.owner"),
    Question("silo_effective", "Is the way social media is owned and organised in your company effective?", YES_NO,
             "SurveyAnswers.silo_effective"),
    Question("corporate_blog", "Does your company run a corporate blog?", YES_NO, "Profile.corporate_blog"),
    Question("mobile_apps", "Does your company offer mobile apps to consumers?", YES_NO, "Profile.mobile_apps"),
    Question("video_channels", "Does your company run video channels (YouTube or similar)?", YES_NO,
             "Profile.video_channels"),
    Question("gamification", "Does your company use gamification or social games with consumers?", YES_NO,
             "Profile.gamification"),
    Question("measures_roi", "Does your company compute the return on investment (ROI) of social media?", YES_NO,
             "Profile.measures_roi"),
    Question("roi_result", "If it does: what was the result of the last computation?",
             "`positive`, `negative`, `break_even` (empty or `unknown` if not computed); a result implies "
             "`measures_roi` yes", "SurveyAnswers.roi_result"),
    Question("business_value", "Which measurable business value does social media bring your company?",
             "`acquisition`, `after_sales`, both (`acquisition;after_sales`) or `none`",
             "Profile.realises_business_value (yes unless `none`) and SurveyAnswers.business_value"),
    Question("cost_per_contact", "What does one service contact on another channel (phone, e-mail, chat) cost?",
             AMOUNT, "Profile.cost_per_contact"),
    Question("deflection_pct", "Of the service questions answered on social media, what share would otherwise "
             "have become a contact on another channel?", "a percentage 0-100 (`30`, `30%`) or `low..high`",
             "Profile.deflection_pct"),
    Question("attributed_revenue", "How much yearly revenue does your company attribute to social media?", AMOUNT,
             "Profile.attributed_revenue"),
    Question("value_per_idea", "What is one product idea from consumers worth when it is taken up?", AMOUNT,
             "Profile.value_per_idea"),
    Question("idea_acceptance_pct", "Of the product ideas that reach you from social media, what share is "
             "taken up?", "a percentage 0-100 or `low..high`", "Profile.idea_acceptance_pct"),
)

#: The template's header: one column per question, in questionnaire order.
COLUMNS = tuple(q.id for q in QUESTIONS)
#: Not questions: ``example`` (yes marks made-up rows such as the bundled example's).
OPTIONAL_COLUMNS = ("example",)
_PROFILE_COLUMNS = tuple(c for c in COLUMNS + OPTIONAL_COLUMNS if c in Profile.model_fields)
_COLUMN_OF = {"realises_business_value": "business_value"}


@dataclass(frozen=True)
class SurveyAnswers:
    """What a company said about itself that is no profile field (Study B's organisation questions)."""

    company_id: str
    year: int | None = None
    rnd_reads_regularly: bool | None = None
    product_reads_regularly: bool | None = None
    owner: str | None = None
    silo_effective: bool | None = None
    roi_result: str | None = None
    business_value: tuple[str, ...] | None = None


@dataclass
class SurveyResult:
    """A survey file read: one profile and one set of answers per responding company (same order)."""

    source: str
    profiles: list[Profile] = field(default_factory=list)
    answers: list[SurveyAnswers] = field(default_factory=list)


_TRUE, _FALSE = ("yes", "y", "true", "t", "1"), ("no", "n", "false", "f", "0")


def _yes_no(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in _TRUE + _FALSE:
        return value.lower() in _TRUE
    raise ValueError(f"expected yes or no (empty or 'unknown' if not answered), got {value!r}")


def _choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    key = value.lower().replace("-", "_").replace(" ", "_")
    key = "break_even" if key == "breakeven" else key
    if key not in allowed:
        raise ValueError(_unknown(what, value, allowed) + f" (one of {', '.join(allowed)})")
    return key


def _business_value(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    parts = [p.strip().lower().replace("-", "_") for p in value.replace(",", ";").split(";") if p.strip()]
    if parts == ["none"]:
        return ()
    if "none" in parts:
        raise ValueError("'none' cannot be combined with other answers")
    return tuple(dict.fromkeys(_choice(p, BUSINESS_VALUES, "business value") for p in parts))


_ANSWERS = {
    "rnd_reads_regularly": _yes_no,
    "product_reads_regularly": _yes_no,
    "owner": lambda v: _choice(v, OWNERS, "owner"),
    "silo_effective": _yes_no,
    "roi_result": lambda v: _choice(v, ROI_RESULTS, "ROI result"),
    "business_value": _business_value,
}


def _read_row(path: str, line: int, row: dict[str, str], source: str,
              problems: list[Problem]) -> tuple[Entry, SurveyAnswers | None]:
    cells = {k: clean_value(k, v) for k, v in row.items()}
    before = len(problems)
    answers: dict[str, Any] = {}
    for column, parse in _ANSWERS.items():
        try:
            answers[column] = parse(cells.get(column))
        except ValueError as exc:
            problems.append(Problem(path, line, column, str(exc)))
    fields = {c: cells.get(c) for c in _PROFILE_COLUMNS} | {"source": source}
    if answers.get("business_value") is not None:
        fields["realises_business_value"] = bool(answers["business_value"])
    if answers.get("roi_result"):
        measured = _yes_no_or_none(cells.get("measures_roi"))
        if measured is False:
            problems.append(Problem(path, line, "roi_result",
                                    f"an ROI result ('{answers['roi_result']}') is given but measures_roi is no"))
        elif measured is None:
            fields["measures_roi"] = True
    profile = validate(fields, path=path, problems=problems, line_of=lambda loc: line,
                       name_of=lambda loc: _COLUMN_OF.get(str(loc[0]), str(loc[0])) if loc else None)
    entry = Entry.of(profile, fields, path, line)
    if profile is None or len(problems) > before:
        return entry, None
    return entry, SurveyAnswers(company_id=profile.company_id, year=profile.year, **answers)


def _yes_no_or_none(value: str | None) -> bool | None:
    try:
        return _yes_no(value)
    except ValueError:
        return None  # reported by the profile validation of measures_roi


def load_survey(path: str | Path) -> SurveyResult:
    """Read a Study B survey CSV; raises :class:`~socialaudit.loop.profiles.ProfileFileError` listing
    every problem (file, line, column, reason) if any answer is invalid."""
    path = Path(path)
    problems: list[Problem] = []
    result = SurveyResult(str(path.resolve()))
    if path.suffix.lower() != ".csv":
        problems.append(Problem(str(path), None, None, "a survey file is CSV (.csv), see docs/survey.md"))
    text = read_text(path, problems, "survey") if not problems else None
    entries = []
    if text is not None:
        for line, row in read_csv_rows(str(path), text, COLUMNS + OPTIONAL_COLUMNS, problems):
            entry, answers = _read_row(str(path), line, row, result.source, problems)
            entries.append(entry)
            if answers is not None and entry.profile is not None:
                result.profiles.append(entry.profile)
                result.answers.append(answers)
    check_duplicates(entries, problems)
    raise_problems(path, problems)
    return result
