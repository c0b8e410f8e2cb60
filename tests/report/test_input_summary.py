"""The input summary's accounts: every account named, those that engaged and the authors of
engaged posts, counted from the rows and said the same way in every format (issue 23: the
count used to include authors who never engaged, with nothing to say so)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from pod_detect.cli import cli

ROWS = [
    # actor, author, post_id, kind, timestamp
    ("a", "x", "p1", "like", "2026-01-01T00:00:00Z"),
    ("b", "x", "p1", "like", "2026-01-01T00:01:00Z"),
    ("a", "b", "p2", "comment", "2026-01-01T00:02:00Z"),
    ("c", "y", "p3", "like", "2026-01-01T00:03:00Z"),
    ("c", "c", "p4", "like", "2026-01-01T00:04:00Z"),  # self-engagement: dropped
    ("d", "", "p5", "like", "2026-01-01T00:05:00Z"),  # author unknown
]


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "e.csv"
    pd.DataFrame(ROWS, columns=["actor", "author", "post_id", "kind", "timestamp"]).to_csv(
        path, index=False)
    return path


def expected(path) -> tuple[int, int, int]:
    """Accounts named, accounts that engaged, authors of engaged posts: from the rows kept."""
    rows = pd.read_csv(path, keep_default_na=False)
    kept = rows[rows["actor"] != rows["author"]]
    authors = set(kept["author"]) - {""}
    return (len((set(rows["actor"]) | set(rows["author"])) - {""}), kept["actor"].nunique(),
            len(authors))


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["scan", *args, "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_json_counts_equal_the_rows(export):
    info = json.loads(run(str(export), "-f", "json"))["input"]
    named, engaging, posting = expected(export)
    # "c" only engaged itself: still named, but neither engaged anything kept nor was engaged
    assert (info["accounts"], info["accounts_engaging"], info["accounts_posting"]) == (
        named, engaging, posting) == (6, 4, 3)


def test_every_format_says_the_same_counts(export):
    named, engaging, posting = expected(export)
    words = f"{named} accounts ({engaging} engaged, {posting} authors of engaged posts)"
    assert words in run(str(export), "-f", "table")
    assert words in run(str(export), "-f", "markdown")
    html = run(str(export), "-f", "html")
    assert f"<th>accounts that engaged</th><td class=\"n\">{engaging}</td>" in html
    assert f"<th>authors of engaged posts</th><td class=\"n\">{posting}</td>" in html
    sarif = json.loads(run(str(export), "-f", "sarif"))["runs"][0]["invocations"][0]
    sarif = sarif["properties"]["input"]
    assert (sarif["accounts"], sarif["accountsEngaging"], sarif["accountsPosting"]) == (
        named, engaging, posting)


def test_without_an_author_column_the_authors_are_not_given(export, tmp_path):
    rows = pd.read_csv(export, keep_default_na=False).drop(columns="author")
    path = tmp_path / "no_author.csv"
    rows.to_csv(path, index=False)
    info = json.loads(run(str(path), "-f", "json"))["input"]
    assert info["accounts_posting"] == 0 and info["accounts_engaging"] == rows["actor"].nunique()
    assert f"{rows['actor'].nunique()} engaged; no authors given" in run(str(path))
    assert "<th>authors of engaged posts</th><td class=\"n\">not given</td>" in run(
        str(path), "-f", "html")
