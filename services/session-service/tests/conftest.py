"""Fixtures for session-service unit tests.

pytest runs in importlib mode and every service has a tests/fakes.py, so the fakes are
loaded here under a name of their own (`session_service_fakes`) instead of `fakes`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "session_service_fakes"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).with_name("fakes.py"))
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module
    _spec.loader.exec_module(_module)
