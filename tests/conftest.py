"""Session-wide settings for every test."""
import os
import tempfile

# Job records and queue files of any test (and of any server or worker a test starts, which
# inherit the environment) go to a temporary folder, never to the repository's data/ folder.
# Tests that need their own folder still set AGGREGATION_DATA_DIR themselves.
os.environ.setdefault("AGGREGATION_DATA_DIR", tempfile.mkdtemp(prefix="aggregation-tests-"))
