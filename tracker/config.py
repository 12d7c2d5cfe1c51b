"""Configuration: config.toml -> a validated, frozen Config.

Precedence: defaults < config file < TRACKER_<SECTION>_<KEY> env vars < flags.
The defaults are the repository's config.toml, shipped in the package (tracker.defaults)
and read at run time; the fields' own defaults equal them (a test keeps them in step).
The config file is --config, else TRACKER_CONFIG, else config.toml in the user config
directory when it exists (tracker.locations).
"""

from __future__ import annotations

import difflib
import functools
import logging
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from dataclasses import replace as _replace
from pathlib import Path
from types import UnionType
from typing import Any, ClassVar, Literal, Self, Union, get_args, get_origin, get_type_hints

from tracker import locations
from tracker.errors import ConfigError

log = logging.getLogger(__name__)

ENV_PREFIX = "TRACKER_"
# Variables with the prefix that name no setting.
NOT_SETTINGS = ("TRACKER_CONFIG", "TRACKER_DEBUG", locations.HOME_VARIABLE)
# Where a setting's value came from (`tracker config show`).
DEFAULT, FILE, ENV, FLAG = "default", "file", "env", "flag"


def _limits(**bounds: float) -> Any:
    """A field's bounds (ge, gt, le), checked by _validate."""
    return {"bounds": bounds}


@dataclass(frozen=True, kw_only=True)
class _Section:
    """A frozen section; load_config validates what goes in (unknown keys, types, bounds).

    Plain dataclasses with our own checks rather than pydantic: importing pydantic
    and building the models took a quarter of the TUI's start-up.
    """

    FIELDS: ClassVar[dict[str, Field[Any]]]  # name -> field, set below the classes

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain data (sections as dicts, lists as tuples)."""
        return {
            f.name: _dump(getattr(self, f.name))
            for f in fields(self)
            if not f.metadata.get("exclude")
        }

    def replace(self, **changes: Any) -> Self:
        """A copy with some settings replaced (not validated)."""
        return _replace(self, **changes)


def _dump(value: Any) -> Any:
    if isinstance(value, _Section):
        return value.as_dict()
    if isinstance(value, tuple):
        return tuple(_dump(v) for v in value)
    return value


@dataclass(frozen=True, kw_only=True)
class DatabaseConfig(_Section):
    url: str = "sqlite:///tracker.db"
    demo_url: str = "sqlite:///demo.db"


@dataclass(frozen=True, kw_only=True)
class ArxivConfig(_Section):
    api_url: str = "https://export.arxiv.org/api/query"
    contact: str = ""
    categories: tuple[str, ...] = ("cs.CL", "cs.LG", "cs.CV")
    queries: tuple[str, ...] = ()
    delay_seconds: float = field(default=3.0, metadata=_limits(ge=0))
    page_size: int = field(default=200, metadata=_limits(ge=1, le=2000))
    lookback_days: int = field(default=7, metadata=_limits(ge=1))
    overlap_days: int = field(default=2, metadata=_limits(ge=0))
    timeout_seconds: float = field(default=30.0, metadata=_limits(gt=0))
    max_retries: int = field(default=4, metadata=_limits(ge=0))
    backoff_seconds: float = field(default=2.0, metadata=_limits(ge=0))


@dataclass(frozen=True, kw_only=True)
class HubConfig(_Section):
    endpoint: str = "https://huggingface.co"
    models_per_paper: int = field(default=20, metadata=_limits(ge=1))
    concurrency: int = field(default=8, metadata=_limits(ge=1))
    refresh_days: int = field(default=7, metadata=_limits(ge=0))


@dataclass(frozen=True, kw_only=True)
class SearchConfig(_Section):
    candidates: int = field(default=2000, metadata=_limits(ge=0))


@dataclass(frozen=True, kw_only=True)
class TrialConfig(_Section):
    device: Literal["auto", "cuda", "cpu", "mps"] = "auto"
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    trust_remote_code: bool = False
    allow_pickle: bool = False


@dataclass(frozen=True, kw_only=True)
class SavedSearch(_Section):
    """A saved search: a full-text query with optional filters, watched by the digest."""

    name: str = ""
    query: str = ""
    category: str | None = None
    author: str | None = None


@dataclass(frozen=True, kw_only=True)
class WatchConfig(_Section):
    searches: tuple[SavedSearch, ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    model_downloads: int = field(default=1000, metadata=_limits(ge=0))
    papers_per_watch: int = field(default=10, metadata=_limits(ge=1))
    first_digest_days: int = field(default=1, metadata=_limits(ge=1))


@dataclass(frozen=True, kw_only=True)
class RecommendConfig(_Section):
    pool: int = field(default=20000, metadata=_limits(ge=100))
    days: int = field(default=14, metadata=_limits(ge=1))
    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True, kw_only=True)
class Config(_Section):
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    arxiv: ArxivConfig = field(default_factory=ArxivConfig)
    hub: HubConfig = field(default_factory=HubConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    trial: TrialConfig = field(default_factory=TrialConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    recommend: RecommendConfig = field(default_factory=RecommendConfig)
    # The folder relative paths resolve against (the config file's, else the data folder).
    base_dir: Path = field(default_factory=locations.data_dir, metadata={"exclude": True})
    source: str = field(default="built-in defaults", metadata={"exclude": True})
    # "section.key" -> where its value came from (FILE, ENV, FLAG); absent: DEFAULT.
    origins: Mapping[str, str] = field(
        default_factory=dict, compare=False, metadata={"exclude": True}
    )

    def resolve_url(self, url: str) -> str:
        """Make a relative sqlite:/// path absolute against the config folder."""
        return resolve_sqlite_url(url, self.base_dir)

    def origin(self, section: str, key: str) -> str:
        return self.origins.get(f"{section}.{key}", DEFAULT)

    @property
    def database_url(self) -> str:
        return self.resolve_url(self.database.url)

    @property
    def demo_database_url(self) -> str:
        return self.resolve_url(self.database.demo_url)

    def with_database_url(self, url: str) -> Config:
        """The config with another database (--demo), marked as set by a flag."""
        return _replace(
            self,
            database=_replace(self.database, url=url),
            origins={**self.origins, "database.url": FLAG},
        )


