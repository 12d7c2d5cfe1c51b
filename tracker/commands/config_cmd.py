"""`tracker config path|show|init|edit`: where the configuration lives and what it says."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import click

from tracker import locations
from tracker.cli import AppContext, pass_app
from tracker.config import SECTIONS, Config, load_config, packaged_defaults, resolve_sqlite_url
from tracker.errors import UsageError
from tracker.output import emit_json, info

INIT_HEADER = """\
# Your tracker configuration, written by `tracker config init`.
# Every line below is commented out, so the defaults apply: uncomment a key and change
# its value to override it (`tracker config show` prints what is in effect).

"""


def _config_file(app: AppContext) -> Path:
    """The file --config or TRACKER_CONFIG names, else the user's config.toml."""
    if app.config_path:
        return Path(app.config_path).expanduser().resolve()
    return locations.user_config_file()


def commented_defaults() -> str:
    """The shipped config.toml with every setting commented out (the docs stay). The
    database paths are written out in full: in this file a relative path would mean the
    config folder, not the data folder the defaults use."""
    data_dir = locations.data_dir()
    out = []
    for line in locations.defaults_file().read_text(encoding="utf-8").splitlines():
        key, equals, value = line.partition(" = ")
        if not equals or line.lstrip().startswith(("#", "[")):
            out.append(line)
            continue
        if key in ("url", "demo_url"):
            value = _toml(resolve_sqlite_url(tomllib.loads(line)[key], data_dir))
        out.append(f"# {key} = {value}")
    return INIT_HEADER + "\n".join(out) + "\n"


def settings(config: Config) -> dict[str, dict[str, dict[str, Any]]]:
    """section -> key -> {"value", "origin"} for every setting."""
    values = config.as_dict()
    return {
        section: {
            key: {"value": _plain(values[section][key]), "origin": config.origin(section, key)}
            for key in SECTIONS[section].FIELDS
        }
        for section in SECTIONS
    }


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _toml(value: Any) -> str:
    """A value written as TOML (the JSON forms of strings, numbers and lists are TOML)."""
    import json

    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml(v)}" for k, v in value.items() if v is not None)
        return "{ " + inner + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@click.group(name="config")
def config_group() -> None:
    """Where the configuration lives, what is in effect, and a file to start from.

    The config file is --config, else TRACKER_CONFIG, else config.toml in the user config
    directory; databases go to the user data directory (TRACKER_HOME holds both).
    """


@config_group.command(name="path")
@click.option("--json", "as_json", is_flag=True, help="Print the file and folders as JSON.")
@pass_app
def path_command(app: AppContext, as_json: bool) -> None:
    """Print the path of the config file (whether or not it exists yet)."""
    file = _config_file(app)
    if as_json:
        emit_json(
            {
                "config_file": str(file),
                "exists": file.is_file(),
                "config_dir": str(locations.config_dir()),
                "data_dir": str(locations.data_dir()),
            }
        )
        return
    click.echo(str(file))


@config_group.command(name="show")
@click.option("--json", "as_json", is_flag=True, help="Print values and origins as JSON.")
@pass_app
def show_command(app: AppContext, as_json: bool) -> None:
    """Print every setting in effect and where it came from (default, file, env, flag)."""
    config = app.config
    file = None if config.source == "built-in defaults" else config.source
    table = settings(config)
    if as_json:
        emit_json({"config_file": file, "settings": table})
        return
    click.echo(f"# config file: {file or 'none (defaults only)'}")
    for section, keys in table.items():
        click.echo(f"\n[{section}]")
        width = max(len(f"{key} = {_toml(v['value'])}") for key, v in keys.items())
        for key, v in keys.items():
            line = f"{key} = {_toml(v['value'])}"
            click.echo(f"{line:<{width}}  # {v['origin']}")


@config_group.command(name="init")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_app
def init_command(app: AppContext, force: bool) -> None:
    """Write a commented copy of the defaults to the config file."""
    file = _config_file(app)
    if file.exists() and not force:
        raise UsageError(
            f"{file} already exists.", hint="Edit it (`tracker config edit`) or pass --force."
        )
    packaged_defaults()  # a broken package fails here, before anything is written
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(commented_defaults(), encoding="utf-8")
    info(f"Wrote {file}: every key commented out, at its default.")


@config_group.command(name="edit")
@pass_app
def edit_command(app: AppContext) -> None:
    """Open the config file in $VISUAL or $EDITOR (written by `init` first if missing)."""
    file = _config_file(app)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(commented_defaults(), encoding="utf-8")
    click.edit(filename=str(file))
    load_config(file)  # a typo is reported now, with its "Did you mean", not at the next sync
    info(f"{file}: valid.")


COMMANDS = [config_group]
