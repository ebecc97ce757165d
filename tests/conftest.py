"""Session-wide settings for every test."""

import importlib.util
import os
import tempfile

import pytest

# Job records and queue files of any test (and of any server or worker a test starts, which
# inherit the environment) go to a temporary folder, never to the repository's data/ folder.
# Tests that need their own folder still set AGGREGATION_DATA_DIR themselves.
os.environ.setdefault("AGGREGATION_DATA_DIR", tempfile.mkdtemp(prefix="aggregation-tests-"))


#: Whether the training stack (requirements-train.txt) is installed. Without it the core and UI tests still
#: run; the tests that train a model or run a worker (marker ``slow``) are skipped, and the few test modules
#: that import torch skip themselves (``pytest.importorskip``).
def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


TRAINING_STACK = all(_installed(name) for name in ("torch", "transformers", "peft"))


def pytest_collection_modifyitems(config, items):
    if TRAINING_STACK:
        return
    skip = pytest.mark.skip(reason="the training stack (requirements-train.txt) is not installed")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)
