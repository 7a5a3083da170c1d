"""Packaging: the wheel ships every package and the trained models, so an installation outside the
repository extracts with them (``extractor.models.paths`` finds them as the package ``extractor.trained``)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import CORPUS, REPO
from extractor.models.paths import REPOSITORY_MODELS, model_dir, models_root, trained_files

PYPROJECT = REPO / "pyproject.toml"
MODEL_NAMES = ("design", "outcome_scorer", "outcome_spans", "sample_size", "sentence_roles")


def _listed_packages() -> set[str]:
    return set(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])


def _folders_as_packages(root: Path, prefix: str) -> set[str]:
    folders = [root, *(path for path in root.rglob("*") if path.is_dir() and path.name != "__pycache__"
                       and "__pycache__" not in path.parts)]
    return {".".join([prefix, *folder.relative_to(root).parts]) for folder in folders}


def test_pyproject_lists_every_folder_of_the_package_and_of_the_trained_models() -> None:
    on_disk = _folders_as_packages(REPO / "extractor", "extractor") | _folders_as_packages(
        REPO / "models", "extractor.trained")
    assert _listed_packages() == on_disk


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_a_checkout_finds_each_model_in_the_top_level_models_folder(name: str) -> None:
    assert models_root() == REPOSITORY_MODELS
    assert model_dir(name) == REPO / "models" / name and model_dir(name).is_dir()


def test_trained_files_are_in_the_order_the_extraction_version_always_hashed_them() -> None:
    # a calibration (models/<field>/calibration.json) changes what the chooser stores, so it is hashed too
    old_order = sorted([*REPOSITORY_MODELS.glob("*/model.json"), *REPOSITORY_MODELS.glob("*/weights.npz"),
                        *REPOSITORY_MODELS.glob("*/meta.json"), *REPOSITORY_MODELS.glob("*/*/model"),
                        *REPOSITORY_MODELS.glob("*/calibration.json")])
    assert trained_files() == old_order and len(old_order) == 13


def _build_wheel(work: Path) -> Path:
    """The project's wheel, built without network (the current setuptools) from a copy of this checkout's
    package files, so no build/ folder of an earlier build (stale modules) gets in and none is left here."""
    source = work / "source"
    for name in ("pyproject.toml", "README.md"):
        source.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    for name in ("extractor", "models"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    target = work / "wheel"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
               "--wheel-dir", str(target), str(source)]
    result = subprocess.run(command, capture_output=True, text=True, env=_offline())
    assert result.returncode == 0, result.stdout + result.stderr
    [wheel] = target.glob("extractor-*.whl")
    return wheel


def _offline() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    return env | {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.mark.slow
def test_a_wheel_installed_outside_the_repository_extracts_with_the_trained_models(tmp_path: Path) -> None:
    if importlib.util.find_spec("setuptools.command.bdist_wheel") is None and importlib.util.find_spec("wheel") is None:
        pytest.skip("needs setuptools>=70.1 (the test extra) to build the wheel without network")
    wheel = _build_wheel(tmp_path / "build")
    venv = tmp_path / "venv"
    # A fresh environment whose dependencies are the current one's (added after the install, as plain
    # path entries: the current environment's editable install of this checkout is then not in effect).
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", str(wheel)], capture_output=True, text=True, env=_offline())
    assert install.returncode == 0, install.stdout + install.stderr
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    parent = [path for path in sys.path if path.endswith("site-packages") and Path(path).is_dir()]
    (Path(purelib) / "parent_environment.pth").write_text("\n".join(parent) + "\n", encoding="utf-8")

    where = subprocess.run(
        [str(python), "-c", "import extractor.models.paths as p; print(p.__file__); print(p.models_root()); "
         "from extractor.models import design, outcome_spans, sample_size, sentence_roles; "
         "design.load(); sample_size.load(); sentence_roles.load(); outcome_spans.load_model()"],
        capture_output=True, text=True, cwd=tmp_path, env=_offline())
    assert where.returncode == 0, where.stderr
    module, root = (Path(line) for line in where.stdout.split())
    assert module.is_relative_to(venv) and root.is_relative_to(venv), where.stdout  # not this checkout
    assert root.parts[-2:] == ("extractor", "trained")
    shipped = {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}
    committed = {path.relative_to(REPOSITORY_MODELS).as_posix() for path in REPOSITORY_MODELS.rglob("*")
                 if path.is_file()}
    assert shipped == committed

    database = tmp_path / "installed.db"
    result = subprocess.run([str(venv / "bin" / "extractor"), "extract", str(CORPUS / "example_pubmed_page.txt"),
                             "--db", str(database), "-q"], capture_output=True, text=True, cwd=tmp_path,
                            env=_offline())
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        [(from_models,)] = connection.execute(
            "SELECT count(*) FROM extracted_values WHERE source LIKE 'model:%'").fetchall()
    assert from_models > 0
