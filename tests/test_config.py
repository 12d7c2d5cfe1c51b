"""Configuration: defaults equal config.toml, overrides, and clear errors for typos."""

from __future__ import annotations

import re
import sys
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


# --- where the configuration and the databases live -----------------------------------------
@pytest.fixture
def user_dirs(env, monkeypatch):
    """No --config or TRACKER_CONFIG: the user's own folders apply (TRACKER_HOME's here)."""
    monkeypatch.delenv("TRACKER_CONFIG")
    monkeypatch.chdir(env.tmp)
    return env.tmp / "tracker-home"


def test_tracker_home_holds_the_config_and_the_databases(user_dirs, cli):
    where = cli("config", "path", "--json").json()
    assert where == {
        "config_file": str(user_dirs / "config.toml"),
        "exists": False,
        "config_dir": str(user_dirs),
        "data_dir": str(user_dirs),
    }
    assert cli("config", "path").out == f"{user_dirs / 'config.toml'}\n"
    result = cli("demo", "--json")
    assert result.code == 0, result.err
    assert result.json()["database"] == f"sqlite:///{user_dirs / 'demo.db'}"
    assert (user_dirs / "demo.db").is_file()
    assert cli("config", "show", "--json").json()["settings"]["database"]["url"] == {
        "value": f"sqlite:///{user_dirs / 'tracker.db'}",
        "origin": "default",
    }


def test_without_tracker_home_the_platform_folders_apply(user_dirs, env, monkeypatch, cli):
    monkeypatch.delenv("TRACKER_HOME")
    # The autouse fixture points the XDG folders (what platformdirs reads on Linux) at tmp.
    config_dir = env.tmp / "xdg_config_home" / "tracker"
    data_dir = env.tmp / "xdg_data_home" / "tracker"
    assert locations.config_dir() == config_dir and locations.data_dir() == data_dir
    where = cli("config", "path", "--json").json()
    assert (where["config_file"], where["data_dir"]) == (
        str(config_dir / "config.toml"),
        str(data_dir),
    )
    assert cli("demo", "--no-tui").code == 0
    assert (data_dir / "demo.db").is_file()
    assert sorted(p.name for p in env.tmp.iterdir() if p.suffix == ".db") == []


def test_config_init_writes_the_defaults_commented_out(user_dirs, cli):
    result = cli("config", "init")
    assert result.code == 0, result.err
    written = (user_dirs / "config.toml").read_text()
    assert "# delay_seconds = 3.0" in written
    assert f'# url = "sqlite:///{user_dirs / "tracker.db"}"' in written
    data = tomllib.loads(written)
    assert set(data) == set(SECTIONS) and all(v == {} for v in data.values())
    shown = cli("config", "show", "--json").json()
    assert shown["config_file"] == str(user_dirs / "config.toml")
    origins = {v["origin"] for keys in shown["settings"].values() for v in keys.values()}
    assert origins == {"default"}
    # Every commented line, uncommented, gives back the value in effect.
    uncommented = re.sub(r"(?m)^# (\w+ = .*)$", r"\1", written)
    (user_dirs / "config.toml").write_text(uncommented)
    again = cli("config", "show", "--json").json()["settings"]
    assert {s: {k: v["value"] for k, v in keys.items()} for s, keys in again.items()} == {
        s: {k: v["value"] for k, v in keys.items()} for s, keys in shown["settings"].items()
    }
    refused = cli("config", "init")
    assert refused.code == 2
    assert refused.err.splitlines()[0] == f"Error: {user_dirs / 'config.toml'} already exists."


def test_config_show_says_where_each_value_came_from(user_dirs, monkeypatch, cli):
    user_dirs.mkdir()
    (user_dirs / "config.toml").write_text("[arxiv]\npage_size = 50\n")
    monkeypatch.setenv("TRACKER_ARXIV_DELAY_SECONDS", "0")
    settings = cli("--demo", "config", "show", "--json").json()["settings"]
    assert settings["arxiv"]["page_size"] == {"value": 50, "origin": "file"}
    assert settings["arxiv"]["delay_seconds"] == {"value": 0.0, "origin": "env"}
    assert settings["arxiv"]["lookback_days"] == {"value": 7, "origin": "default"}
    assert settings["database"]["url"] == {
        "value": f"sqlite:///{user_dirs / 'demo.db'}",
        "origin": "flag",
    }
    text = cli("config", "show").out.splitlines()
    assert text[0] == f"# config file: {user_dirs / 'config.toml'}"
    assert [line.split("#")[-1].strip() for line in text if line.startswith("page_size =")] == [
        "file"
    ]


def test_a_typo_in_the_user_config_file_is_one_line_with_a_suggestion(user_dirs, cli):
    user_dirs.mkdir()
    path = user_dirs / "config.toml"
    path.write_text("[arxiv]\ndelay_secnds = 1\n")
    result = cli("search", "x")
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        f"Error: {path}: unknown key 'delay_secnds' in [arxiv]. Did you mean 'delay_seconds'?"
    )
    assert cli("config", "show").code == 2
    assert cli("config", "path").out == f"{path}\n"  # still says where to fix it


