"""The GitHub events adapter: a GH Archive hour (JSON Lines, gzipped as GH Archive serves it),
BigQuery githubarchive exports (JSON Lines with payload as text, a CSV of four columns); exact
rows, recognition, a flat export that must stay flat, hostile records and a planted star farm."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shared import found_alone, odd_records_are_handled

import pod_detect
from pod_detect.errors import InputError
from pod_detect.io.platforms import github as gh

DATA = Path(__file__).resolve().parents[2] / "data" / "platforms"
HERE = DATA / "github"
HOUR = HERE / "gharchive_2024-05-31-16.jsonl"
BIGQUERY_JSON = HERE / "githubarchive_day_20240531.json"
BIGQUERY_CSV = HERE / "githubarchive_day_20240531.csv"
FIXTURES = (HOUR, BIGQUERY_JSON, BIGQUERY_CSV)
STARS = Path(__file__).resolve().parents[4] / "shared" / "data" / "github_stars_dev.csv"
TITLE = "GitHub events"

CLI, DOCS, HTTP = "octo-org/stellar-cli", "octo-org/stellar-docs", "mdeveloper/tiny-http"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
       tz: timezone = UTC) -> float:
    """Epoch seconds of a wall-clock time in ``tz``."""
    return datetime(year, month, day, hour, minute, second, tzinfo=tz).timestamp()


def rows(data) -> list[tuple]:
    """(actor, author, post id, kind, timestamp, post time, text) of every row, decoded."""
    frame = data.frame
    authors = [None if code < 0 else data.accounts[code] for code in frame["author"]]
    post_times = [None if np.isnan(t) else t for t in frame["post_time"]]
    texts = [None if pd.isna(t) else t for t in frame["text"]]
    return list(zip(data.accounts[frame["actor"]].tolist(), authors,
                    data.posts[frame["post"]].tolist(), frame["kind"].astype(str).tolist(),
                    frame["timestamp"].tolist(), post_times, texts, strict=True))


# -- GH Archive -------------------------------------------------------------------------------

EXPECTED_HOUR = {
    ("amelia-k", "octo-org", CLI, "star", at(2024, 5, 31, 16, 0, 4), None, None),
    ("bram-v", "octo-org", CLI, "star", at(2024, 5, 31, 16, 3, 41), None, None),
    ("chen-li", "octo-org", CLI, "fork", at(2024, 5, 31, 16, 5, 12), None, None),
    ("bram-v", "dana-r", f"{CLI}#42", "comment", at(2024, 5, 31, 16, 11, 30),
     at(2024, 5, 29, 10, 15), "Same here on v1.4.2."),
    ("dana-r", "mdeveloper", HTTP, "star", at(2024, 5, 31, 16, 20), None, None),
    # a comment on a pull request: its issue's number, author and creation
    ("amelia-k", "dana-r", f"{DOCS}#7", "comment", at(2024, 5, 31, 16, 24, 18),
     at(2024, 5, 31, 16, 14, 1), "LGTM :+1:"),
    ("erin-m", "mdeveloper", HTTP, "fork", at(2024, 5, 31, 16, 31, 45), None, None),
    # the author deleted their account: GitHub's placeholder "ghost" is no author
    ("chen-li", None, f"{HTTP}#118", "comment", at(2024, 5, 31, 16, 38, 9),
     at(2021, 2, 11, 7, 42), "Still happening in 0.9."),
    ("erin-m", "octo-org", CLI, "star", at(2024, 5, 31, 16, 42, 56), None, None),
    ("fatima-z", "octo-org", DOCS, "star", at(2024, 5, 31, 16, 59, 59), None, None),
}


def test_gh_archive_hour_gives_stars_forks_and_comments():
    data = pod_detect.load(HOUR)
    assert len(data.frame) == 10  # 14 events: two pushes, a pull request, a tag left out
    got = rows(data)
    assert set(got) == EXPECTED_HOUR
    assert sorted(data.accounts) == sorted(
        ["amelia-k", "bram-v", "chen-li", "dana-r", "erin-m", "fatima-z", "mdeveloper",
         "octo-org"])
    assert "ghost" not in set(data.accounts)
    assert sorted(data.posts) == sorted([CLI, DOCS, HTTP, f"{CLI}#42", f"{DOCS}#7",
                                         f"{HTTP}#118"])
    (note,) = data.notes
    assert note.startswith(f"read as {TITLE} (recognised from its fields)")
    assert ("14 records; engagements by kind: comment 3, fork 2, star 5; 4 records with no "
            "engagement") in note


def test_gh_archive_as_served_gzipped(tmp_path):
    served = tmp_path / "2024-05-31-16.json.gz"
    served.write_bytes(gzip.compress(HOUR.read_bytes()))
    assert set(rows(pod_detect.load(served))) == EXPECTED_HOUR


def test_the_platform_can_be_asked_for_and_a_container_reads_it_flat():
    asked = pod_detect.load(HOUR, fmt="github")
    assert set(rows(asked)) == EXPECTED_HOUR and "as --input-format asked" in asked.notes[0]
    with pytest.raises(InputError, match="missing required column 'author' or 'post_id'"):
        pod_detect.load(HOUR, fmt="jsonl")
    flat = pod_detect.load(HOUR, fmt="jsonl", mapping={
        "actor": "actor.login", "post_id": "repo.name", "timestamp": "created_at"})
    assert len(flat.frame) == 14 and not any(TITLE in n for n in flat.notes)  # every event


# -- BigQuery ---------------------------------------------------------------------------------

def test_bigquery_json_lines_with_payload_as_text():
    data = pod_detect.load(BIGQUERY_JSON)
    assert set(rows(data)) == {
        ("amelia-k", "octo-org", CLI, "star", at(2024, 5, 31, 16, 0, 4), None, None),
        ("chen-li", "octo-org", CLI, "fork", at(2024, 5, 31, 16, 5, 12), None, None),
        ("bram-v", "dana-r", f"{CLI}#42", "comment", at(2024, 5, 31, 16, 11, 30),
         at(2024, 5, 29, 10, 15), "Same here on v1.4.2."),
        ("amelia-k", "dana-r", f"{DOCS}#7", "comment", at(2024, 5, 31, 16, 24, 18),
         at(2024, 5, 31, 16, 14, 1), "LGTM :+1:"),
        ("erin-m", "octo-org", CLI, "star", at(2024, 5, 31, 16, 42, 56), None, None),
        ("fatima-z", "octo-org", DOCS, "star", at(2024, 5, 31, 16, 59, 59), None, None),
    }
    assert "8 records; engagements by kind: comment 2, fork 1, star 3; 2 records" in data.notes[0]


def test_bigquery_csv_of_four_columns_leaves_comments_out():
    data = pod_detect.load(BIGQUERY_CSV)
    assert set(rows(data)) == {
        ("amelia-k", "octo-org", CLI, "star", at(2024, 5, 31, 16, 0, 4), None, None),
        ("bram-v", "octo-org", CLI, "star", at(2024, 5, 31, 16, 3, 41), None, None),
        ("chen-li", "octo-org", CLI, "fork", at(2024, 5, 31, 16, 5, 12), None, None),
        ("dana-r", "mdeveloper", HTTP, "star", at(2024, 5, 31, 16, 20), None, None),
        ("erin-m", "mdeveloper", HTTP, "fork", at(2024, 5, 31, 16, 31, 45), None, None),
        ("erin-m", "octo-org", CLI, "star", at(2024, 5, 31, 16, 42, 56), None, None),
    }
    # a push, a tag and a comment (no payload column: which issue is not said) left out
    assert ("9 records; engagements by kind: fork 2, star 4; 3 records with no engagement "
            "left out") in (
        data.notes[0])


def test_an_hour_and_a_bigquery_day_read_as_one():
    data = pod_detect.load([HOUR, BIGQUERY_JSON])
    assert set(rows(data)) == EXPECTED_HOUR  # the day repeats six of the hour's engagements
    assert data.dropped["duplicate"] == 6


# -- recognition ------------------------------------------------------------------------------

@pytest.mark.skipif(not STARS.exists(), reason="../shared/data is not beside the checkout")
def test_a_canonical_export_of_github_stars_is_read_flat():
    found, flat = pod_detect.load(STARS), pod_detect.load(STARS, fmt="csv")
    assert not any(TITLE in note for note in found.notes)
    pd.testing.assert_frame_equal(found.frame, flat.frame)
    assert found.accounts.tolist() == flat.accounts.tolist()
    assert found.posts.tolist() == flat.posts.tolist()
    assert found.columns == flat.columns and found.notes == flat.notes


# -- hostile records --------------------------------------------------------------------------

GOOD = {"id": "1", "type": "WatchEvent", "actor": {"id": 1, "login": "a"},
        "repo": {"id": 2, "name": "o/r"}, "payload": {"action": "started"}, "public": True,
        "created_at": "2024-05-31T16:00:04Z"}
COMMENT = {**GOOD, "type": "IssueCommentEvent"}


@pytest.mark.parametrize(("bad", "column"), [
    ({**GOOD, "actor": ["a"]}, "actor.login"),
    ({**GOOD, "actor": {"login": ["a"]}}, "actor.login"),
    ({**GOOD, "repo": "o/r"}, "repo.name"),
    ({**GOOD, "repo": {"name": {"full": "o/r"}}}, "repo.name"),
    ({k: v for k, v in GOOD.items() if k != "created_at"}, "created_at"),
    ({**GOOD, "created_at": {"t": 1}}, "timestamp"),
    ({**COMMENT, "payload": [1]}, "payload.issue.number"),
    ({**COMMENT, "payload": "{not json"}, "payload"),
    ({**COMMENT, "payload": {"issue": {"number": {"n": 3}}}}, "payload.issue.number"),
    ({**COMMENT, "payload": {"issue": {"number": 3}, "comment": {"body": ["x"]}}},
     "payload.comment.body"),
    ({**COMMENT, "payload": {"issue": {"number": 3, "user": {"login": {"x": 1}}}}},
     "payload.issue.user.login"),
])
def test_a_bad_event_is_a_one_line_error(tmp_path, bad, column):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (*[GOOD] * 9, bad, GOOD)) + "\n")
    with pytest.raises(InputError) as caught:
        pod_detect.load(path)
    message = str(caught.value)
    assert "row 10" in message and f"column '{column}'" in message and "\n" not in message
    assert pod_detect.load(path, on_bad_rows="skip").dropped["bad_row"] == 1


def test_records_of_the_wrong_types_never_raise_anything_else():
    """Recognition and rows over odd records: False, rows or BadRecord, nothing else."""
    odd = [{}, {"type": 5}, {"type": ["WatchEvent"]}, {"type": "WatchEvent"},
           {"type": "WatchEvent", "actor": 1, "repo": 2}, {**COMMENT, "payload": None},
           {**COMMENT, "payload": "null"}, {**COMMENT, "payload": "[1, 2]"},
           {**COMMENT, "payload": "1" * 5000}, {**GOOD, "repo_name": ["x"], "repo": None}]
    odd_records_are_handled(gh, odd)


# -- a planted star farm ----------------------------------------------------------------------

def star_world(path: Path, seed: int = 5) -> tuple[list[str], list[str]]:
    """GH Archive WatchEvents over a month: 300 developers starring random repositories (of
    600, of 150 owners) at random times, three stars each on the farm's clients' repositories
    too; ten accounts starring the same 12 client repositories within five minutes of each
    other."""
    rng = np.random.default_rng(seed)
    start, span = at(2024, 5, 1), 30 * 86_400
    pool = [f"owner{i % 150}/project-{i}" for i in range(600)]
    developers = [f"dev{i}" for i in range(300)]
    farm = [f"starbot{i}" for i in range(10)]
    clients = [f"client{c}/app-{k}" for c in range(3) for k in range(4)]
    stars = [(who, pool[rng.integers(len(pool))], start + rng.uniform(0, span))
             for who in developers for _ in range(rng.poisson(8) + 1)]
    for repo in clients:
        starred = start + rng.uniform(0, span)
        stars += [(who, repo, starred + rng.uniform(0, 300)) for who in farm]
        stars += [(str(who), repo, start + rng.uniform(0, span))
                  for who in rng.choice(developers, size=3, replace=False)]
    stars.sort(key=lambda s: s[2])
    with path.open("w", encoding="utf-8") as handle:
        for n, (who, repo, when) in enumerate(stars):
            event = {"id": str(38_000_000_000 + n), "type": "WatchEvent",
                     "actor": {"id": 10_000 + n, "login": who, "display_login": who},
                     "repo": {"id": 700_000 + n, "name": repo},
                     "payload": {"action": "started"}, "public": True,
                     "created_at": datetime.fromtimestamp(when, UTC).strftime(
                         "%Y-%m-%dT%H:%M:%SZ")}
            handle.write(json.dumps(event) + "\n")
    return farm, developers


def test_a_planted_star_farm_is_found(tmp_path):
    path = tmp_path / "2024-05.jsonl"
    farm, developers = star_world(path)
    data = pod_detect.load(path)
    assert TITLE in data.notes[0]
    group = found_alone(pod_detect.scan(data), farm, developers)
    assert group.kind == "lockstep"  # the repositories' owners are known, and not members
