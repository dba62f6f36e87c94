"""The HTML summary: self-contained, and every piece of untrusted text escaped."""

from __future__ import annotations

import re

from helpers import write

from socialaudit.report.summary import write_summary
from socialaudit.store import import_file

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_is_stored_verbatim_and_escaped_in_the_report(store, tmp_path):
    rows = ("id,channel,author,created_at,text,parent_id,company\n"
            f'1,twitter,"{PAYLOAD.replace(chr(34), chr(34) * 2)}",2020-01-01T00:00:00Z,"{PAYLOAD.replace(chr(34), chr(34) * 2)}",,'
            f'"<b>Evil & Co</b>"\n'
            f"2,twitter,x,not a date,{PAYLOAD},,\n")
    import_file(store, write(tmp_path / "evil.csv", rows), "csv", pseudonymise=False)
    assert store.con.execute("SELECT text FROM posts").fetchone()[0] == PAYLOAD
    html = write_summary(store.con, tmp_path / "report.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Evil" not in html
    assert "&lt;script&gt;" in html  # the quarantined raw row, escaped
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in html  # the company named by the source, escaped


def test_report_is_self_contained(store, tmp_path):
    html = write_summary(store.con, tmp_path / "report.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "Content-Security-Policy" in html and "<style>" in html
