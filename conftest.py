"""Test-wide settings: the suite always runs with WAYMARK_ENV=test."""

import os

os.environ["WAYMARK_ENV"] = "test"
os.environ.setdefault("AXES_ENABLED", "true")
