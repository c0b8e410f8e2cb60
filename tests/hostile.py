"""A scanned report whose pod has hostile account names and hostile comments (shared by
test_html, test_explain, test_graph_export and test_redact)."""

from __future__ import annotations

import functools

import pandas as pd
from conftest import COLUMNS, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.io import parse
from pod_detect.model import Report

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
MEMBERS = [SCRIPT, IMG, "anna", "ben", "cara", "dan"]
COMMENT = "<script>alert('comment')</script> great post!"


def rows() -> pd.DataFrame:
    """Organic background, a pod of :data:`MEMBERS` with hostile comments, camouflage."""
    planted = round_rows(MEMBERS, 6, fast)
    frame = pd.DataFrame(organic(30, 3) + planted + outside_rows(MEMBERS, 30), columns=COLUMNS)
    frame["text"] = ""
    start = len(organic(30, 3))
    frame.loc[start:start + len(planted) - 1, "text"] = COMMENT
    for column in ("timestamp", "post_time"):
        frame[column] = frame[column].round(3).astype(str)
    return frame


@functools.cache
def report() -> Report:
    """The scanned hostile report (computed once per test session)."""
    return pod_detect.scan(parse(rows(), source="hostile.csv"))


def write_csv(path) -> str:
    """The hostile export as a CSV file; its path as a string."""
    rows().to_csv(path, index=False)
    return str(path)
