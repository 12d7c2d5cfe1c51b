"""Bad input never shows a traceback: generated ids, config files, snapshot lines, feeds.

Together with the search-string properties in test_search_show.py these run well
over 10,000 generated inputs.
"""

from __future__ import annotations

import json
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.server import Reply
from tracker.config import SECTIONS, load_config
from tracker.errors import ConfigError, UsageError
from tracker.ids import parse_arxiv_id
from tracker.imports.arxiv_snapshot import to_record

FIXTURE_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

new_style = st.builds(
    lambda yymm, n, v: f"{yymm:04d}.{n:05d}" + (f"v{v}" if v else ""),
    st.integers(1501, 2612),
    st.integers(1, 99999),
    st.one_of(st.none(), st.integers(1, 30)),
)
old_style = st.builds(
    lambda arch, n, v: f"{arch}/{n:07d}" + (f"v{v}" if v else ""),
    st.sampled_from(["hep-th", "math.GT", "astro-ph", "cond-mat.str-el", "quant-ph", "math"]),
    st.integers(9101001, 9912999),
    st.one_of(st.none(), st.integers(1, 9)),
)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(new_style, old_style))
def test_valid_ids_parse_with_their_version(raw):
    canonical, version = parse_arxiv_id(raw)
    assert raw.startswith(canonical)
    assert parse_arxiv_id(f"https://arxiv.org/abs/{raw}") == (canonical, version)
    assert parse_arxiv_id(f"arXiv:{raw}") == (canonical, version)


@settings(max_examples=3000, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_an_id_or_a_usage_error(raw):
    try:
        canonical, version = parse_arxiv_id(raw)
    except UsageError as exc:
        assert "is not an arXiv id" in exc.message
    else:
        assert canonical and (version is None or version >= 0)


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURE_OK)
@given(st.text(max_size=30))
def test_show_with_any_id_exits_cleanly(cli, raw):
    result = cli("show", raw, "--json")
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    # Our own one-line error, or click's usage error for text that looks like an option.
    assert result.err.startswith("Error: ") or "Error: No such option" in result.err


toml_scalar = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.text(max_size=12),
    st.lists(st.text(max_size=6), max_size=3),
)
known_keys = [(s, k) for s, model in SECTIONS.items() for k in model.FIELDS]


def _toml(value):
    return json.dumps(value)


@settings(max_examples=2000, deadline=None, suppress_health_check=FIXTURE_OK)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.sampled_from(known_keys), st.tuples(st.text(max_size=8), st.text(max_size=8))
            ),
            toml_scalar,
        ),
        max_size=4,
    ),
    st.text(max_size=20),
)
def test_any_config_file_loads_or_is_a_config_error(tmp_path, entries, junk):
    lines = []
    for (section, key), value in entries:
        lines.append(f"[{json.dumps(section)}]\n{json.dumps(key)} = {_toml(value)}")
    lines.append(junk)
    path = tmp_path / "fuzz.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        config = load_config(path, environ={})
    except ConfigError as exc:
        assert exc.message and "\n" not in exc.message
    else:
        # What loaded is what the file said.
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for section, values in data.items():
            for key in values:
                assert hasattr(getattr(config, section), key)


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
snapshotish = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(new_style, st.text(max_size=12), st.integers()),
        "title": st.one_of(st.text(max_size=30), st.none(), st.integers()),
        "abstract": st.one_of(st.text(max_size=60), st.none()),
        "categories": st.one_of(st.text(max_size=20), st.none(), st.lists(st.text())),
        "versions": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {"version": st.text(max_size=4), "created": st.text(max_size=30)}
                ),
                max_size=3,
            ),
            json_value,
        ),
        "authors_parsed": json_value,
        "authors": st.one_of(st.text(max_size=30), st.none()),
        "comments": st.one_of(st.text(max_size=30), st.none()),
    },
)


@settings(max_examples=2500, deadline=None)
@given(st.one_of(snapshotish, json_value))
def test_any_snapshot_line_is_a_record_or_a_value_error(item):
    try:
        record = to_record(item)
    except (ValueError, TypeError, AttributeError, KeyError):
        return
    assert record.arxiv_id and record.title and record.categories


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(st.lists(st.one_of(snapshotish.map(json.dumps), st.text(max_size=40)), max_size=8))
def test_any_snapshot_file_imports_without_a_traceback(cli, tmp_path, lines):
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(line.replace("\n", " ") for line in lines), encoding="utf-8")
    result = cli("import", "arxiv-snapshot", str(path), "--json")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Service temporarily unavailable</body></html>",
        b"not xml at all",
        b"<?xml version='1.0'?><feed><entry><id>http://arxiv.org/abs/2611.00001v1</id></feed>",
    ],
)
def test_malformed_feeds_never_store_a_half_parsed_paper(env, server, cli, body):
    server.add("/api/query", Reply(body=body), params={"search_query": "cat:cs.CL"}, repeat=True)
    result = cli("sync", "--source", "arxiv", "--json")
    assert "Traceback" not in result.err
    shown = cli("search", "--json").json()
    assert shown == []
    if result.code:
        assert result.json()["errors"]
