"""``socialaudit inbox``: a department's routed consumer feedback, with read tracking."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Annotated

import typer

from ..errors import SocialAuditError
from ..loop.inbox import STATUSES, inbox_items, item, record_read
from ..loop.profile import DEPARTMENTS
from ..loop.reads import ReadPolicy, department_summary, read_metrics
from ..store import Store
from .common import DEFAULT_DB_PATH, DbOption, Output, OutputOption, console, emit, err_console, escape, handle_errors

inbox_app = typer.Typer(help="Department inboxes: list routed feedback, open and acknowledge items, read shares.",
                        invoke_without_command=True, rich_markup_mode=None)

DEPARTMENT_HELP = f"One of {', '.join(DEPARTMENTS)}."
UserOption = Annotated[str, typer.Option("--user", help="Who reads (default: your login name).")]


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _snippet(text: str | None, width: int = 100) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


@inbox_app.callback()
@handle_errors
def inbox(
    ctx: typer.Context,
    department: Annotated[str | None, typer.Option(help=DEPARTMENT_HELP)] = None,
    db: DbOption = DEFAULT_DB_PATH,
    company: Annotated[str | None, typer.Option(help="Only this company's items.")] = None,
    status: Annotated[str, typer.Option(help=f"Which items: {', '.join(STATUSES)}.")] = "all",
    limit: Annotated[int, typer.Option(min=1, help="At most this many items (newest first).")] = 50,
    output: OutputOption = Output.table,
) -> None:
    """List a department's inbox: `socialaudit inbox --department rnd --db DB`.

    Subcommands: `show ITEM` (prints an item and records that you opened it), `ack ITEM...`
    (acknowledge), `stats` (read shares and who reads regularly).
    """
    if ctx.invoked_subcommand is not None:
        return
    if department is None:
        raise SocialAuditError(f"choose a department: --department ({', '.join(DEPARTMENTS)})")
    with Store(db, read_only=True) as store:
        items = inbox_items(store.con, department, company=company, status=status, limit=limit)
    rows = [(i["item_id"], i["company_id"], i["channel"], str(i["posted_at"])[:16], i["intent"],
             "acknowledged" if i["first_acknowledged"] else ("opened" if i["first_opened"] else "new"),
             _snippet(i["text"]) if output is Output.table else i["text"]) for i in items]
    emit(["item", "company", "channel", "posted", "intent", "state", "text"], rows, output,
         title=f"{department} inbox ({status}, newest first)")


@inbox_app.command("show")
@handle_errors
def show(
    item_id: Annotated[int, typer.Argument(help="The item number.")],
    department: Annotated[str | None, typer.Option(help="Check the item is in this inbox. " + DEPARTMENT_HELP)]
    = None,
    user: UserOption = "",
    db: DbOption = DEFAULT_DB_PATH,
) -> None:
    """Print one item in full and record that USER opened it."""
    with Store(db) as store:
        record_read(store.con, [item_id], "opened", user or _default_user(), department=department)
        row = item(store.con, item_id)
    assert row is not None
    console.print(f"item {row['item_id']} · {escape(row['department'])} · {escape(row['company_id'])} · "
                  f"{escape(row['channel'])} · {row['posted_at']} · {escape(row['intent'])}")
    console.print(f"rules: {escape(row['rules'])}")
    console.print(escape(row["text"] or ""))


@inbox_app.command("ack")
@handle_errors
def ack(
    item_ids: Annotated[list[int], typer.Argument(help="Item numbers.")],
    department: Annotated[str | None, typer.Option(help="Refuse items outside this inbox. " + DEPARTMENT_HELP)]
    = None,
    user: UserOption = "",
    db: DbOption = DEFAULT_DB_PATH,
) -> None:
    """Acknowledge items (read and taken up); acknowledging also counts as opening."""
    with Store(db) as store:
        written = record_read(store.con, item_ids, "acknowledged", user or _default_user(), department=department)
    err_console.print(f"acknowledged {len(set(item_ids))} item(s) ({written} new read records)")


@inbox_app.command("stats")
@handle_errors
def stats(
    db: DbOption = DEFAULT_DB_PATH,
    by_company: Annotated[bool, typer.Option("--by-company", help="One row per company and department.")] = False,
    week_share: Annotated[float, typer.Option(min=0, max=1, help="'Regularly': share of weeks with an open.")]
    = 1.0,
    opened_share: Annotated[float, typer.Option(min=0, max=1, help="'Regularly': share of items opened.")] = 0.5,
    output: OutputOption = Output.table,
) -> None:
    """Read shares, time to first open and who reads regularly, per department."""
    with Store(db, read_only=True) as store:
        rows = read_metrics(store.con, ReadPolicy(week_share, opened_share), dt.datetime.now(dt.UTC))
    if by_company:
        emit(["company", "department", "routed", "opened", "acknowledged", "opened_share", "median_hours_to_open",
              "reads_regularly"],
             [(r["company_id"], r["department"], r["routed"], r["opened"], r["acknowledged"],
               round(r["opened_share"], 3), _round(r["median_hours_to_open"]), r["reads_regularly"]) for r in rows],
             output, title="Read tracking per company and department")
        return
    summary = department_summary(rows)
    emit(["department", "companies", "routed", "opened", "opened_share", "median_hours_to_open",
          "companies_reading_regularly"],
         [(s["department"], s["companies"], s["routed"], s["opened"], _round(s["opened_share"]),
           _round(s["median_hours_to_open"]), s["companies_reading_regularly"]) for s in summary],
         output, title="Read tracking per department")


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)