def test_config_edit_opens_the_editor_and_checks_the_result(user_dirs, monkeypatch, cli):
    editor = user_dirs.parent / "editor.py"
    editor.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "path.write_text(path.read_text().replace('# page_size = 200', 'page_size = 20'))\n"
    )
    editor.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(editor))
    result = cli("config", "edit")
    assert result.code == 0, result.err
    assert cli("config", "show", "--json").json()["settings"]["arxiv"]["page_size"] == {
        "value": 20,
        "origin": "file",
    }
    editor.write_text(editor.read_text().replace("'page_size = 20'", "'page_sise = 20'"))
    (user_dirs / "config.toml").write_text("[arxiv]\n# page_size = 200\n")
    result = cli("config", "edit")
    assert result.code == 2
    assert result.err.splitlines()[0].endswith(
        "unknown key 'page_sise' in [arxiv]. Did you mean 'page_size'?"
    )


def test_defaults_put_the_databases_in_the_data_folder_even_with_a_user_file(user_dirs, cli):
    user_dirs.mkdir()
    (user_dirs / "config.toml").write_text('[database]\ndemo_url = "sqlite:///mine/demo.db"\n')
    database = cli("config", "show", "--json").json()["settings"]["database"]
    assert database["url"]["value"] == f"sqlite:///{user_dirs / 'tracker.db'}"
    assert database["demo_url"] == {"value": "sqlite:///mine/demo.db", "origin": "file"}
    assert load_config(None).demo_database_url == f"sqlite:///{user_dirs / 'mine' / 'demo.db'}"


def _clone_with_a_database(folder: Path) -> Path:
    from tracker.db.engine import open_database

    (folder / "data").mkdir(parents=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "tracker"\n')
    open_database(f"sqlite:///{folder / 'data' / 'tracker.db'}").dispose()
    return folder / "data" / "tracker.db"


def test_a_database_at_the_old_clone_place_is_used_with_a_notice(env, monkeypatch, cli):
    monkeypatch.delenv("TRACKER_CONFIG")
    monkeypatch.delenv("TRACKER_HOME")
    clone = env.tmp / "clone"
    old = _clone_with_a_database(clone)
    monkeypatch.chdir(clone)
    result = cli("search", "x", "--json")
    assert result.code == 0, result.err
    assert result.json() == []
    data_dir = locations.data_dir()
    notice = (
        f"WARNING tracker.config: using the database at its old place {old}; move it to the "
        f"user data directory with `mkdir -p {data_dir} && mv {old}* {data_dir}/`."
    )
    assert result.err.splitlines() == [notice]
    url = cli("config", "show", "--json").json()["settings"]["database"]["url"]
    assert url == {"value": f"sqlite:///{old}", "origin": "default"}
    assert not data_dir.exists()  # nothing new was started beside it
    # Moved as the notice says: the new place is used, silently.
    data_dir.mkdir(parents=True)
    old.rename(data_dir / "tracker.db")
    moved = cli("search", "x", "--json")
    assert (moved.code, moved.err) == (0, "")
    # Outside a clone of tracker, a data/tracker.db is not ours to take.
    (clone / "pyproject.toml").write_text('[project]\nname = "other"\n')
    (data_dir / "tracker.db").rename(old)
    assert cli("search", "x", "--json").err == ""


def test_the_arxiv_user_agent_names_tracker_its_version_and_a_contact(env, server, cli):
    from tests.support.feeds import feed_xml
    from tests.support.server import Reply
    from tracker import __version__
    from tracker.sources.arxiv import project_url

    for _ in range(2):
        server.add("/api/query", Reply(body=feed_xml([], 0)), params={"search_query": "cat:cs.CL"})
    env.configure(arxiv={"contact": "ada@example.org"})
    assert cli("sync", "-q").code == 0
    env.configure(arxiv={"contact": ""})
    assert cli("sync", "-q").code == 0
    assert project_url().startswith("https://")
    assert server.user_agents == [
        f"tracker/{__version__} (mailto:ada@example.org)",
        f"tracker/{__version__} ({project_url()})",
    ]


def test_config_flag_and_variable_win_over_the_user_file(user_dirs, tmp_path, monkeypatch, cli):
    user_dirs.mkdir()
    (user_dirs / "config.toml").write_text("[arxiv]\npage_size = 50\n")
    (tmp_path / "other.toml").write_text("[arxiv]\npage_size = 60\n")
    (tmp_path / "third.toml").write_text("[arxiv]\npage_size = 70\n")

    def page_size(*args: str) -> int:
        return cli(*args, "config", "show", "--json").json()["settings"]["arxiv"]["page_size"]

    assert page_size() == {"value": 50, "origin": "file"}
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "other.toml"))
    assert page_size() == {"value": 60, "origin": "file"}
    assert page_size("--config", str(tmp_path / "third.toml"))["value"] == 70
    assert cli("config", "path").out == f"{tmp_path / 'other.toml'}\n"
