"""tracker installed from a wheel, as pipx, uv tool or pip would, runs in any folder.

The wheel is built from this checkout and installed into a fresh virtual environment
whose dependencies come from the test environment (no network). It runs from an empty
folder with an empty HOME: the demo data and the defaults come from inside the package,
the databases go to the user data folder, and nothing is written anywhere else.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO

# What a wheel is built from (pyproject.toml maps data/ and config.toml into the package).
SOURCES = ("pyproject.toml", "README.md", "config.toml", "data", "tracker")
SHIPPED = (
    "tracker/defaults/config.toml",
    "tracker/data/demo/demo.json",
    "tracker/tui/tracker.tcss",
)


def test_every_package_folder_is_in_the_pyproject_list():
    """The list is explicit (two packages come from outside tracker/): a new folder of
    modules under tracker/ that is missing from it would be left out of the wheel."""
    declared = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    folders = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "tracker").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert folders - declared == set(), "add these to [tool.setuptools] packages"


@dataclass
class Installed:
    wheel: Path
    venv: Path
    site_packages: Path

    @property
    def tracker(self) -> Path:
        return self.venv / "bin" / "tracker"


def _build_wheel(workdir: Path) -> Path:
    source = workdir / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.db", "*.db-*", "*.lock")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    build = "import setuptools.build_meta as b, sys; print(b.build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(workdir / "dist")],
        cwd=source, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return workdir / "dist" / done.stdout.strip().splitlines()[-1]


def _make_venv(workdir: Path, wheel: Path) -> Installed:
    venv = workdir / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    site_packages = Path(purelib)
    # The dependencies: the test environment's site-packages, after the venv's own (a
    # path in a .pth file is not scanned for .pth files: the editable tracker stays out).
    (site_packages / "test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
         "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return Installed(wheel=wheel, venv=venv, site_packages=site_packages)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    workdir = tmp_path_factory.mktemp("install")
    return _make_venv(workdir, _build_wheel(workdir))


def _files(folder: Path) -> set[str]:
    # Bytecode is the interpreter's own cache; anything else written there would be ours.
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_wheel_carries_the_defaults_the_demo_data_and_the_stylesheet(installed):
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        assert set(SHIPPED) <= names
        assert wheel.read("tracker/defaults/config.toml") == (REPO / "config.toml").read_bytes()
        demo = wheel.read("tracker/data/demo/demo.json")
        assert demo == (REPO / "data" / "demo" / "demo.json").read_bytes()
    assert not any(name.startswith(("data/", "config.toml")) for name in names)


@pytest.mark.slow
def test_the_installed_tool_runs_anywhere(installed, tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRACKER_", "XDG_", "VIRTUAL_ENV", "PYTHON"))
    }
    environ |= {"HOME": str(home), "HF_HUB_OFFLINE": "1"}
    before = _files(installed.site_packages)

    def tracker(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(installed.tracker), *args],
            cwd=work, env=environ, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done

    assert "papers" in tracker("demo", "--no-tui").stderr
    hits = json.loads(tracker("--demo", "search", "attention", "--json").stdout)
    assert "1706.03762" in [hit["arxiv_id"] for hit in hits]
    report = json.loads(tracker("doctor", "--json").stdout)
    assert isinstance(report["torch"]["cuda_available"], bool)
    data_dir = home / ".local" / "share" / "tracker"
    assert report["database"]["url"] == f"sqlite:///{data_dir / 'tracker.db'}"
    paths = json.loads(tracker("config", "path", "--json").stdout)
    assert paths["config_file"] == str(home / ".config" / "tracker" / "config.toml")
    assert (data_dir / "demo.db").is_file()
    # The package's own modules and files: the editable checkout is not what ran.
    where = subprocess.run(
        [installed.venv / "bin" / "python", "-c",
         "import tracker, tracker.tui.app as a, pathlib;"
         "print(tracker.__file__);print(pathlib.Path(a.__file__).with_name('tracker.tcss').is_file())"],
        cwd=work, env=environ, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert where == [str(installed.site_packages / "tracker" / "__init__.py"), "True"]
    assert list(work.iterdir()) == []
    assert _files(installed.site_packages) == before
    written = {str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()}
    assert {f for f in written if not f.startswith(".cache/")} <= {
        ".local/share/tracker/demo.db",
        ".local/share/tracker/demo.db-wal",
        ".local/share/tracker/demo.db-shm",
    }
