"""Company profile files (YAML or CSV, one per company or one per cohort) read into :class:`Profile`s.

A user fills these by hand, so every problem of a file is collected and reported at once, each
with the file, the line and the field (``profiles.yaml:14 (companies[2].social_spend): ...``),
instead of stopping at the first.  The format is described in ``docs/profiles.md``; the store
side (``save_profiles``/``read_profiles``) keeps one row per company in the ``profiles`` table.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml
from pydantic import ValidationError

from ..errors import ConfigError, StoreError
from ..model import PROFILE_SCHEMA
from ..store.schema import create_table_sql
from ..yamlconfig import _format_loc, _message, _yaml_line
from .profile import DEPARTMENTS, UNCERTAIN_INPUTS, Profile

#: Fields a profile file may set (``source`` is set by the loader: the file it came from).
FILE_FIELDS = tuple(name for name in Profile.model_fields if name != "source")
#: Keys at the top of a cohort file; ``currency`` and ``year`` are defaults for its companies,
#: ``example: true`` marks every company of the file as illustrative.
COHORT_KEYS = ("currency", "example", "year", "companies")
SUFFIXES = (".yaml", ".yml", ".csv")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where (file, line, field or column) and why."""

    path: str
    line: int | None
    field: str | None
    reason: str

    def location(self) -> str | None:
        if self.line and self.field:
            return f"{self.line} ({self.field})"
        return str(self.line) if self.line else self.field

    def __str__(self) -> str:
        where = self.location()
        return f"{self.path}:{where}: {self.reason}" if where else f"{self.path}: {self.reason}"


class ProfileFileError(ConfigError):
    """Every problem found in a profile or survey file (or a directory of them), in one message."""

    def __init__(self, path: str, problems: Sequence[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0, p.field or ""))
        if len(self.problems) == 1:
            first = self.problems[0]
            super().__init__(first.path, first.location(), first.reason)
        else:
            listing = "\n".join(f"  {p}" for p in self.problems)
            super().__init__(path, None, f"{len(self.problems)} problems:\n{listing}")


def raise_problems(path: str | Path, problems: Sequence[Problem]) -> None:
    if problems:
        raise ProfileFileError(str(path), problems)


