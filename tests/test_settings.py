"""One settings object: every knob has a VPETL_* variable that works, and the README names them all."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from vpetl.cli import app
from vpetl.settings import Settings, environment_variable

from .conftest import ROOT

# A valid value for every setting that differs from its default, as the environment spells it.
SAMPLES = {
    "api_base": ("http://127.0.0.1:9", "http://127.0.0.1:9"),
    "database_url": ("sqlite:///elsewhere.sqlite", "sqlite:///elsewhere.sqlite"),
    "data_dir": ("/tmp/vpetl-elsewhere", "/tmp/vpetl-elsewhere"),
    "rate": ("2.5", 2.5),
    "allowed_hosts": ("a.example, b.example", ("a.example", "b.example")),
    "timeout": ("7", 7.0),
    "retries": ("9", 9),
    "backoff": ("0.25", 0.25),
    "max_redirects": ("2", 2),
    "download_deadline": ("60", 60.0),
    "max_bytes": ("1000", 1000),
    "concurrency": ("3", 3),
    "retry_budget": ("11", 11),
    "lock_wait": ("5", 5.0),
    "workers": ("2", 2),
    "batch": ("40", 40),
    "processes": ("1", 1),
    "runner": ("dask", "dask"),
    "dask_address": ("tcp://127.0.0.1:8786", "tcp://127.0.0.1:8786"),
    "extract_timeout": ("30", 30.0),
    "extract_memory_mb": ("512", 512),
    "max_pages": ("50", 50),
    "ocr": ("false", False),
    "search_filter": ("requiredfields=aggregaattype:Schriftelijke%20vraag",
                      "requiredfields=aggregaattype:Schriftelijke%20vraag"),
}


def test_every_setting_has_a_sample():
    assert set(SAMPLES) == set(Settings.model_fields)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_variable_sets_its_setting(name, monkeypatch):
    raw, expected = SAMPLES[name]
    assert getattr(Settings(), name) != expected  # the sample is not the default
    monkeypatch.setenv(environment_variable(name), raw)
    value = getattr(Settings(), name)
    assert (str(value) if name == "data_dir" else value) == expected


def test_an_option_beats_the_environment_and_none_keeps_it(monkeypatch):
    monkeypatch.setenv("VPETL_RATE", "3")
    assert Settings().with_(rate=None).rate == 3.0 and Settings().with_(rate=8).rate == 8.0


def test_an_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("VPETL_DATABASE_URL", "")
    assert Settings().database_url == "sqlite:///vpetl.sqlite"


def test_a_bad_variable_is_one_clear_line(monkeypatch):
    result = CliRunner().invoke(app, ["settings"], env={"VPETL_RATE": "fast"})
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "bad setting: rate:" in result.output


@pytest.mark.parametrize("base", ["ftp://ws.vlpar.be", "file:///etc", "ws.vlpar.be", "http://"])
def test_the_api_base_is_an_http_url_with_a_host(base):
    result = CliRunner().invoke(app, ["settings"], env={"VPETL_API_BASE": base})
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "is not an http(s) URL with a host" in result.output


def test_readme_names_every_variable_and_no_other():
    named = set(re.findall(r"VPETL_[A-Z_]+[A-Z]", (ROOT / "README.md").read_text()))
    named -= {"VPETL_TEST_POSTGRES_URL"}  # the test suite's, not vpetl's
    named -= {"VPETL_DATABSE_URL"}  # the README's example of a misspelt variable, which vpetl warns of
    assert named == {environment_variable(n) for n in Settings.model_fields}


def test_settings_command_shows_each_variable_without_secrets():
    result = CliRunner().invoke(app, ["settings"], env={"VPETL_DATABASE_URL": "postgresql+psycopg://u:s3cret@h/db"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()  # piped: one tab-separated line a setting, every value whole
    assert lines[0] == "variable\tvalue\twhat it is for"
    assert [line.split("\t")[0] for line in lines[1:]] == [environment_variable(n) for n in Settings.model_fields]
    assert "s3cret" not in result.output
    assert "VPETL_DATABASE_URL\tpostgresql+psycopg://u:***@h/db\t" in result.output
