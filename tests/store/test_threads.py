"""Conversations from parent chains: roots, missing parents, cycles, self-replies, long chains."""

from __future__ import annotations

import time

from helpers import write

from socialaudit.store import import_file


def load(store, tmp_path, edges: list[tuple[str, str | None]], conversation: dict[str, str] | None = None):
    """Import posts given as (post_id, parent_id) through a generic CSV."""
    lines = ["id,channel,author,created_at,text,parent_id,conversation_id"]
    for i, (post, parent) in enumerate(edges):
        conv = (conversation or {}).get(post, "")
        lines.append(f"{post},twitter,user{i % 3},2020-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z,t,{parent or ''},{conv}")
    import_file(store, write(tmp_path / f"posts{len(edges)}.csv", "\n".join(lines) + "\n"), "csv")
    return dict(store.con.execute("SELECT post_id, conversation_id FROM posts").fetchall())


def test_chain_and_tree_get_their_root(store, tmp_path):
    conv = load(store, tmp_path, [("1", None), ("2", "1"), ("3", "2"), ("4", "3"), ("5", "2"), ("9", None)])
    assert conv == {"1": "1", "2": "1", "3": "1", "4": "1", "5": "1", "9": "9"}


def test_replies_to_a_missing_parent_share_it_as_conversation(store, tmp_path):
    conv = load(store, tmp_path, [("2", "100"), ("3", "100"), ("4", "3")])
    assert conv == {"2": "100", "3": "100", "4": "100"}


def test_self_reply_and_cycles_terminate_with_a_deterministic_root(store, tmp_path):
    edges = [("7", "7"),                      # replies to itself
             ("a", "b"), ("b", "a"),          # two-post cycle
             ("x", "y"), ("y", "z"), ("z", "x"),  # three-post cycle
             ("t", "y")]                      # a reply leading into the cycle
    start = time.perf_counter()
    conv = load(store, tmp_path, edges)
    assert time.perf_counter() - start < 30
    assert conv == {"7": "7", "a": "a", "b": "a", "x": "t", "y": "t", "z": "t", "t": "t"}


def test_long_chain_is_resolved(store, tmp_path):
    n = 5000
    edges = [("0", None)] + [(str(i), str(i - 1)) for i in range(1, n)]
    conv = load(store, tmp_path, edges)
    assert set(conv.values()) == {"0"}


def test_platform_conversation_id_wins_and_spreads_to_replies_without_one(store, tmp_path):
    conv = load(store, tmp_path, [("2", "1"), ("3", "2")], conversation={"2": "C1"})
    assert conv == {"2": "C1", "3": "C1"}


def test_parent_arriving_in_a_later_file_joins_the_threads(store, tmp_path):
    load(store, tmp_path, [("2", "1"), ("3", "2")])
    lines = "id,channel,author,created_at,text,parent_id\n1,twitter,brand,2020-01-01T00:00:00Z,root,0\n"
    import_file(store, write(tmp_path / "later.csv", lines), "csv")
    conv = dict(store.con.execute("SELECT post_id, conversation_id FROM posts").fetchall())
    assert conv == {"1": "0", "2": "0", "3": "0"}
