"""The install stays working (issue 11, item 16): what the code imports is declared with true
floors, optional services are extras, a lock file pins what the tests passed with, and any
Python 3.11+ builds the virtualenv."""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("newsmon", "crawlers", "classifier", "storage", "alerts")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Declared but reached without an import statement of their own name.
INDIRECT = {"lxml-html-clean": "trafilatura needs it", "psycopg": "SQLAlchemy's postgresql driver",
            "scrapy-redis": "named in Scrapy settings (newsmon/frontier.py)",
            "itsdangerous": "Starlette's signed sessions", "python-multipart": "Starlette's form parsing",
            "tzdata": "zoneinfo's rules where the system has none (newsmon.pagezones)"}


def requirements(group: str | None = None) -> dict[str, Requirement]:
    lines = PYPROJECT["dependencies"] if group is None else PYPROJECT["optional-dependencies"][group]
    return {_norm(Requirement(line).name): Requirement(line) for line in lines}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_distributions() -> set[str]:
    from importlib.metadata import packages_distributions

    names = packages_distributions()
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names or top in PACKAGES:
                        continue
                    found.update(_norm(d) for d in names.get(top, [top]))
    return found


def test_every_import_is_declared_and_every_declaration_is_used():
    declared = {**requirements(), **requirements("postgresql"), **requirements("redis")}
    imported = imported_distributions()
    assert sorted(imported - set(declared)) == []
    assert sorted(set(declared) - imported - set(INDIRECT)) == []


def test_services_are_extras_and_floors_are_true():
    core = requirements()
    for extra in ("psycopg", "redis", "scrapy-redis"):
        assert extra not in core
    assert "psycopg" in requirements("postgresql") and "scrapy-redis" in requirements("redis")
    assert core["scrapy"].specifier.contains("2.15.0") and not core["scrapy"].specifier.contains("2.14.0")
    built_with = json.loads((ROOT / "classifier" / "models" / "default.metrics.json").read_text())["sklearn_version"]
    assert str(core["scikit-learn"].specifier) == f"=={built_with}"


def test_the_lock_file_pins_every_requirement_and_make_installs_from_it():
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {_norm(line.split("==")[0]): line.split("==")[1] for line in lock.splitlines()
              if "==" in line and not line.startswith("#")}
    for group in (None, "postgresql", "redis", "test"):
        for name, requirement in requirements(group).items():
            assert name in pinned, name
            assert requirement.specifier.contains(pinned[name], prereleases=True), (name, pinned[name])
    makefile = (ROOT / "Makefile").read_text()
    assert "-c $(LOCK)" in makefile and "LOCK := requirements.lock" in makefile


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_finds_any_python_3_11_or_newer(tmp_path):
    """Only a `python3.13` on the PATH (no python3.11, no python3): make must still find it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3.13").symlink_to(sys.executable)
    result = subprocess.run([shutil.which("make"), "-n", "install", f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, env={"PATH": str(bin_dir)})
    assert result.returncode == 0, result.stderr
    assert f"python3.13 -m venv {tmp_path / 'venv'}" in result.stdout


@pytest.mark.parametrize("missing,args,message", [
    ("scrapy_redis", ["crawl", "--redis", "redis://127.0.0.1:6379/0"], "pip install 'newsmon[redis]'"),
    ("psycopg", ["query", "--db", "postgresql://u@127.0.0.1:1/db"], "pip install 'newsmon[postgresql]'"),
])
def test_a_missing_extra_is_named_in_one_line(tmp_path, missing, args, message):
    (tmp_path / "s.toml").write_text('[[source]]\nname = "a"\nkind = "feed"\nurl = "http://127.0.0.1:9/f"\n')
    code = f"import sys; sys.modules[{missing!r}] = None; from newsmon.cli import main; main()"
    extra = ["--sources", "s.toml", "--db", f"sqlite:///{tmp_path / 'x.db'}"] if args[0] == "crawl" else []
    result = subprocess.run([sys.executable, "-c", code, *args, *extra], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr, result.stderr
