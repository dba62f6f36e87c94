"""Roles, companies and pseudonyms: who is a brand, which company a post is about."""

from __future__ import annotations

from helpers import write

from socialaudit.registry import load_registry
from socialaudit.store import import_file, save_registry

REGISTRY = """
companies:
  - id: acme
    name: Acme Corp
    industry: retail
    timezone: Europe/Berlin
    accounts: {twitter: [AcmeHelp, AcmeNews], facebook: acme.page}
  - id: globex
    name: Globex
    industry: telecom
    accounts: {twitter: GlobexCare}
people:
  - id: influencer-jane
    accounts: {twitter: jane, instagram: jane.doe}
"""

POSTS = """id,channel,author,created_at,text,parent_id,company
1,twitter,jane,2020-01-01T10:00:00Z,@AcmeHelp my order is late,,
2,twitter,AcmeHelp,2020-01-01T10:30:00Z,@jane sorry! DM us,1,
3,twitter,bob,2020-01-01T11:00:00Z,hey @GlobexCare and @AcmeHelp which is better?,,
4,twitter,bob,2020-01-01T11:05:00Z,still waiting,3,
5,twitter,carl,2020-01-01T12:00:00Z,no mention here,,Globex
6,twitter,OtherBrand,2020-01-01T12:00:00Z,we post too,,
7,facebook,dora,2020-01-01T12:00:00Z,love it,,acme
"""


def setup(store, tmp_path, pseudonymise=True):
    save_registry(store.con, load_registry(write(tmp_path / "r.yaml", REGISTRY)),
                  store.pseudonymiser() if pseudonymise else None)
    import_file(store, write(tmp_path / "p.csv", POSTS), "csv", pseudonymise=pseudonymise)
    return {r[0]: r[1:] for r in store.con.execute(
        "SELECT post_id, author_role, company_id, account_id FROM posts").fetchall()}


def test_roles_and_companies(store, tmp_path):
    posts = setup(store, tmp_path)
    assert posts["2"][:2] == ("brand", "acme")         # registry account
    assert posts["1"][:2] == ("consumer", "acme")      # mentions @AcmeHelp
    assert posts["3"][:2] == ("consumer", "globex")    # first brand mentioned
    assert posts["4"][:2] == ("consumer", "globex")    # thread's brand via conversation (no mention)
    assert posts["5"][:2] == ("consumer", "globex")    # the source names the company (by name)
    assert posts["7"][:2] == ("consumer", "acme")      # the source names the company (by id)
    assert posts["6"][:2] == ("consumer", None)        # unknown account, no role given: a consumer


def test_consumers_are_pseudonymised_and_brands_stay_readable(store, tmp_path):
    posts = setup(store, tmp_path)
    assert posts["2"][2] == "AcmeHelp"
    assert posts["1"][2].startswith("u_") and len(posts["1"][2]) == 18
    assert posts["1"][2] == store.pseudonymiser()("jane")
    mentions = store.con.execute("SELECT mentions FROM posts WHERE post_id = '2'").fetchone()[0]
    assert mentions == [store.pseudonymiser()("jane")]
    assert store.con.execute("SELECT mentions FROM posts WHERE post_id = '3'").fetchone()[0] == ["globexcare",
                                                                                                "acmehelp"]
    handles = {h for (h,) in store.con.execute("SELECT handle FROM accounts").fetchall()}
    assert not {"jane", "bob", "carl", "dora"} & handles


def test_no_pseudonymise_keeps_handles(store, tmp_path):
    posts = setup(store, tmp_path, pseudonymise=False)
    assert posts["1"][2] == "jane"


def test_pseudonyms_differ_between_stores(tmp_path):
    from socialaudit.store import Store

    with Store(tmp_path / "a.duckdb") as a, Store(tmp_path / "b.duckdb") as b:
        assert a.pseudonymiser()("jane") != b.pseudonymiser()("jane")
        assert a.pseudonymiser()("jane") == a.pseudonymiser()("JANE")


def test_declared_identities_link_accounts(store, tmp_path):
    setup(store, tmp_path)
    identity = store.con.execute("SELECT identity FROM accounts WHERE account_id = ?",
                                 [store.pseudonymiser()("jane")]).fetchone()[0]
    assert identity == "influencer-jane"
    assert store.con.execute("SELECT identity FROM accounts WHERE account_id = 'AcmeHelp'").fetchone()[0] == \
        "company:acme"


def test_source_role_hint_makes_an_automatic_company(store, tmp_path):
    text = "id,channel,author,created_at,text,parent_id,author_role\n" \
           "1,twitter,NewBrand,2020-01-01T10:00:00Z,hello,,brand\n" \
           "2,twitter,fan,2020-01-01T10:01:00Z,@NewBrand hi,1,consumer\n"
    import_file(store, write(tmp_path / "p.csv", text), "csv")
    rows = store.con.execute("SELECT post_id, author_role, company_id FROM posts ORDER BY post_id").fetchall()
    assert rows == [("1", "brand", "twitter:newbrand"), ("2", "consumer", "twitter:newbrand")]
    assert store.con.execute("SELECT origin, name FROM companies").fetchall() == [("auto", "NewBrand")]


def test_registry_loaded_later_reassigns_the_automatic_company(store, tmp_path):
    text = "id,channel,author,created_at,text,parent_id,author_role\n" \
           "1,twitter,AcmeHelp,2020-01-01T10:00:00Z,hello,,brand\n"
    import_file(store, write(tmp_path / "p.csv", text), "csv")
    assert store.con.execute("SELECT company_id FROM posts").fetchone()[0] == "twitter:acmehelp"
    save_registry(store.con, load_registry(write(tmp_path / "r.yaml", REGISTRY)), store.pseudonymiser())
    assert store.con.execute("SELECT company_id FROM posts").fetchone()[0] == "acme"
    assert "twitter:acmehelp" not in {c for (c,) in store.con.execute("SELECT company_id FROM companies").fetchall()}
