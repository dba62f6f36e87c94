"""Column mappings: loading and validating the YAML, resolving columns, reading one row."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import FIXTURES, write

from socialaudit.errors import ConfigError, FormatError
from socialaudit.ingest.base import RecordError
from socialaudit.ingest.mapping import ALL_FIELDS, DEFAULT_MAPPING, ColumnMapping, MappingSpec
from socialaudit.model import UTC

HERE = FIXTURES / "generic"


def mapping(tmp_path, text: str) -> ColumnMapping:
    return ColumnMapping.load(write(tmp_path / "m.yaml", text))


def reader(m: ColumnMapping = DEFAULT_MAPPING, columns=ALL_FIELDS, channel: str | None = None):
    found = m.resolve(list(columns), "src", channel)
    return m.reader(found, channel)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


ROW = {"id": "1", "channel": "twitter", "created_at": "2024-01-01T10:00:00Z"}


# --- loading ----------------------------------------------------------------------------------


def test_the_fixture_mapping_loads():
    m = ColumnMapping.load(HERE / "forum_mapping.yaml")
    assert m.path == str(HERE / "forum_mapping.yaml")
    assert m.spec.columns["author"] == "user.name" and m.spec.constants == {"channel": "forum"}
    assert (m.spec.timestamp_format, m.spec.timezone) == ("%d.%m.%Y %H:%M", "Europe/Berlin")
    # unquoted YAML False/True are the texts "False"/"True"
    assert (m.spec.roles.column, m.spec.roles.brand, m.spec.roles.consumer) == ("inbound", ["False", "0"], ["True", "1"])


def test_an_empty_mapping_file_is_the_default_layout(tmp_path):
    m = mapping(tmp_path, "# nothing\n")
    assert m.spec == MappingSpec() and m.column_for("id") == "id"


def test_a_mapping_with_a_byte_order_mark(tmp_path):
    path = write(tmp_path / "m.yaml", b"\xef\xbb\xbfcolumns:\n  id: tweet_id\n")
    assert ColumnMapping.load(path).column_for("id") == "tweet_id"


BAD_MAPPINGS = {
    "columns:\n  idd: x\n": ("columns", "unknown field(s) idd"),
    "constants:\n  colour: red\n": ("constants", "unknown field(s) colour"),
    "colums:\n  id: x\n": ("colums", "unknown setting 'colums'"),
    "timezone: Mars/Olympus\n": ("timezone", "unknown time zone 'Mars/Olympus'"),
    "timestamp_format: '%Q.%m'\n": ("timestamp_format", "'%Q.%m' is not a usable strptime format"),
    "timestamp_format: 'dd.mm.yyyy'\n": ("timestamp_format", "has no strptime directives"),
    "timestamp_format: 5\n": ("timestamp_format", "valid string"),
    "roles:\n  brand: ['0']\n": ("roles.column", "Field required"),
    "roles:\n  column: inbound\n  admin: ['x']\n": ("roles.admin", "unknown setting 'admin'"),
    "roles:\n  column: inbound\n  brand: ['yes', 'Both']\n  consumer: ['both']\n": (
        "roles", "value(s) both listed both as brand and as consumer"),
    "roles:\n  column: ' '\n": ("roles.column", "the role column name is empty"),
    "columns:\n  id: 5\n": ("columns.id", "valid string"),
    "columns:\n  id: ''\n": ("columns", "empty column name for id"),
    "columns: [id, text]\n": ("columns", "valid dictionary"),
    "constants:\n  channel: [twitter, facebook]\n": ("constants.channel", "a constant is one value, not a list"),
    "constants:\n  channel:\n": ("constants.channel", "a constant needs a value"),
    "constants:\n  author_role: boss\n": ("constants.author_role", "'boss' is not brand or consumer"),
    "constants:\n  kind: tweet\n": ("constants.kind", "'tweet' is not one of post, reply"),
    "constants:\n  likes: -3\n": ("constants.likes", "bad count '-3'"),
    "constants:\n  verified: perhaps\n": ("constants.verified", "bad boolean 'perhaps'"),
    "constants:\n  created_at: someday\n": ("constants.created_at", "bad timestamp 'someday'"),
    "constants:\n  id: '1'\n": ("constants.id", "every row would have the same id"),
}


@pytest.mark.parametrize("text", list(BAD_MAPPINGS))
def test_invalid_mappings_name_the_file_and_the_field(tmp_path, text):
    location, problem = BAD_MAPPINGS[text]
    path = write(tmp_path / "m.yaml", text)
    with pytest.raises(ConfigError) as err:
        ColumnMapping.load(path)
    assert err.value.path == str(path)
    assert err.value.location == location
    assert problem in err.value.problem
    assert str(err.value).startswith(f"{path}:{location}: ")


def test_yaml_syntax_errors_give_the_line(tmp_path):
    path = write(tmp_path / "m.yaml", "columns:\n  id: tweet_id\n  text: [body\n")
    with pytest.raises(ConfigError) as err:
        ColumnMapping.load(path)
    assert err.value.path == str(path) and isinstance(err.value.location, int)
    assert "not valid YAML" in err.value.problem


@pytest.mark.parametrize("text", ["- id\n- text\n", "just a string\n", "42\n"])
def test_a_mapping_must_be_a_yaml_mapping(tmp_path, text):
    with pytest.raises(ConfigError, match="a mapping file is a YAML mapping with 'columns'"):
        mapping(tmp_path, text)


def test_unreadable_mapping_files(tmp_path):
    with pytest.raises(ConfigError, match="no such mapping file") as err:
        ColumnMapping.load(tmp_path / "missing.yaml")
    assert err.value.path == str(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        ColumnMapping.load(write(tmp_path / "latin.yaml", "columns:\n  text: K\xf6rper\n".encode("latin-1")))
    with pytest.raises(ConfigError, match="cannot read the mapping file"):
        ColumnMapping.load(tmp_path)


# --- resolving columns ----------------------------------------------------------------------------


def test_default_columns_are_matched_case_insensitively():
    found = DEFAULT_MAPPING.resolve(["ID", "Channel", " created_at ", "TEXT", "extra"], "src", None)
    assert found == {"id": "ID", "channel": "Channel", "created_at": " created_at ", "text": "TEXT"}


def test_missing_required_columns_name_what_is_missing_and_what_is_there():
    with pytest.raises(FormatError) as err:
        DEFAULT_MAPPING.resolve(["tweet_id", "body", "when"], "f.csv", None)
    assert str(err.value) == (
        "f.csv: missing required column(s) id (column 'id'), channel (column 'channel'), "
        "created_at (column 'created_at'); the file has: tweet_id, body, when; "
        "describe other layouts with --mapping FILE.yaml")


def test_a_mapped_missing_column_names_the_mapped_column(tmp_path):
    m = mapping(tmp_path, "columns:\n  id: tweet_id\nconstants:\n  channel: twitter\n")
    with pytest.raises(FormatError) as err:
        m.resolve(["id", "created_at"], "f.csv", None)
    assert str(err.value) == "f.csv: missing required column(s) id (column 'tweet_id'); the file has: id, created_at"


def test_channel_may_come_from_a_constant_or_the_default():
    assert "channel" not in DEFAULT_MAPPING.resolve(["id", "created_at"], "f", "forum")
    with pytest.raises(FormatError, match="channel"):
        DEFAULT_MAPPING.resolve(["id", "created_at"], "f", None)


def test_the_role_column_is_matched_case_insensitively(tmp_path):
    m = mapping(tmp_path, "roles:\n  column: inbound\n  brand: ['False']\n  consumer: ['True']\n")
    found = m.resolve(["id", "channel", "created_at", "Inbound"], "f", None)
    assert found["author_role"] == "Inbound"
    read = m.reader(found, None)
    assert read(ROW | {"Inbound": "FALSE"}, 1, "")[0].role_hint == "brand"
    with pytest.raises(FormatError, match="role column 'inbound' \\(from the mapping\\) is missing"):
        m.resolve(["id", "channel", "created_at"], "f", None)


# --- reading a row ------------------------------------------------------------------------------------


def test_a_full_row_with_the_default_mapping():
    post, account = reader()({
        "id": " 7 ", "channel": "X", "author": "jane", "created_at": "2024-01-01T11:00:00+01:00",
        "text": "<script>alert(1)</script>", "parent_id": "6", "company": " Acme ", "author_role": "Consumer",
        "kind": "", "handle": "", "conversation_id": 5, "ref_id": "", "likes": "3", "shares": 0,
        "comments": "", "views": 1000.0, "url": "https://x.com/jane/status/7", "media_type": "Photo",
        "lang": "en", "followers": "12", "verified": "yes", "display_name": "Jane D."}, 4, "item")
    assert (post.post_id, post.channel, post.account_id, post.handle, post.role_hint) == (
        "7", "twitter", "jane", "jane", "consumer")
    assert (post.kind, post.parent_id, post.conversation_id, post.ref_id) == ("reply", "6", "5", None)
    assert post.created_at == at(2024, 1, 1, 10)
    assert post.text == "<script>alert(1)</script>"
    assert (post.likes, post.shares, post.comments, post.views) == (3, 0, None, 1000)
    assert (post.company, post.media_type, post.lang, post.line, post.item) == ("Acme", "image", "en", 4, "item")
    assert (account.account_id, account.handle, account.display_name, account.followers, account.verified,
            account.role_hint) == ("jane", "jane", "Jane D.", 12, True, "consumer")


def test_kind_defaults_to_reply_with_a_parent_and_post_without():
    read = reader()
    assert read(ROW, 1, "")[0].kind == "post"
    assert read(ROW | {"parent_id": "0"}, 1, "")[0].kind == "reply"
    assert read(ROW | {"parent_id": "0", "kind": "Comment"}, 1, "")[0].kind == "comment"


def test_no_account_record_without_account_details():
    post, account = reader()(ROW | {"author": "jane"}, 1, "")
    assert account is None and post.account_id == "jane"
    assert reader()(ROW | {"followers": "3"}, 1, "")[1] is None  # no author to attach it to


@pytest.mark.parametrize(("value", "expected"), [
    ("video", "video"), ("PHOTO", "image"), ("animated_gif", "video"), ("album", "carousel"), ("hologram", "other")])
def test_media_types_are_normalised(value, expected):
    assert reader()(ROW | {"media_type": value}, 1, "")[0].media_type == expected


BAD_ROWS = [
    ({"id": ""}, "missing id in id"),
    ({"id": None}, "missing id in id"),
    ({"id": 1.5}, "bad id 1.5 in id"),
    ({"id": {"n": 1}}, "bad id in id: expected a string or number, found dict"),
    ({"channel": " "}, "missing channel in channel"),
    ({"created_at": "yesterday"}, "bad timestamp 'yesterday' in created_at"),
    ({"created_at": ""}, "missing timestamp in created_at"),
    ({"created_at": "2019"}, "bad timestamp '2019' in created_at"),
    ({"author_role": "boss"}, "bad author_role 'boss' in author_role (expected brand or consumer)"),
    ({"kind": "tweet"}, "bad kind 'tweet' in kind"),
    ({"likes": "-1"}, "bad count '-1' in likes"),
    ({"views": "many"}, "bad count 'many' in views"),
    ({"verified": "perhaps", "author": "a"}, "bad boolean 'perhaps' in verified (expected true/false)"),
    ({"text": {"body": "hi"}}, "expected text in text, found an object"),
    ({"company": ["Acme"]}, "expected text in company, found a list"),
    ({"text": b"caf\xe9"}, "bytes that are not valid UTF-8 in text"),
    ({"parent_id": 1245425308704149506.0}, "id 1245425308704149504 in parent_id is a floating-point number too large"),
]


@pytest.mark.parametrize(("change", "reason"), BAD_ROWS)
def test_bad_values_refuse_the_row_with_a_reason(change, reason):
    with pytest.raises(RecordError) as err:
        reader()(ROW | change, 1, "")
    assert reason in str(err.value)


def test_gaps_written_as_nan_are_empty_not_errors():
    nan = float("nan")
    post, _ = reader()(ROW | {"likes": nan, "parent_id": nan, "text": nan, "author": nan}, 1, "")
    assert (post.likes, post.parent_id, post.text, post.account_id, post.kind) == (None, None, None, None, "post")


def test_numbers_dates_and_bytes_where_text_belongs():
    post, _ = reader()(ROW | {"text": 42, "lang": b"de", "author": 12345, "parent_id": 3.0}, 1, "")
    assert (post.text, post.lang, post.account_id, post.parent_id) == ("42", "de", "12345", "3")


def test_constants_fill_missing_and_blank_cells(tmp_path):
    m = mapping(tmp_path, "constants:\n  channel: facebook\n  company: Acme\n  author_role: brand\n")
    read = reader(m, ["id", "channel", "created_at", "company"])
    post, _ = read({"id": "1", "created_at": "2024-01-01", "channel": "", "company": None}, 1, "")
    assert (post.channel, post.company, post.role_hint) == ("facebook", "Acme", "brand")
    post, _ = read({"id": "1", "created_at": "2024-01-01", "channel": "IG", "company": "Other"}, 1, "")
    assert (post.channel, post.company) == ("instagram", "Other")  # the file's value wins


def test_the_default_channel_from_the_command_line():
    read = reader(columns=["id", "created_at"], channel="Forum")
    assert read({"id": "1", "created_at": "2024-01-01"}, 1, "")[0].channel == "forum"


def test_timestamp_format_and_timezone_for_naive_times(tmp_path):
    m = mapping(tmp_path, 'timestamp_format: "%d.%m.%Y %H:%M"\ntimezone: Europe/Berlin\n')
    read = reader(m)
    assert read(ROW | {"created_at": "15.01.2024 10:00"}, 1, "")[0].created_at == at(2024, 1, 15, 9)  # CET
    assert read(ROW | {"created_at": "01.07.2024 10:00"}, 1, "")[0].created_at == at(2024, 7, 1, 8)  # CEST
    with pytest.raises(RecordError, match="bad timestamp '2024-07-01T10:00:00Z'"):
        read(ROW | {"created_at": "2024-07-01T10:00:00Z"}, 1, "")


def test_timezone_without_a_format_applies_to_naive_iso_only(tmp_path):
    read = reader(mapping(tmp_path, "timezone: America/New_York\n"))
    assert read(ROW | {"created_at": "2024-01-15 10:00"}, 1, "")[0].created_at == at(2024, 1, 15, 15)
    assert read(ROW | {"created_at": "2024-01-15T10:00:00+00:00"}, 1, "")[0].created_at == at(2024, 1, 15, 10)
    assert read(ROW | {"created_at": 1705312800}, 1, "")[0].created_at == at(2024, 1, 15, 10)  # epoch is UTC
    naive = dt.datetime(2024, 1, 15, 10)  # a typed timestamp without zone (Parquet)
    assert read(ROW | {"created_at": naive}, 1, "")[0].created_at == at(2024, 1, 15, 15)


def test_roles_from_a_column(tmp_path):
    m = mapping(tmp_path, "roles:\n  column: inbound\n  brand: [False, '0']\n  consumer: [True, '1']\n")
    read = reader(m, ["id", "channel", "created_at", "inbound", "author_role"])
    roles = [read(ROW | {"inbound": v, "author_role": "brand"}, 1, "")[0].role_hint
             for v in ("False", " 0 ", False, "TRUE", 1, True)]
    assert roles == ["brand", "brand", "brand", "consumer", "consumer", "consumer"]  # author_role is ignored
    with pytest.raises(RecordError, match="bad role 'maybe' in inbound \\(expected one of false, 0, true, 1\\)"):
        read(ROW | {"inbound": "maybe"}, 1, "")
    with pytest.raises(RecordError, match="missing role in inbound"):
        read(ROW | {"inbound": ""}, 1, "")
