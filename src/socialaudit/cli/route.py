"""``socialaudit route``: send the store's classified consumer posts to department inboxes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..loop.inbox import route_store
from ..loop.profile import DEPARTMENT_NAMES
from ..loop.routing import load_rules
from ..store import Store
from .common import DEFAULT_DB_PATH, DbOption, Output, OutputOption, emit, err_console, escape, handle_errors


@handle_errors
def route(
    db: DbOption = DEFAULT_DB_PATH,
    rules: Annotated[Path | None, typer.Option(help="Routing rules (YAML); default: socialaudit's own "
                                                    "(src/socialaudit/loop/default_routing.yaml).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Remove unread items that no rule matches any "
                                                              "more (after changing the rules).")] = False,
    output: OutputOption = Output.table,
) -> None:
    """Route consumer posts to R&D, product management, customer service, sales and marketing.

    Reads the classifier readings (run `socialaudit enrich` first) and applies the routing
    rules; a post may go to several departments.  Incremental: items already routed keep
    their number and their reads.  Then read them with `socialaudit inbox --department ...`.
    """
    config = load_rules(rules)
    with Store(db) as store:
        report = route_store(store.con, config, replace=replace)
    err_console.print(f"{report.candidates:,} classified consumer posts; {report.added:,} new inbox items"
                      + (f", {report.removed:,} removed" if report.removed else "")
                      + f" (rules: {escape(rules or 'default')})")
    emit(["department", "name", "items"], [(d, DEPARTMENT_NAMES[d], n) for d, n in report.by_department.items()],
         output, title="Items per department inbox")
