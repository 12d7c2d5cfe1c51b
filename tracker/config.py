"""Configuration: config.toml -> a validated, frozen Config.

Precedence: built-in defaults < config file < TRACKER_<SECTION>_<KEY> env vars < flags.
The built-in defaults equal the repository's config.toml (a test keeps them in step).
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tracker.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = REPO_ROOT / "config.toml"
ENV_PREFIX = "TRACKER_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    url: str = "sqlite:///data/tracker.db"
    demo_url: str = "sqlite:///data/demo.db"


class ArxivConfig(_Section):
    api_url: str = "https://export.arxiv.org/api/query"
    categories: tuple[str, ...] = ("cs.CL", "cs.LG", "cs.CV")
    queries: tuple[str, ...] = ()
    delay_seconds: float = Field(3.0, ge=0)
    page_size: int = Field(200, ge=1, le=2000)
    lookback_days: int = Field(7, ge=1)
    overlap_days: int = Field(2, ge=0)
    timeout_seconds: float = Field(30.0, gt=0)
    max_retries: int = Field(4, ge=0)
    backoff_seconds: float = Field(2.0, ge=0)


class HubConfig(_Section):
    endpoint: str = "https://huggingface.co"
    models_per_paper: int = Field(20, ge=1)
    concurrency: int = Field(8, ge=1)
    refresh_days: int = Field(7, ge=0)


class SearchConfig(_Section):
    candidates: int = Field(2000, ge=0)


class TrialConfig(_Section):
    device: Literal["auto", "cuda", "cpu", "mps"] = "auto"
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    trust_remote_code: bool = False
    allow_pickle: bool = False


class SavedSearch(_Section):
    """A saved search: a full-text query with optional filters, watched by the digest."""

    name: str = ""
    query: str = ""
    category: str | None = None
    author: str | None = None


class WatchConfig(_Section):
    searches: tuple[SavedSearch, ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    model_downloads: int = Field(1000, ge=0)
    papers_per_watch: int = Field(10, ge=1)
    first_digest_days: int = Field(1, ge=1)


class RecommendConfig(_Section):
    pool: int = Field(20000, ge=100)
    days: int = Field(14, ge=1)
    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"


class Config(_Section):
    database: DatabaseConfig = DatabaseConfig()
    arxiv: ArxivConfig = ArxivConfig()
    hub: HubConfig = HubConfig()
    search: SearchConfig = SearchConfig()
    trial: TrialConfig = TrialConfig()
    watch: WatchConfig = WatchConfig()
    recommend: RecommendConfig = RecommendConfig()
    # The folder relative paths resolve against (the config file's folder).
    base_dir: Path = Field(default=REPO_ROOT, exclude=True)
    source: str = Field(default="built-in defaults", exclude=True)

    def resolve_url(self, url: str) -> str:
        """Make a relative sqlite:/// path absolute against the config folder."""
        prefix = "sqlite:///"
        if url.startswith(prefix) and url != prefix + ":memory:":
            path = Path(url[len(prefix) :]).expanduser()
            if not path.is_absolute():
                path = self.base_dir / path
            return prefix + str(path)
        return url

    @property
    def database_url(self) -> str:
        return self.resolve_url(self.database.url)

    @property
    def demo_database_url(self) -> str:
        return self.resolve_url(self.database.demo_url)

    def with_database_url(self, url: str) -> Config:
        database = self.database.model_copy(update={"url": url})
        return self.model_copy(update={"database": database})


SECTIONS: dict[str, type[_Section]] = {
    "database": DatabaseConfig,
    "arxiv": ArxivConfig,
    "hub": HubConfig,
    "search": SearchConfig,
    "trial": TrialConfig,
    "watch": WatchConfig,
    "recommend": RecommendConfig,
}


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
        fields = list(SECTIONS[section].model_fields)
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
        if not name.startswith(ENV_PREFIX) or name == "TRACKER_CONFIG":
            continue
        if name in ("TRACKER_DEBUG",):
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section, _, key = rest.partition("_")
        if section not in SECTIONS or not key:
            raise ConfigError(
                f"environment variable {name}: no such setting.{_suggest(section, list(SECTIONS))}",
                hint="Use TRACKER_<SECTION>_<KEY>, e.g. TRACKER_DATABASE_URL.",
            )
        fields = list(SECTIONS[section].model_fields)
        if key not in fields:
            raise ConfigError(
                f"environment variable {name}: unknown key '{key}' in [{section}]."
                f"{_suggest(key, fields)}"
            )
        value: Any = raw
        annotation = str(SECTIONS[section].model_fields[key].annotation)
        if "tuple" in annotation:
            # Lists come as JSON (["cs.CL"]) or comma-separated (cs.CL,cs.LG).
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


def _format_validation_error(exc: ValidationError, where: str) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    return f"{where}: {location}: {first['msg']}"


def load_config(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Read the configuration once; the result is frozen and passed down."""
    environ = os.environ if environ is None else environ
    chosen = path or environ.get("TRACKER_CONFIG")
    file_data: dict[str, Any] = {}
    if chosen:
        config_path = Path(chosen).expanduser().resolve()
        if not config_path.is_file():
            raise ConfigError(
                f"config file {config_path} does not exist.",
                hint="Pass an existing file to --config or TRACKER_CONFIG.",
            )
    elif DEFAULT_CONFIG_PATH.is_file():
        config_path = DEFAULT_CONFIG_PATH
    else:
        config_path = None

    where = str(config_path) if config_path else "configuration"
    if config_path is not None:
        try:
            with config_path.open("rb") as handle:
                file_data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: not valid TOML ({exc}).") from exc
        except OSError as exc:
            raise ConfigError(f"{config_path}: cannot be read ({exc.strerror}).") from exc
        _check_keys(file_data, where)

    data = _merge(file_data, _env_overrides(environ))
    hf_endpoint = environ.get("HF_ENDPOINT")
    if hf_endpoint:
        data.setdefault("hub", {})["endpoint"] = hf_endpoint
    base_dir = config_path.parent if config_path else Path.cwd()
    try:
        return Config(
            **data,
            base_dir=base_dir,
            source=str(config_path) if config_path else "built-in defaults",
        )
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, where)) from exc
