"""Where tracker keeps its files, and where the files it ships are read from.

A user's files live in the platform's user directories (platformdirs): the
configuration in the user config directory (~/.config/tracker on Linux) and the
databases in the user data directory (~/.local/share/tracker). TRACKER_HOME puts
both in one folder. What tracker ships (the documented defaults, the demo data set)
is package data, read with importlib.resources, so an installed wheel finds it
wherever it was installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

APP_NAME = "tracker"
HOME_VARIABLE = "TRACKER_HOME"
CONFIG_FILE_NAME = "config.toml"
# The database a clone of tracker used before tracker kept it in the user data directory.
LEGACY_DATABASE = Path("data") / "tracker.db"


def _home(environ: Mapping[str, str] | None) -> Path | None:
    value = (os.environ if environ is None else environ).get(HOME_VARIABLE)
    return Path(value).expanduser().resolve() if value else None


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the user's config.toml (TRACKER_HOME when set)."""
    home = _home(environ)
    if home is not None:
        return home
    import platformdirs  # here: only a run that has no TRACKER_HOME needs it

    return platformdirs.user_config_path(APP_NAME, appauthor=False, roaming=True)


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the databases (TRACKER_HOME when set)."""
    home = _home(environ)
    if home is not None:
        return home
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def user_config_file(environ: Mapping[str, str] | None = None) -> Path:
    return config_dir(environ) / CONFIG_FILE_NAME


# A shipped file's place in the package -> its place in a clone (see pyproject.toml).
_SHIPPED = {
    ("defaults", CONFIG_FILE_NAME): (CONFIG_FILE_NAME,),
    ("data", "demo", "demo.json"): ("data", "demo", "demo.json"),
}


def _shipped(*parts: str) -> Traversable:
    """A file the wheel carries inside the package; an editable install (whose import
    finder does not map those folders) reads the same file in the clone."""
    from importlib import resources  # here: it costs ~5 ms, and start-up reads no file

    packaged = resources.files("tracker").joinpath(*parts)
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent.joinpath(*_SHIPPED[parts])


def defaults_file() -> Traversable:
    """The documented defaults: the repository's config.toml, shipped as package data."""
    return _shipped("defaults", CONFIG_FILE_NAME)


def demo_file() -> Traversable:
    """The demo data set: the repository's data/demo/demo.json, shipped as package data."""
    return _shipped("data", "demo", "demo.json")


def _is_tracker_clone(folder: Path) -> bool:
    try:
        text = (folder / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return False
    return 'name = "tracker"' in text


def legacy_database() -> Path | None:
    """data/tracker.db under the current folder when it is a clone of tracker: where a
    clone kept its database before the user data directory."""
    try:
        cwd = Path.cwd()
    except OSError:  # the folder was removed under us: no clone here
        return None
    candidate = cwd / LEGACY_DATABASE
    if candidate.is_file() and _is_tracker_clone(cwd):
        return candidate.resolve()
    return None
