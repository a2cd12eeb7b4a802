"""Fixtures for session-service unit tests.

pytest runs in importlib mode and every service has a tests/fakes.py, so the fakes are
loaded here under a name of their own (`session_service_fakes`) instead of `fakes`; the
trigger_exclusive and exclusive-request API harnesses likewise
(`session_service_trigger_world`, `session_service_exclusive_world`).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

for _name, _file in (
    ("session_service_fakes", "fakes.py"),
    ("session_service_trigger_world", "trigger_world.py"),
    ("session_service_exclusive_world", "exclusive_world.py"),
):
    if _name not in sys.modules:
        _spec = importlib.util.spec_from_file_location(_name, Path(__file__).with_name(_file))
        assert _spec is not None and _spec.loader is not None
        _module = importlib.util.module_from_spec(_spec)
        sys.modules[_name] = _module
        _spec.loader.exec_module(_module)
