"""What config/settings.py makes of an environment, read in this process.

A server reads its settings once, from the environment it was started with. Tests of that
used to start a Python process per case (2–3 s of CPU each, most of it importing Django);
evaluating the settings file afresh under the case's environment gives the same values in a
few milliseconds. Settings with side effects at import (SENTRY_DSN starts Sentry) still need
a process of their own.
"""

import os
import runpy
from pathlib import Path

SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"


def settings_under(env: dict[str, str]) -> dict[str, object]:
    """The names config/settings.py defines when the environment is exactly `env`."""
    assert "SENTRY_DSN" not in env, "Sentry starts at import: probe it in a process of its own"
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        return runpy.run_path(str(SETTINGS), run_name="settings_probe")
    finally:
        os.environ.clear()
        os.environ.update(saved)