def resolve_sqlite_url(url: str, base_dir: Path) -> str:
    """A relative sqlite:/// path made absolute against base_dir; other URLs as they are."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        path = Path(url[len(prefix) :]).expanduser()
        if not path.is_absolute():
            path = base_dir / path
        return prefix + str(path)
    return url


SECTIONS: dict[str, type[_Section]] = {
    "database": DatabaseConfig,
    "arxiv": ArxivConfig,
    "hub": HubConfig,
    "search": SearchConfig,
    "trial": TrialConfig,
    "watch": WatchConfig,
    "recommend": RecommendConfig,
}
_ALL: tuple[type[_Section], ...] = (*SECTIONS.values(), SavedSearch, Config)
for _cls in _ALL:
    _cls.FIELDS = {f.name: f for f in fields(_cls)}


# --- validation: the lax conversions pydantic made, with its wording ----------------------
class _Invalid(Exception):
    def __init__(self, message: str, location: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


_INT_TEXT = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0+)?")
_INT_LIMIT = 2**63  # a float beyond is no integer the settings could mean
_FLOAT_TEXT = re.compile(
    r"[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:inf|infinity|nan)", re.I
)
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


_HINTS: dict[type[_Section], dict[str, Any]] = {}


def _hints(cls: type[_Section]) -> dict[str, Any]:
    """The fields' types (the annotations are strings until asked for)."""
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Invalid("Input should be a valid string")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid("Input should be a finite number")
        if not value.is_integer():
            raise _Invalid("Input should be a valid integer, got a number with a fractional part")
        if abs(value) >= _INT_LIMIT:
            raise _Invalid("Input should be a valid integer, got a number too large")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT.fullmatch(text):
            return int(text.partition(".")[0])
        raise _Invalid("Input should be a valid integer, unable to parse string as an integer")
    raise _Invalid("Input should be a valid integer")


def _to_float(value: Any) -> float:
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an integer of hundreds of digits
            raise _Invalid("Input should be a finite number") from None
    if isinstance(value, str):
        text = value.strip()
        if _FLOAT_TEXT.fullmatch(text):
            try:
                return float(text)
            except ValueError:
                pass
        raise _Invalid("Input should be a valid number, unable to parse string as a number")
    raise _Invalid("Input should be a valid number")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, str) or (whole and abs(value) < _INT_LIMIT):
        raise _Invalid("Input should be a valid boolean, unable to interpret input")
    raise _Invalid("Input should be a valid boolean")


