"""Upsert by (channel, post_id): idempotent re-imports, duplicates, conflicts, engagement updates."""

from __future__ import annotations

from helpers import dump_tables, write

from socialaudit.store import import_file

HEAD = "id,channel,author,created_at,text,parent_id,company,likes\n"


def test_importing_the_same_file_twice_changes_nothing(store, tmp_path):
    f = write(tmp_path / "a.csv", HEAD + "1,twitter,acme,2020-01-01T10:00:00Z,hi,,Acme,3\n"
                                        "2,twitter,jane,2020-01-01T10:05:00Z,@acme hello?,1,,\n"
                                        "x,twitter,jane,not a time,bad,,,\n")
    first = import_file(store, f, "csv")
    before = dump_tables(store.con)
    second = import_file(store, f, "csv")
    assert (first.imported, first.quarantined) == (2, 1)
    assert (second.imported, second.skipped, second.quarantined) == (0, 2, 1)
    assert dump_tables(store.con) == before


def test_exact_duplicate_rows_are_skipped(store, tmp_path):
    row = "1,twitter,acme,2020-01-01T10:00:00Z,hi,,,\n"
    report = import_file(store, write(tmp_path / "a.csv", HEAD + row + row), "csv")
    assert (report.imported, report.skipped, report.quarantined) == (1, 1, 0)


def test_conflicting_duplicate_in_one_file_keeps_the_first(store, tmp_path):
    f = write(tmp_path / "a.csv", HEAD + "1,twitter,acme,2020-01-01T10:00:00Z,first,,,\n"
                                        "1,twitter,acme,2020-01-01T10:00:00Z,second,,,\n")
    report = import_file(store, f, "csv")
    assert (report.imported, report.quarantined) == (1, 1)
    assert store.con.execute("SELECT text FROM posts").fetchall() == [("first",)]
    line, reason = store.con.execute("SELECT line, reason FROM quarantine").fetchone()
    assert line == 3 and "read before at line 2" in reason and "text" in reason


def test_conflict_with_a_stored_post_keeps_the_stored_one(store, tmp_path):
    import_file(store, write(tmp_path / "a.csv", HEAD + "1,twitter,acme,2020-01-01T10:00:00Z,first,,,\n"), "csv")
    report = import_file(store, write(tmp_path / "b.csv", HEAD + "1,twitter,acme,2020-01-02T10:00:00Z,changed,,,\n"),
                         "csv")
    assert (report.imported, report.quarantined) == (0, 1)
    assert store.con.execute("SELECT text FROM posts").fetchall() == [("first",)]
    reason = store.con.execute("SELECT reason FROM quarantine").fetchone()[0]
    assert "already stored" in reason and "a.csv line 2" in reason and "created_at, text" in reason


def test_same_id_on_two_channels_are_two_posts(store, tmp_path):
    f = write(tmp_path / "a.csv", HEAD + "1,twitter,acme,2020-01-01T10:00:00Z,a,,,\n"
                                        "1,facebook,acme,2020-01-01T10:00:00Z,b,,,\n")
    assert import_file(store, f, "csv").imported == 2


def test_recrawl_with_more_likes_updates_counts_only(store, tmp_path):
    import_file(store, write(tmp_path / "a.csv", HEAD + "1,twitter,acme,2020-01-01T10:00:00Z,hi,,,3\n"), "csv")
    report = import_file(store, write(tmp_path / "b.csv", HEAD + "1,twitter,acme,2020-01-01T10:00:00Z,hi,,,10\n"),
                         "csv")
    assert (report.imported, report.updated, report.quarantined) == (0, 1, 0)
    again = import_file(store, write(tmp_path / "c.csv", HEAD + "1,twitter,acme,2020-01-01T10:00:00Z,hi,,,4\n"),
                        "csv")
    assert (again.updated, again.skipped) == (0, 1)
    assert store.con.execute("SELECT likes, source FROM posts").fetchone()[0] == 10


def test_a_copy_with_less_context_is_the_same_post_and_fills_what_was_missing(store, tmp_path):
    # A comment read without its parent (a stand-alone comments page), then nested under its post.
    import_file(store, write(tmp_path / "a.csv", HEAD + "c1,facebook,jane,2020-01-01T10:00:00Z,nice,,,2\n"), "csv")
    report = import_file(store, write(tmp_path / "b.csv", HEAD + "c1,facebook,jane,2020-01-01T10:00:00Z,nice,p1,,\n"),
                         "csv")
    assert (report.imported, report.updated, report.quarantined) == (0, 1, 0)
    assert store.con.execute("SELECT parent_id, likes FROM posts").fetchone() == ("p1", 2)


def test_order_of_imports_does_not_matter(tmp_path):
    from helpers import dump_tables

    from socialaudit.store import Store

    a = write(tmp_path / "a.csv", HEAD + "c1,facebook,jane,2020-01-01T10:00:00Z,nice,,,2\n")
    b = write(tmp_path / "b.csv", HEAD + "c1,facebook,jane,2020-01-01T10:00:00Z,nice,p1,,5\n")
    dumps = []
    for order in ((a, b), (b, a)):
        with Store(tmp_path / f"{order[0].stem}.duckdb") as s:
            for f in order:
                import_file(s, f, "csv", pseudonymise=False)
            dump = dump_tables(s.con, ("posts",))
            dumps.append([row[:-3] for row in dump["posts"]])  # all but provenance (source, line, item)
    assert dumps[0] == dumps[1]


def test_duplicates_within_a_file_are_folded(store, tmp_path):
    f = write(tmp_path / "a.csv", HEAD + "c1,facebook,jane,2020-01-01T10:00:00Z,nice,,,2\n"
                                        "c1,facebook,jane,2020-01-01T10:00:00Z,nice,p1,,7\n")
    report = import_file(store, f, "csv")
    assert (report.imported, report.skipped, report.quarantined) == (1, 1, 0)
    assert store.con.execute("SELECT parent_id, likes, source_line FROM posts").fetchone() == ("p1", 7, 2)
