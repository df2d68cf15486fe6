"""The `VPETL_*` variables a user set: a misspelt one (VPETL_DATABSE_URL) would be ignored in
silence, and the command would quietly use the default (a new store in the current folder).
Each unknown one is named in a warning, with the setting it most resembles."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping

from vpetl.settings import ENV_PREFIX, Settings, environment_variable

# Variables of vpetl's own test and CI scripts, not settings of vpetl: VPETL_TEST_POSTGRES_URL,
# VPETL_TEST_BROWSER, VPETL_SCREENSHOTS (see .ci/run).
NOT_SETTINGS = ("VPETL_TEST_", "VPETL_SCREENSHOTS")


def known() -> list[str]:
    """Every variable a setting reads."""
    return [environment_variable(name) for name in Settings.model_fields]


def unknown(environ: Mapping[str, str] | None = None) -> list[str]:
    """The `VPETL_*` variables set here that no setting reads, sorted."""
    names = known()
    env = os.environ if environ is None else environ
    return sorted(k for k in env if k.upper().startswith(ENV_PREFIX) and k.upper() not in names
                  and not k.upper().startswith(NOT_SETTINGS))


def warnings(environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per unknown variable: "VPETL_DATABSE_URL is not a vpetl setting and is ignored
    (did you mean VPETL_DATABASE_URL?)"."""
    lines = []
    for name in unknown(environ):
        # compared without the prefix they all share, which would make every name look close
        close = difflib.get_close_matches(name.upper()[len(ENV_PREFIX):], [k[len(ENV_PREFIX):] for k in known()], n=1)
        hint = f" (did you mean {ENV_PREFIX}{close[0]}?)" if close else "; `vpetl settings` lists them"
        lines.append(f"vpetl: warning: {name} is not a vpetl setting and is ignored{hint}")
    return lines
