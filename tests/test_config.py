"""Configuration: defaults equal config.toml, overrides, and clear errors for typos."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tracker import locations
from tracker.config import SECTIONS, Config, load_config
from tracker.errors import ConfigError


REPO_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


def test_defaults_equal_the_documented_config_toml():
    documented = tomllib.loads(REPO_CONFIG.read_text())
    defaults = Config().as_dict()
    assert set(documented) == set(SECTIONS)
    for section, values in documented.items():
        assert set(values) == set(SECTIONS[section].FIELDS), section
        for key, value in values.items():
            default = defaults[section][key]
            assert (list(default) if isinstance(default, tuple) else default) == value, key


def test_every_key_has_a_comment():
    lines = REPO_CONFIG.read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("#"), f"undocumented key: {line}"


def test_relative_sqlite_paths_resolve_against_the_config_folder(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[database]\nurl = "sqlite:///sub/x.db"\n')
    config = load_config(path, environ={})
    assert config.database_url == f"sqlite:///{tmp_path / 'sub' / 'x.db'}"


def test_typo_in_a_key_suggests_the_right_one(tmp_path, cli):
    path = tmp_path / "c.toml"
    path.write_text("[arxiv]\ndelay_secnds = 1\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert "unknown key 'delay_secnds' in [arxiv]. Did you mean 'delay_seconds'?" in str(err.value)
    result = cli("--config", str(path), "search", "x")
    assert result.code == 2
    assert "Did you mean 'delay_seconds'?" in result.err.splitlines()[0]


def test_typo_in_a_section(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[arxv]\ndelay_seconds = 1\n")
    with pytest.raises(ConfigError, match=r"unknown section \[arxv\]. Did you mean 'arxiv'\?"):
        load_config(path, environ={})


def test_bad_values_and_bad_toml(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[arxiv]\npage_size = "many"\n')
    with pytest.raises(ConfigError, match="arxiv.page_size"):
        load_config(path, environ={})
    path.write_text("[arxiv\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, environ={})


def test_environment_overrides_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[arxiv]\ndelay_seconds = 5\n")
    env = {"TRACKER_ARXIV_DELAY_SECONDS": "0", "TRACKER_ARXIV_CATEGORIES": "cs.AI,stat.ML"}
    config = load_config(path, environ=env)
    assert config.arxiv.delay_seconds == 0
    assert config.arxiv.categories == ("cs.AI", "stat.ML")
    with pytest.raises(ConfigError, match="Did you mean 'delay_seconds'"):
        load_config(path, environ={"TRACKER_ARXIV_DELAY_SECOND": "1"})


def test_hf_endpoint_wins(tmp_path):
    config = load_config(None, environ={"HF_ENDPOINT": "http://127.0.0.1:1"})
    assert config.hub.endpoint == "http://127.0.0.1:1"


def test_missing_config_file(cli, tmp_path):
    result = cli("--config", str(tmp_path / "nope.toml"), "search", "x")
    assert result.code == 2
    assert result.err.startswith(f"Error: config file {tmp_path / 'nope.toml'} does not exist.")


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("TRACKER_ARXIV_PAGE_SIZE", "500", ("arxiv", "page_size", 500)),
        ("TRACKER_ARXIV_PAGE_SIZE", " 50.0 ", ("arxiv", "page_size", 50)),
        ("TRACKER_ARXIV_TIMEOUT_SECONDS", "1e1", ("arxiv", "timeout_seconds", 10.0)),
        ("TRACKER_TRIAL_ALLOW_PICKLE", "yes", ("trial", "allow_pickle", True)),
        ("TRACKER_TRIAL_TRUST_REMOTE_CODE", "0", ("trial", "trust_remote_code", False)),
        ("TRACKER_TRIAL_DEVICE", "cpu", ("trial", "device", "cpu")),
        (
            "TRACKER_WATCH_AUTHORS",
            '["Vaswani", "Shazeer"]',
            ("watch", "authors", ("Vaswani", "Shazeer")),
        ),
    ],
)
def test_environment_values_are_converted(name, raw, expected):
    section, key, value = expected
    config = load_config(None, environ={name: raw})
    got = getattr(getattr(config, section), key)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        (
            "TRACKER_ARXIV_PAGE_SIZE",
            "many",
            "arxiv.page_size: Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "TRACKER_ARXIV_PAGE_SIZE",
            "5000",
            "arxiv.page_size: Input should be less than or equal to 2000",
        ),
        (
            "TRACKER_ARXIV_DELAY_SECONDS",
            "-1",
            "arxiv.delay_seconds: Input should be greater than or equal to 0",
        ),
        (
            "TRACKER_ARXIV_TIMEOUT_SECONDS",
            "0",
            "arxiv.timeout_seconds: Input should be greater than 0",
        ),
        (
            "TRACKER_TRIAL_ALLOW_PICKLE",
            "sometimes",
            "trial.allow_pickle: Input should be a valid boolean, unable to interpret input",
        ),
        (
            "TRACKER_TRIAL_DEVICE",
            "tpu",
            "trial.device: Input should be 'auto', 'cuda', 'cpu' or 'mps'",
        ),
        ("TRACKER_WATCH_AUTHORS", "[1]", "watch.authors.0: Input should be a valid string"),
        (
            "TRACKER_WATCH_SEARCHES",
            '[{"nme": "x"}]',
            "watch.searches.0.nme: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_values_name_the_key_and_the_problem_on_one_line(name, raw, message):
    with pytest.raises(ConfigError) as err:
        load_config(None, environ={name: raw})
    assert str(err.value.message).endswith(message)
    assert "\n" not in err.value.message


def test_bad_values_in_a_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[arxiv]\npage_size = 2.5\n[watch]\nsearches = [{ name = 1 }]\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert err.value.message == (
        f"{path}: arxiv.page_size: Input should be a valid integer, got a number with a fractional part"
    )


def test_saved_searches_and_copies(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[watch]\nsearches = [{ name = "lc", query = "long context", category = "cs.CL" }]\n'
    )
    config = load_config(path, environ={})
    (search,) = config.watch.searches
    assert (search.name, search.query, search.category, search.author) == (
        "lc",
        "long context",
        "cs.CL",
        None,
    )
    assert config.as_dict()["watch"]["searches"][0]["category"] == "cs.CL"
    assert "base_dir" not in config.as_dict()
    copy = config.replace(search=config.search.replace(candidates=5))
    assert (copy.search.candidates, config.search.candidates) == (5, 2000)
    assert copy.watch == config.watch
    with pytest.raises(AttributeError):
        config.search.candidates = 1  # type: ignore[misc]
    other = config.with_database_url("sqlite:///other.db")
    assert other.database_url == f"sqlite:///{tmp_path / 'other.db'}"
