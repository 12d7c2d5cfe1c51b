"""Configuration: defaults equal config.toml, overrides, and clear errors for typos."""

from __future__ import annotations

import tomllib

import pytest

from tracker.config import DEFAULT_CONFIG_PATH, SECTIONS, Config, load_config
from tracker.errors import ConfigError


def test_defaults_equal_the_documented_config_toml():
    documented = tomllib.loads(DEFAULT_CONFIG_PATH.read_text())
    defaults = Config().model_dump()
    assert set(documented) == set(SECTIONS)
    for section, values in documented.items():
        assert set(values) == set(SECTIONS[section].model_fields), section
        for key, value in values.items():
            default = defaults[section][key]
            assert (list(default) if isinstance(default, tuple) else default) == value, key


def test_every_key_has_a_comment():
    lines = DEFAULT_CONFIG_PATH.read_text().splitlines()
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
