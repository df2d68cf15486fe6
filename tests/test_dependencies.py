"""Dependencies declared as the code uses them (what deptry checks): every distribution the
package imports is declared in pyproject.toml, every declared runtime dependency is imported,
and the versions the suite last passed with (requirements.lock) lie inside the declared ranges.
One version string: the package, the extractors and the User-Agent say the same."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import vpetl
from vpetl.extractors import version
from vpetl.vlpar import client

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("vpetl", "extractors", "schema", "vlpar", "flows", "fixtures")  # what the wheel installs
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
NOT_IMPORTED = {"psycopg": "the PostgreSQL driver SQLAlchemy loads by URL"}  # declared, imported by no file


def _requirements(extra: str | None = None) -> list[Requirement]:
    lines = PROJECT["dependencies"] if extra is None else PROJECT["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def _declared() -> dict[str, Requirement]:
    everything = _requirements() + [r for extra in PROJECT["optional-dependencies"] for r in _requirements(extra)]
    return {canonicalize_name(r.name): r for r in everything}


def imported() -> dict[str, set[str]]:
    """Distribution -> the files that import it (any import, also one inside a function)."""
    dists = packages_distributions()
    out: dict[str, set[str]] = {}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for top in {n.split(".")[0] for n in names} - set(sys.stdlib_module_names) - {"vpetl"}:
                    for dist in dists.get(top, [top]):
                        out.setdefault(canonicalize_name(dist), set()).add(str(path.relative_to(ROOT)))
    return out


def test_every_imported_distribution_is_declared():
    declared = _declared()
    missing = {dist: sorted(files) for dist, files in imported().items() if dist not in declared}
    assert missing == {}


def test_every_runtime_dependency_is_imported():
    used = imported()
    unused = [r.name for r in _requirements() if canonicalize_name(r.name) not in used]
    assert unused == []
    for extra in PROJECT["optional-dependencies"]:
        if extra in ("test",):
            continue  # tools (pytest, ruff, mypy, selenium) and the test files' own imports
        for r in _requirements(extra):
            name = canonicalize_name(r.name)
            assert name in used or name in NOT_IMPORTED, f"[{extra}] {r.name} is imported by no file"


def test_the_locked_versions_lie_inside_the_declared_ranges():
    """The lock file is what the suite passed with: a floor above it, or a cap below it, is a
    declaration no one has tested."""
    locked = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            locked[canonicalize_name(name)] = Version(pinned.strip())
    for name, req in _declared().items():
        assert name in locked, f"{req.name} is declared but not in requirements.lock"
        assert req.specifier.contains(locked[name], prereleases=True), f"{req} excludes the tested {locked[name]}"


def test_one_version_string():
    assert version.RELEASE == vpetl.__version__
    assert client.USER_AGENT.startswith(f"vpetl/{vpetl.__version__} ")
