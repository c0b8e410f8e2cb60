"""Reddit dumps: Pushshift / Arctic Shift comments and submissions read by the adapter."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from conftest import HOUR, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.errors import InputError
from pod_detect.io.platforms import reddit, sample
from pod_detect.io.platforms.base import BadRecord

DATA = Path(__file__).resolve().parents[2] / "data" / "platforms" / "reddit"
COMMENTS = DATA / "RC_2023-02.jsonl"
SUBMISSIONS = DATA / "RS_2023-02.jsonl"


def decoded(data):
    """The frame's rows as (actor, author, post, kind, timestamp, post_time, text)."""
    out = []
    for row in data.frame.itertuples(index=False):
        out.append((
            data.accounts[row.actor], data.accounts[row.author] if row.author >= 0 else None,
            data.posts[row.post], str(row.kind), row.timestamp,
            None if np.isnan(row.post_time) else row.post_time,
            row.text if isinstance(row.text, str) else None))
    return out


def find(rows, actor, post, kind, text=None):
    found = [r for r in rows if r[0] == actor and r[2] == post and r[3] == kind
             and (text is None or r[6] == text)]
    assert len(found) == 1, found
    return found[0]


def records(path: Path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- mapping


def test_comments_give_comments_and_replies_with_their_parents_authors():
    data = pod_detect.load(COMMENTS)
    rows = decoded(data)
    assert len(rows) == 13
    assert sorted(data.accounts) == ["AutoModerator", "copperkettle", "fernwhistle",
                                     "mossy_ledger", "quietpine"]
    assert len({r[2] for r in rows}) == 10
    assert sum(r[3] == "comment" for r in rows) == 7 and sum(r[3] == "reply" for r in rows) == 6
    note = data.notes[0]
    assert "Reddit dumps" in note and "recognised" in note
    assert "2 records with no engagement left out" in note  # the two [deleted] comments
    assert data.dropped["self_engagement"] == 1  # quietpine answering their own comment
    assert data.dropped["post_record"] == 14

    # a top-level comment: the post is the submission's fullname, its author unknown here
    assert find(rows, "mossy_ledger", "t3_110swd4", "comment") == (
        "mossy_ledger", None, "t3_110swd4", "comment", 1676250300.0, None, "Clean cable work.")
    # a reply: the parent comment's author and time from that comment's own record
    assert find(rows, "quietpine", "t1_j8b1c2d", "reply") == (
        "quietpine", "mossy_ledger", "t1_j8b1c2d", "reply", 1676250420.0, 1676250300.0,
        "Thanks, took a whole weekend.")
    # created_utc given as a string (older dumps) reads the same
    assert find(rows, "fernwhistle", "t3_110w3cd", "comment")[4] == 1676253906.0
    assert find(rows, "copperkettle", "t1_j8bhf0f", "reply")[1:6] == (
        "fernwhistle", "t1_j8bhf0f", "reply", 1676254020.0, 1676253906.0)
    # AutoModerator is an account
    assert find(rows, "quietpine", "t1_j8b3h6j", "reply")[1] == "AutoModerator"
    # a reply to a [deleted] comment keeps an unknown author: no giant "[deleted]" account
    assert find(rows, "quietpine", "t1_j8b2a1b", "reply")[1] is None
    assert not any(r[0].startswith("[") or (r[1] or "").startswith("[") for r in rows)


def test_comments_and_submissions_read_together_join_the_submissions_authors():
    data = pod_detect.load([COMMENTS, SUBMISSIONS])
    rows = decoded(data)
    assert len(rows) == 12  # AutoModerator's comment on its own thread is self-engagement
    assert find(rows, "mossy_ledger", "t3_110swd4", "comment") == (
        "mossy_ledger", "quietpine", "t3_110swd4", "comment", 1676250300.0, 1676250000.0,
        "Clean cable work.")
    # the submission's created_utc was a string: its post time reads the same
    assert find(rows, "fernwhistle", "t3_110w3cd", "comment")[1:6] == (
        "copperkettle", "t3_110w3cd", "comment", 1676253906.0, 1676252400.0)
    # a submission by [deleted], and one outside the files: author unknown
    assert find(rows, "copperkettle", "t3_110u8zr", "comment")[1] is None
    assert find(rows, "quietpine", "t3_10zq9vw", "comment")[1] is None
    assert any("RS_2023-02.jsonl" in n and "Reddit dumps" in n for n in data.notes)


def test_input_format_forces_it_and_a_container_format_reads_flat():
    forced = pod_detect.load(COMMENTS, fmt="reddit")
    assert len(forced.frame) == 13 and "as --input-format asked" in forced.notes[0]
    with pytest.raises(InputError, match="missing required column 'actor'"):
        pod_detect.load(COMMENTS, fmt="jsonl")
    flat = pod_detect.load(COMMENTS, fmt="jsonl", mapping={
        "actor": "author", "post_id": "parent_id", "timestamp": "created_utc"})
    assert not any("Reddit" in n for n in flat.notes)
    assert "[deleted]" in set(flat.accounts)  # what the adapter is for


def test_a_zstandard_dump_is_read_as_it_is(tmp_path):
    path = tmp_path / "RC_2023-02.zst"
    with pa.output_stream(str(path), compression="zstd") as out:
        out.write(COMMENTS.read_bytes())
    assert decoded(pod_detect.load(path)) == decoded(pod_detect.load(COMMENTS))


def test_a_csv_export_with_the_dump_fields_is_read_too(tmp_path):
    fields = ["id", "author", "body", "created_utc", "parent_id", "link_id", "subreddit"]
    lines = [",".join(fields)]
    for record in records(COMMENTS):
        lines.append(",".join(json.dumps(str(record.get(f, ""))) for f in fields))
    path = tmp_path / "comments.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = pod_detect.load(path)
    assert "Reddit dumps" in data.notes[0]
    assert sorted(decoded(data), key=str) == sorted(decoded(pod_detect.load(COMMENTS)), key=str)


# --------------------------------------------------------------------------- recognition


def test_other_shapes_are_not_reddit():
    """(every fixture against every platform: test_recognition.py)"""
    flat = [{"actor": "a", "author": "b", "post_id": "p1", "kind": "comment",
             "timestamp": "1676250300", "text": "hi"}] * 5
    for container in ("csv", "jsonl", "parquet"):
        assert not reddit.recognise(sample(container, flat))
    # a Reddit API listing page is not a dump (its things are under data.children)
    assert not reddit.recognise(sample("json", [{"kind": "Listing", "data": {"children": []}}]))


# --------------------------------------------------------------------------- hostile input

HOSTILE = [None, [], ["x"], {}, {"a": 1}, 5, 2.5, True, "", "[deleted]", "t2_x", 10**30]


def _replaced(record, key, new):
    out = copy.deepcopy(record)
    if new is _replaced:
        del out[key]
    else:
        out[key] = new
    return out


@pytest.mark.parametrize("path", [COMMENTS, SUBMISSIONS], ids=lambda p: p.name)
def test_wrong_types_anywhere_are_bad_records_or_left_out(path):
    for record in records(path):
        for key in record:
            for new in [*HOSTILE, _replaced]:
                try:
                    made = list(reddit.rows(_replaced(record, key, new)))
                except BadRecord as exc:
                    assert exc.message and "\n" not in exc.message and exc.path == key
                    continue
                for row in made:
                    assert all(v is None or isinstance(v, str)
                               for v in (row.actor, row.post_id, row.author, row.text))
                    assert row.actor not in (None, "[deleted]", "[removed]")
                    assert isinstance(row.timestamp, (str, int, float))
                    assert not isinstance(row.timestamp, bool)


@pytest.mark.parametrize(("change", "column"), [
    ({"author": ["quietpine"]}, "author"),
    ({"created_utc": {"$date": 1676250300}}, "created_utc"),
    ({"created_utc": None}, "created_utc"),
    ({"parent_id": "j8b1c2d"}, "parent_id"),
    ({"parent_id": "t5_2ub3q"}, "parent_id"),
    ({"id": None}, "id"),
    ({"body": {"text": "x"}}, "body"),
])
def test_a_bad_record_is_an_error_naming_its_row_and_field(tmp_path, change, column):
    lines = records(COMMENTS)
    lines[3] = {**lines[3], **change}
    if change.get("id", 0) is None:
        del lines[3]["name"]
    path = tmp_path / "RC.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        pod_detect.load(path)
    assert caught.value.row == 4 and caught.value.column == column
    assert "Reddit dumps" in str(caught.value) and "\n" not in str(caught.value)


def test_deleted_removed_and_empty_authors_are_not_one_account(tmp_path):
    lines = [{"id": f"c{i}", "author": author, "body": "x", "created_utc": 1676250000 + i,
              "parent_id": "t3_s1", "link_id": "t3_s1", "subreddit": "homelab"}
             for i, author in enumerate(["[deleted]", "[removed]", "", None, "real_one"] * 4)]
    lines.append({"id": "s1", "author": "op", "title": "t", "selftext": "", "subreddit":
                  "homelab", "created_utc": 1676249000})
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    data = pod_detect.load(path)
    assert sorted(data.accounts) == ["op", "real_one"]
    assert "16 records with no engagement left out" in data.notes[0]


# --------------------------------------------------------------------------- end to end

POD = [f"pod{i}" for i in range(7)]
START = 1_714_521_600  # 2024-05-01T00:00:00Z


def write_zst(path: Path, items: list[dict]) -> Path:
    with pa.output_stream(str(path), compression="zstd") as out:
        out.write("".join(json.dumps(r) + "\n" for r in items).encode("utf-8"))
    return path


def reddit_world(tmp_path: Path) -> list[Path]:
    """A pod commenting on each other's submissions within minutes, over 300 organic
    accounts commenting hours later, written as RC_/RS_ monthly dumps."""
    rows = (organic(n_accounts=300, seed=21) + round_rows(POD, 6, fast, seed=22)
            + outside_rows(POD, n_accounts=300, seed=23))
    ids: dict[str, str] = {}
    submissions, comments = {}, []
    for number, (actor, author, post, when, post_time) in enumerate(rows):
        sid = ids.setdefault(post, np.base_repr(36**6 + len(ids), 36).lower())
        submissions[sid] = {"id": sid, "name": f"t3_{sid}", "author": author,
                            "title": f"post {post}", "selftext": "", "subreddit": "homelab",
                            "created_utc": START + int(post_time), "num_comments": 0}
        cid = np.base_repr(36**6 * 2 + number, 36).lower()
        comments.append({"id": cid, "name": f"t1_{cid}", "author": actor, "body": "nice",
                         "created_utc": START + int(when), "parent_id": f"t3_{sid}",
                         "link_id": f"t3_{sid}", "subreddit": "homelab", "score": 1})
    # some [deleted] comments everywhere: never an account, never a member
    for k in range(0, len(comments), 7):
        comments.append({**comments[k], "id": f"{comments[k]['id']}d", "author": "[deleted]",
                         "body": "[deleted]"})
    comments.sort(key=lambda r: r["created_utc"])
    return [write_zst(tmp_path / "RC_2024-05.zst", comments),
            write_zst(tmp_path / "RS_2024-05.zst", sorted(submissions.values(),
                                                           key=lambda r: r["created_utc"]))]


def test_a_planted_pod_in_reddit_dumps_is_found(tmp_path):
    data = pod_detect.load(reddit_world(tmp_path))
    assert any("Reddit dumps" in n for n in data.notes)
    assert len(data.accounts) > 300 and "[deleted]" not in set(data.accounts)
    assert (data.frame["author"] >= 0).all()
    assert (data.frame["timestamp"] - data.frame["post_time"]).min() >= 0
    assert (data.frame["timestamp"] - data.frame["post_time"]).median() < 24 * HOUR
    report = pod_detect.scan(data)
    flagged = [g for g in report.groups if g.severity in ("medium", "high")]
    assert any({report.account_name(m) for m in g.members} == set(POD) for g in flagged)
    members = {report.account_name(m) for g in report.groups for m in g.members}
    assert members <= set(POD)
