"""vpetl as a user installs it: a wheel, not the checkout, in a venv of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from .conftest import wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding only the vpetl wheel; its dependencies are this environment's (by a .pth
    line, which does not bring this environment's editable vpetl along)."""
    tmp = tmp_path_factory.mktemp("install")
    venv.create(tmp / "venv", with_pip=False)
    env_python = tmp / "venv" / "bin" / "python"
    purelib = subprocess.run([str(env_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env_python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel())], check=True, capture_output=True)
    return tmp / "venv" / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VPETL_")}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_HOME=str(cwd / ".prefect"), COLUMNS="200")
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_the_wheel_installs_one_import_name_and_runs_the_demo(installed, tmp_path):
    names = run(installed, str(installed / "python"), "-c",
                "import vpetl, vpetl.flows, vpetl.extractors, vpetl.schema, vpetl.vlpar; print(vpetl.__file__)",
                cwd=tmp_path)
    assert names.returncode == 0, names.stderr
    assert str(installed.parent) in names.stdout  # the wheel's copy, not the checkout
    for stray in ("schema", "flows", "extractors", "vlpar", "fixtures"):
        gone = run(installed, str(installed / "python"), "-c", f"import {stray}", cwd=tmp_path)
        assert gone.returncode != 0 and "ModuleNotFoundError" in gone.stderr, stray

    demo = run(installed, str(installed / "vpetl"), "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "15 questions loaded, 0 unchanged, 0 failed, of 15 found" in demo.stdout
    assert "who asked: 14 member records read, 0 unchanged, 0 failed" in demo.stdout  # the wheel has them
    assert (tmp_path / "vpetl.sqlite").exists() and (tmp_path / "vpetl-data" / "blobs").is_dir()