def _one_of(choices: tuple[Any, ...]) -> str:
    shown = [repr(c) for c in choices]
    return ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]


def _convert(value: Any, hint: Any) -> Any:
    origin = get_origin(hint)
    if hint is str:
        return _to_str(value)
    if hint is bool:
        return _to_bool(value)
    if hint is int:
        return _to_int(value)
    if hint is float:
        return _to_float(value)
    if origin is Literal:
        choices = get_args(hint)
        if isinstance(value, str) and value in choices:
            return value
        raise _Invalid(f"Input should be {_one_of(choices)}")
    if origin is Union or origin is UnionType:  # X | None
        if value is None:
            return None
        return _convert(value, next(a for a in get_args(hint) if a is not type(None)))
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise _Invalid("Input should be a valid tuple")
        item = get_args(hint)[0]
        out = []
        for index, part in enumerate(value):
            try:
                out.append(_convert(part, item))
            except _Invalid as exc:
                raise _Invalid(exc.message, (index, *exc.location)) from None
        return tuple(out)
    if isinstance(hint, type) and issubclass(hint, _Section):
        if isinstance(value, hint):
            return value
        if not isinstance(value, Mapping):
            raise _Invalid(f"Input should be a valid dictionary or instance of {hint.__name__}")
        return _validate(hint, value)
    raise TypeError(f"no conversion to {hint!r}")  # pragma: no cover - a new field type


def _check_bounds(value: Any, bounds: Mapping[str, float]) -> None:
    if "gt" in bounds and not value > bounds["gt"]:
        raise _Invalid(f"Input should be greater than {bounds['gt']}")
    if "ge" in bounds and not value >= bounds["ge"]:
        raise _Invalid(f"Input should be greater than or equal to {bounds['ge']}")
    if "le" in bounds and not value <= bounds["le"]:
        raise _Invalid(f"Input should be less than or equal to {bounds['le']}")


def _validate(cls: type[_Section], data: Mapping[str, Any], **extra: Any) -> Any:
    """cls built from data (as read from TOML, JSON or the environment), converted
    and checked field by field in declaration order; raises _Invalid at the first fault."""
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for name, spec in cls.FIELDS.items():
        if name not in data:
            continue
        try:
            value = _convert(data[name], hints[name])
            _check_bounds(value, spec.metadata.get("bounds", {}))
        except _Invalid as exc:
            raise _Invalid(exc.message, (name, *exc.location)) from None
        values[name] = value
    for key in data:
        if key not in cls.FIELDS:
            raise _Invalid("Extra inputs are not permitted", (key,))
    return cls(**values, **extra)


def _shown(name: str) -> str:
    """A name from the file as it can be printed on one line."""
    return name if name.isprintable() else repr(name)[1:-1]


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def _check_keys(data: Mapping[str, Any], where: str) -> None:
    for section, values in data.items():
        if section not in SECTIONS:
            raise ConfigError(
                f"{where}: unknown section [{_shown(section)}].{_suggest(section, list(SECTIONS))}",
                hint=f"Sections: {', '.join(SECTIONS)}.",
            )
        if not isinstance(values, Mapping):
            raise ConfigError(f"{where}: [{_shown(section)}] must be a table of keys.")
        fields = list(SECTIONS[section].FIELDS)
        for key in values:
            if key not in fields:
                raise ConfigError(
                    f"{where}: unknown key '{_shown(key)}' in [{section}].{_suggest(key, fields)}",
                    hint=f"Keys of [{section}]: {', '.join(fields)}.",
                )


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """TRACKER_ARXIV_DELAY_SECONDS=0 -> {"arxiv": {"delay_seconds": "0"}}."""
    out: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name in NOT_SETTINGS:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section, _, key = rest.partition("_")
        if section not in SECTIONS or not key:
            raise ConfigError(
                f"environment variable {name}: no such setting.{_suggest(section, list(SECTIONS))}",
                hint="Use TRACKER_<SECTION>_<KEY>, e.g. TRACKER_DATABASE_URL.",
            )
        fields = list(SECTIONS[section].FIELDS)
        if key not in fields:
            raise ConfigError(
                f"environment variable {name}: unknown key '{key}' in [{section}]."
                f"{_suggest(key, fields)}"
            )
        value: Any = raw
        if get_origin(_hints(SECTIONS[section])[key]) is tuple:
            # Lists come as JSON (["cs.CL"]) or comma-separated (cs.CL,cs.LG).
            import json  # here: start-up reads no lists from the environment

            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                value = [part.strip() for part in raw.split(",") if part.strip()]
        out.setdefault(section, {})[key] = value
    return out


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = {k: dict(v) for k, v in base.items()}
    for section, values in extra.items():
        merged.setdefault(section, {}).update(values)
    return merged