def unknown_name(kind: str, name: str, known: Iterable[str]) -> str:
    """``unknown field 'socal_spend' (did you mean 'social_spend'?)``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"unknown {kind} '{name}'" + (f" (did you mean '{close[0]}'?)" if close else "")


def error_reason(err: dict) -> str:
    """A pydantic error as a sentence a person filling in a file understands."""
    kind, name, given = err["type"], str(err["loc"][-1]) if err["loc"] else "", err.get("input")
    if kind == "extra_forbidden":
        return unknown_name("field", name, FILE_FIELDS)
    if kind in ("bool_parsing", "bool_type"):
        return f"expected yes or no (true/false, 1/0; empty or 'unknown' if not known), got {given!r}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {given!r}"
    if kind == "string_pattern_mismatch" and name == "currency":
        return f"a currency is a three-letter ISO 4217 code such as EUR or USD, got {given!r}"
    if kind == "string_too_short" and name == "company_id":
        return "company_id must not be empty"
    return _message(err)


def clean_value(name: str, value: Any) -> Any:
    """Empty and ``unknown`` mean not known (None, never zero); departments ``none``/``all``."""
    if isinstance(value, str):
        value = value.strip()
        if value == "" or value.lower() == "unknown":
            return None
        if name == "departments" and value.lower() in ("none", "all"):
            return [] if value.lower() == "none" else list(DEPARTMENTS)
    return value


def read_text(path: Path, problems: list[Problem], kind: str = "profile") -> str | None:
    """The file as text, or None with a problem (missing, unreadable, not UTF-8)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(str(path), None, None, f"no such {kind} file"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
    except OSError as exc:
        problems.append(Problem(str(path), None, None, f"cannot read the {kind} file: {exc.strerror or exc}"))
    return None


def read_csv_rows(path: str, text: str, known: Sequence[str], problems: list[Problem],
                  required: Sequence[str] = ("company_id",)) -> list[tuple[int, dict[str, str]]]:
    """(physical line where the row starts, {column: cell}) per non-blank row; header problems reported.

    Unknown columns are reported and then left out, so the rest of the file is still checked.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(path, start, None, f"not valid CSV: {exc}"))
            break
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            for i, name in enumerate(header):
                if name not in known:
                    reason = unknown_name("column", name, known)
                    problems.append(Problem(path, start, name or f"column {i + 1}", reason))
                elif name in header[:i]:
                    problems.append(Problem(path, start, name, f"column '{name}' appears twice"))
            missing = [name for name in required if name not in header]
            for name in missing:
                problems.append(Problem(path, start, name, f"missing column '{name}'"))
            if missing:
                return []  # every row would repeat the same problem
            continue
        if len(cells) != len(header):
            problems.append(Problem(path, start, None, f"the row has {len(cells)} cells, the header {len(header)}"))
            continue
        rows.append((start, {k: v for k, v in zip(header, cells, strict=True) if k in known}))
    if header is None:
        problems.append(Problem(path, 1, None, "empty file (expected a header row)"))
    return rows


@dataclass
class Entry:
    """One company entry of a file, valid (``profile``) or not, with where it was written."""

    profile: Profile | None
    key: tuple[str, Any]
    path: str
    line: int | None
    field_prefix: str = ""

    @classmethod
    def of(cls, profile: Profile | None, fields: dict[str, Any], path: str, line: int | None,
           field_prefix: str = "") -> Entry:
        """Duplicates are found on the raw (company_id, year), so invalid entries are compared too."""
        year = fields.get("year")
        try:
            year = int(str(year)) if year is not None else None
        except ValueError:
            pass
        return cls(profile, (str(fields.get("company_id")), year), path, line, field_prefix)


def validate(fields: dict[str, Any], *, path: str, problems: list[Problem], line_of, name_of) -> Profile | None:
    """``Profile`` from cleaned fields, or None with one problem per invalid field.

    ``line_of(loc)`` and ``name_of(loc)`` place a pydantic error location in the file.
    """
    fields = {k: v for k, v in fields.items() if v is not None}
    try:
        return Profile.model_validate(fields)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(Problem(path, line_of(err["loc"]), name_of(err["loc"]), error_reason(err)))
        return None


def check_duplicates(entries: Sequence[Entry], problems: list[Problem]) -> None:
    first: dict[tuple[str, Any], Entry] = {}
    for e in entries:
        key = e.key
        if key[0] in ("", "None"):
            continue
        if key in first:
            seen = first[key]
            year = f"year {key[1]}" if key[1] is not None else "no year"
            where = f"{seen.path}:{seen.line}" if seen.line else seen.path
            problems.append(Problem(e.path, e.line, e.field_prefix + "company_id",
                                    f"duplicate profile of company '{key[0]}' with {year} (first at {where})"))
        else:
            first[key] = e


# -- YAML -----------------------------------------------------------------------------------

def _key_line(node: Any, key: str) -> int | None:
    for k, _ in node.value if isinstance(node, yaml.MappingNode) else ():
        if getattr(k, "value", None) == key:
            return k.start_mark.line + 1
    return None


def _duplicate_keys(path: str, node: Any, prefix: str, problems: list[Problem]) -> None:
    """PyYAML keeps the last of two equal keys silently; a hand-edited file means one of them."""
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    for k, _ in node.value:
        name = getattr(k, "value", None)
        if name in seen:
            problems.append(Problem(path, k.start_mark.line + 1, prefix + str(name), f"field '{name}' is given twice"))
        seen.add(name)


def _cohort_defaults(path: str, data: dict, node: Any, problems: list[Problem]) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for key, value in data.items():
        if key == "companies":
            continue
        line = _key_line(node, str(key))
        if key not in COHORT_KEYS:
            if key in FILE_FIELDS:
                reason = f"'{key}' is a company field: put it under 'companies'"
            else:
                reason = unknown_name("field", str(key), COHORT_KEYS + FILE_FIELDS)
            reason += " (only currency, example and year apply to the whole file)"
            problems.append(Problem(path, line, str(key), reason))
            continue
        probe = validate({"company_id": "probe", key: clean_value(key, value)}, path=path, problems=problems,
                         line_of=lambda loc, n=line: n, name_of=lambda loc, k=str(key): k)
        if probe is not None:
            defaults[key] = getattr(probe, key)
    return defaults


def _load_yaml(path: str, text: str, problems: list[Problem], source: str) -> list[Entry]:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(path, mark.line + 1 if mark else None, None,
                                f"not valid YAML: {getattr(exc, 'problem', None) or exc}"))
        return []
    shape = "a profile file is one company's mapping, a mapping with a 'companies' list, or a list of companies"
    defaults: dict[str, Any] = {}
    if isinstance(data, dict) and "companies" in data:
        _duplicate_keys(path, root, "", problems)
        defaults = _cohort_defaults(path, data, root, problems)
        companies = data["companies"]
        if not isinstance(companies, list):
            problems.append(Problem(path, _key_line(root, "companies"), "companies",
                                    "'companies' is a list of profiles"))
            return []
        nodes = next(v for k, v in root.value if getattr(k, "value", None) == "companies").value
        items = [(item, nodes[i], f"companies[{i}]") for i, item in enumerate(companies)]
    elif isinstance(data, dict):
        items = [(data, root, "")]
    elif isinstance(data, list):
        items = list(zip(data, root.value, [f"[{i}]" for i in range(len(data))], strict=True))
    else:
        problems.append(Problem(path, 1, None, "empty profile file" if data is None else shape))
        return []
    entries = []
    for item, node, where in items:
        line = node.start_mark.line + 1
        if not isinstance(item, dict):
            problems.append(Problem(path, line, where or None, "a company profile is a mapping of fields "
                                                                 "(company_id: ..., social_spend: ...)"))
            continue
        dot = f"{where}." if where else ""
        _duplicate_keys(path, node, dot, problems)
        fields = {}
        for key, value in item.items():
            if key not in FILE_FIELDS:
                problems.append(Problem(path, _key_line(node, str(key)), dot + str(key),
                                        unknown_name("field", str(key), FILE_FIELDS)))
            else:
                fields[key] = clean_value(key, value)
        for key in ("currency", "year"):
            if key in defaults and fields.get(key) is None:
                fields[key] = defaults[key]
        if defaults.get("example"):
            fields["example"] = True
        fields["source"] = source
        profile = validate(fields, path=path, problems=problems, line_of=lambda loc, n=node: _yaml_line(n, loc),
                           name_of=lambda loc, d=dot: d + _format_loc(loc))
        entries.append(Entry.of(profile, fields, path, line, dot))
    return entries


# -- CSV ------------------------------------------------------------------------------------

def _load_csv(path: str, text: str, problems: list[Problem], source: str) -> list[Entry]:
    entries = []
    for line, row in read_csv_rows(path, text, FILE_FIELDS, problems):
        fields = {k: clean_value(k, v) for k, v in row.items()} | {"source": source}
        profile = validate(fields, path=path, problems=problems, line_of=lambda loc, n=line: n,
                           name_of=lambda loc: str(loc[0]) if loc else None)
        entries.append(Entry.of(profile, fields, path, line))
    return entries


# -- files and directories ------------------------------------------------------------------

def _load_file(path: Path, problems: list[Problem]) -> list[Entry]:
    if path.suffix.lower() not in SUFFIXES:
        problems.append(Problem(str(path), None, None, "not a profile file (expected .yaml, .yml or .csv)"))
        return []
    text = read_text(path, problems)
    if text is None:
        return []
    loader = _load_csv if path.suffix.lower() == ".csv" else _load_yaml
    return loader(str(path), text, problems, str(path.resolve()))


def load_profiles(path: str | Path) -> list[Profile]:
    """Profiles of a YAML or CSV file, or of every ``*.yaml``/``*.yml``/``*.csv`` file in a directory.

    Raises :class:`ProfileFileError` (a :class:`ConfigError`) listing every problem found.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
        if not files:
            raise ConfigError(str(path), None, "no profile files (*.yaml, *.yml, *.csv) in this directory")
    else:
        files = [path]
    problems: list[Problem] = []
    entries = [e for f in files for e in _load_file(f, problems)]
    check_duplicates(entries, problems)
    raise_problems(path, problems)
    return [e.profile for e in entries if e.profile is not None]


# -- store ----------------------------------------------------------------------------------

def _row(p: Profile) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in Profile.model_fields:
        value = getattr(p, name)
        if name in UNCERTAIN_INPUTS:
            row[f"{name}_low"], row[f"{name}_high"] = (value.low, value.high) if value else (None, None)
        else:
            row[name] = value
    return row


def _ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """A store made before profiles had ranges has an older (never filled) ``profiles`` table."""
    columns = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'profiles' ORDER BY ordinal_position").fetchall()]
    if columns == PROFILE_SCHEMA.names:
        return
    if con.execute("SELECT count(*) FROM profiles").fetchone()[0]:
        raise StoreError("the store's profiles table has an older layout and holds rows; "
                         "export them and drop the table to load new profiles")
    con.execute("DROP TABLE profiles")
    con.execute(create_table_sql("profiles", PROFILE_SCHEMA, ("company_id",)))


def save_profiles(con: duckdb.DuckDBPyConnection, profiles: Sequence[Profile]) -> int:
    """Upsert profiles into the store's ``profiles`` table (one row per company); returns rows written.

    The table is keyed by company: of several years of one company, the latest is kept (a
    profile without a year counts as older than any year).  Companies not named are kept.
    """
    latest: dict[str, Profile] = {}
    for p in profiles:
        kept = latest.get(p.company_id)
        if kept is None or (p.year or 0) >= (kept.year or 0):
            latest[p.company_id] = p
    table = pa.Table.from_pylist([_row(p) for p in latest.values()], schema=PROFILE_SCHEMA)
    con.execute("BEGIN TRANSACTION")
    try:
        _ensure_table(con)
        if table.num_rows:
            con.register("profile_rows", table)
            try:
                con.execute("INSERT OR REPLACE INTO profiles SELECT * FROM profile_rows")
            finally:
                con.unregister("profile_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return table.num_rows


def read_profiles(con: duckdb.DuckDBPyConnection) -> list[Profile]:
    """Every stored profile, by company id."""
    cur = con.execute(f"SELECT {', '.join(PROFILE_SCHEMA.names)} FROM profiles ORDER BY company_id")
    out = []
    for values in cur.fetchall():
        row = dict(zip(PROFILE_SCHEMA.names, values, strict=True))
        fields = {}
        for name in Profile.model_fields:
            if name in UNCERTAIN_INPUTS:
                low, high = row[f"{name}_low"], row[f"{name}_high"]
                fields[name] = None if low is None and high is None else [low, high]
            else:
                fields[name] = row[name]
        out.append(Profile.model_validate({k: v for k, v in fields.items() if v is not None}))
    return out