def _format_invalid(exc: _Invalid, where: str) -> str:
    location = ".".join(str(part) for part in exc.location)
    return f"{where}: {location}: {exc.message}"


@functools.cache
def packaged_defaults() -> dict[str, Any]:
    """The shipped config.toml as data (every key, with its documented default)."""
    text = locations.defaults_file().read_text(encoding="utf-8")
    return tomllib.loads(text)


def _choose_file(path: str | Path | None, environ: Mapping[str, str]) -> Path | None:
    """--config, else TRACKER_CONFIG (both must exist), else the user's file if any."""
    chosen = path or environ.get("TRACKER_CONFIG")
    if chosen:
        config_path = Path(chosen).expanduser().resolve()
        if not config_path.is_file():
            raise ConfigError(
                f"config file {config_path} does not exist.",
                hint="Pass an existing file to --config or TRACKER_CONFIG.",
            )
        return config_path
    user_file = locations.user_config_file(environ)
    return user_file if user_file.is_file() else None


def _read_file(config_path: Path) -> dict[str, Any]:
    try:
        with config_path.open("rb") as handle:
            file_data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid TOML ({exc}).") from exc
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot be read ({exc.strerror}).") from exc
    _check_keys(file_data, str(config_path))
    return file_data


def _origins(layers: list[tuple[str, Mapping[str, Any]]]) -> dict[str, str]:
    """Each "section.key" -> the last layer that set it."""
    out: dict[str, str] = {}
    for origin, data in layers:
        for section, values in data.items():
            for key in values:
                out[f"{section}.{key}"] = origin
    return out


def _place_databases(config: Config, environ: Mapping[str, str]) -> Config:
    """Default database URLs point into the user data directory; a database a clone kept
    in data/tracker.db is still used (with a notice) until it is moved there."""
    home = locations.data_dir(environ)
    database = config.database
    if config.origin("database", "demo_url") == DEFAULT:
        database = database.replace(demo_url=resolve_sqlite_url(database.demo_url, home))
    if config.origin("database", "url") == DEFAULT:
        url = resolve_sqlite_url(database.url, home)
        legacy = None if locations.HOME_VARIABLE in environ else locations.legacy_database()
        if legacy is not None:
            log.warning(_legacy_notice(legacy, Path(url.removeprefix("sqlite:///"))))
            url = f"sqlite:///{legacy}"
        database = database.replace(url=url)
    return config.replace(database=database)


def _legacy_notice(legacy: Path, target: Path) -> str:
    also = f" ({target} exists too: move it aside first)" if target.exists() else ""
    return (
        f"using the database at its old place {legacy}; move it to the user data directory "
        f"with `mkdir -p {target.parent} && mv {legacy}* {target.parent}/`{also}."
    )


def load_config(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Read the configuration once; the result is frozen and passed down."""
    environ = os.environ if environ is None else environ
    config_path = _choose_file(path, environ)
    file_data = _read_file(config_path) if config_path is not None else {}
    env_data = _env_overrides(environ)
    hf_endpoint = environ.get("HF_ENDPOINT")
    if hf_endpoint:
        env_data.setdefault("hub", {})["endpoint"] = hf_endpoint
    data = _merge(_merge(packaged_defaults(), file_data), env_data)
    where = str(config_path) if config_path else "configuration"
    try:
        config: Config = _validate(
            Config,
            data,
            base_dir=config_path.parent if config_path else locations.data_dir(environ),
            source=str(config_path) if config_path else "built-in defaults",
            origins=_origins([(FILE, file_data), (ENV, env_data)]),
        )
    except _Invalid as exc:
        raise ConfigError(_format_invalid(exc, where)) from None
    return _place_databases(config, environ)
