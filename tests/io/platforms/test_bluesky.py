"""Bluesky records: Jetstream events and listRecords/repo records read by the adapter."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import DAY, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.errors import InputError
from pod_detect.io.platforms import bluesky, sample
from pod_detect.io.platforms.base import BadRecord

DATA = Path(__file__).resolve().parents[2] / "data" / "platforms" / "bluesky"
JETSTREAM = DATA / "jetstream.jsonl"
PAGE = DATA / "listRecords-likes.json"
REPO = DATA / "repo-records.jsonl"

A = "did:plc:a7qbzq4ixkzunhvjsyvqyqhn"
B = "did:plc:b2k5xjm6lwq3yfz7hcnrtp4d"
C = "did:plc:c4mzt2o5huvkq7xwpe3lsgaj"
D = "did:plc:d6rfw3nqy2eolbzj7kx5tmvi"
E = "did:web:bsky.example.org"
PA1 = f"at://{A}/app.bsky.feed.post/3l3pte3p2e325"
PB1 = f"at://{B}/app.bsky.feed.post/3l3ptf7qk2c2a"
PD1 = f"at://{D}/app.bsky.feed.post/3l3pto2ykxk2n"
PA2 = f"at://{A}/app.bsky.feed.post/3l3ptp5bw3s2x"
CAROL = "at://carol.example.com/app.bsky.feed.post/3l3pq6jzdnc2f"


def epoch(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
          micro: int = 0) -> float:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC).timestamp()


def decoded(data):
    """The frame's rows as (actor, author, post, kind, timestamp, post_time, text)."""
    frame = data.frame
    out = []
    for row in frame.itertuples(index=False):
        out.append((
            data.accounts[row.actor], data.accounts[row.author] if row.author >= 0 else None,
            data.posts[row.post], str(row.kind), row.timestamp,
            None if np.isnan(row.post_time) else row.post_time,
            None if not isinstance(row.text, str) else row.text))
    return out


def find(rows, actor, post, kind):
    found = [r for r in rows if r[0] == actor and r[2] == post and r[3] == kind]
    assert len(found) == 1, found
    return found[0]


def records(path: Path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        document = json.loads(text)
        return document if isinstance(document, list) else [document]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------- mapping


def test_jetstream_events_give_the_documented_rows():
    data = pod_detect.load(JETSTREAM)
    rows = decoded(data)
    assert len(rows) == 12
    assert sorted({r[3] for r in rows}) == ["like", "quote", "reply", "repost"]
    assert sorted(data.accounts) == sorted([A, B, C, D, E, "carol.example.com"])
    assert {r[2] for r in rows} == {PA1, PB1, PD1, CAROL}
    assert data.dropped["post_record"] == 8
    assert any("Bluesky records" in n and "recognised" in n for n in data.notes)

    # a like: the liker is the event's did, the author the DID in the subject's AT URI, the
    # time its createdAt, the post time the liked post's own createdAt (from its post record)
    assert find(rows, B, PA1, "like") == (
        B, A, PA1, "like", epoch(2024, 9, 9, 19, 46, 2, 102000), epoch(2024, 9, 9, 19, 40),
        None)
    assert find(rows, C, PB1, "repost")[1:5] == (B, PB1, "repost", epoch(2024, 9, 9, 19, 47))
    # a reply engages reply.parent (D's reply), not the thread's root (A's post)
    assert find(rows, A, PD1, "reply") == (
        A, D, PD1, "reply", epoch(2024, 9, 9, 19, 49, 34, 870000),
        epoch(2024, 9, 9, 19, 48, 12, 345000), "Thanks! Glad it helped")
    # quotes: app.bsky.embed.record and recordWithMedia
    assert find(rows, C, PB1, "quote")[1:] == (
        B, PB1, "quote", epoch(2024, 9, 9, 19, 50, 1), epoch(2024, 9, 9, 19, 41, 10, 250000),
        "This is the one to read")
    assert find(rows, B, PA1, "quote")[1:4] == (A, PA1, "quote")
    # one post that replies to B and quotes A gives both
    both = [r for r in rows if r[0] == D and r[6] == "Both of these, together"]
    assert sorted((r[2], r[3]) for r in both) == [(PA1, "quote"), (PB1, "reply")]
    # a URI naming a handle keeps the handle as the author
    assert find(rows, A, CAROL, "like")[1] == "carol.example.com"
    # no createdAt: Jetstream's time_us (epoch microseconds) instead
    assert find(rows, B, PD1, "like")[4] == pytest.approx(1725911641.25, abs=1e-6)
    assert find(rows, E, PB1, "like")[4] == pytest.approx(epoch(2024, 9, 9, 20, 0, 0, 640000))
    # left out: identity, account, delete, follow, profile update, quote of a feed generator
    assert "5 records with no engagement left out" in data.notes[0]
    assert not any(r[0] == C and r[3] == "quote" and r[2] != PB1 for r in rows)


def test_a_listrecords_page_is_one_record_of_many_likes():
    data = pod_detect.load(PAGE)
    rows = decoded(data)
    assert len(rows) == 6 and {r[0] for r in rows} == {C} and {r[3] for r in rows} == {"like"}
    assert len(data.accounts) == 4  # C and the three authors liked
    assert find(rows, C, PA2, "like")[1:5] == (A, PA2, "like", epoch(2024, 9, 9, 20, 21))
    assert find(rows, C, PA1, "like")[4] == epoch(2024, 9, 9, 19, 46, 30, 500000)
    note = data.notes[0]
    assert "Bluesky records" in note and "1 record; engagements by kind: like 6" in note


def test_repo_records_one_a_line():
    data = pod_detect.load(REPO)
    rows = decoded(data)
    assert sorted((r[0], r[1], r[2], r[3]) for r in rows) == sorted([
        (D, A, PA1, "reply"), (D, A, PA2, "like"), (D, B, PB1, "repost")])
    assert find(rows, D, PA1, "reply")[6] == "Totally agree with this"
    assert data.dropped["post_record"] == 2
    assert "2 records with no engagement left out" in data.notes[0]  # profile, follow


def test_the_same_like_from_jetstream_and_from_a_repository_is_one_row():
    data = pod_detect.load([JETSTREAM, PAGE])
    rows = decoded(data)
    assert len([r for r in rows if r[0] == C and r[2] == PA1 and r[3] == "like"]) == 1
    # the page's likes of D's reply and A's reply get their post times from Jetstream's posts
    assert find(rows, C, PA2, "like")[5] == epoch(2024, 9, 9, 19, 49, 34, 870000)


def test_input_format_forces_it_and_a_container_format_reads_flat():
    forced = pod_detect.load(JETSTREAM, fmt="bluesky")
    assert len(forced.frame) == 12 and "as --input-format asked" in forced.notes[0]
    with pytest.raises(InputError, match="missing required column"):
        pod_detect.load(JETSTREAM, fmt="jsonl")  # flat: did, time_us, kind, commit
    flat = pod_detect.load(JETSTREAM, fmt="jsonl", on_bad_rows="skip",
                           mapping={"actor": "did", "post_id": "commit.record.subject.uri"})
    assert not any("Bluesky" in n for n in flat.notes)
    with pytest.raises(InputError):
        pod_detect.load(PAGE, fmt="json")  # one object: not a table without the adapter


# --------------------------------------------------------------------------- recognition


def test_other_shapes_are_not_bluesky():
    """(every fixture against every platform: test_recognition.py)"""
    flat = [{"actor": "a", "author": "b", "post_id": "p1", "kind": "like",
             "timestamp": "2024-09-09T19:46:02Z"}] * 5
    assert not bluesky.recognise(sample("csv", flat))
    assert not bluesky.recognise(sample("jsonl", flat))
    # other AT Protocol shapes: a bare record, a Jetstream event of another service
    assert not bluesky.recognise(sample("jsonl", [{"$type": "app.bsky.feed.like",
                                                   "createdAt": "2024-09-09T19:46:02Z"}]))
    assert not bluesky.recognise(sample("json", [{"records": []}]))
    assert not bluesky.recognise(sample("jsonl", [{"did": "x", "time_us": 1, "kind": "commit"}]))


# --------------------------------------------------------------------------- hostile input

HOSTILE = [None, [], ["x"], {}, {"uri": 1}, 5, 2.5, True, "", "not an uri", 10**30, -1]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _paths(item, (*prefix, number))


def _replaced(record, path, new):
    out = copy.deepcopy(record)
    target = out
    for step in path[:-1]:
        target = target[step]
    if new is _replaced:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return out


@pytest.mark.parametrize("path", [JETSTREAM, PAGE, REPO], ids=lambda p: p.name)
def test_wrong_types_anywhere_are_bad_records_or_left_out(path):
    for record in records(path):
        for where in list(_paths(record))[1:]:
            for new in [*HOSTILE, _replaced]:
                try:
                    made = list(bluesky.rows(_replaced(record, where, new)))
                except BadRecord as exc:
                    assert exc.message and "\n" not in exc.message
                    continue
                for row in made:
                    assert all(v is None or isinstance(v, str)
                               for v in (row.actor, row.post_id, row.author, row.text))
                    assert isinstance(row.timestamp, (str, int, float))
                    assert not isinstance(row.timestamp, bool)


@pytest.mark.parametrize(("line", "column"), [
    ({"did": A, "time_us": 1725911162329308, "kind": "commit", "commit": ["x"]}, "commit"),
    ({"did": A, "time_us": 1725911162329308, "kind": "commit",
      "commit": {"operation": "create", "collection": "app.bsky.feed.like", "rkey": "3l3q",
                 "record": {"createdAt": "2024-09-09T19:46:02Z", "subject": {"uri": ["x"]}}}},
     "commit.record.subject.uri"),
    ({"did": A, "time_us": 1725911162329308, "kind": "commit",
      "commit": {"operation": "create", "collection": "app.bsky.feed.like", "rkey": "3l3q",
                 "record": {"createdAt": {"at": 1}, "subject": {"uri": PA1}}}},
     "commit.record.createdAt"),
    ({"did": A, "time_us": "soon", "kind": "commit",
      "commit": {"operation": "create", "collection": "app.bsky.feed.repost", "rkey": "3l3q",
                 "record": {"subject": {"uri": PA1}}}}, "time_us"),
    ({"did": A, "time_us": 1725911162329308, "kind": "commit",
      "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "3l3q",
                 "record": {"text": "hi", "createdAt": "2024-09-09T19:46:02Z",
                            "reply": {"root": 5, "parent": 5}}}}, "commit.record.reply.parent.uri"),
    ({"did": A, "time_us": 1725911162329308, "kind": "commit",
      "commit": {"operation": "create", "collection": "app.bsky.feed.like", "rkey": "3l3q",
                 "record": {"createdAt": "2024-09-09T19:46:02Z",
                            "subject": {"uri": "https://bsky.app/profile/x/post/3l3q"}}}},
     "commit.record.subject.uri"),
])
def test_a_bad_record_is_an_error_naming_its_row_and_field(tmp_path, line, column):
    good = JETSTREAM.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([*good[:5], json.dumps(line), *good[5:]]) + "\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        pod_detect.load(path)
    assert caught.value.row == 6 and caught.value.column == column
    assert "\n" not in str(caught.value) and "Bluesky records" in str(caught.value)
    skipped = pod_detect.load(path, on_bad_rows="skip")
    assert len(skipped.frame) == 12 and skipped.dropped["bad_row"] == 1


def test_a_bad_item_of_a_page_names_its_path(tmp_path):
    page = json.loads(PAGE.read_text(encoding="utf-8"))
    page["records"][2]["value"]["subject"] = "at://x"
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        pod_detect.load(path)
    assert caught.value.column == "records.2.value.subject.uri"


# --------------------------------------------------------------------------- end to end

POD = [f"pod{i}" for i in range(7)]
START = datetime(2024, 9, 1, tzinfo=UTC).timestamp()
B32 = "234567abcdefghijklmnopqrstuvwxyz"


def did(name: str) -> str:
    return f"did:plc:{name.replace('-', '').ljust(24, 'x')[:24]}"


def tid(number: int) -> str:
    """A 13-character record key in the TID alphabet (sortable base32)."""
    digits = []
    for _ in range(13):
        number, rest = divmod(number, 32)
        digits.append(B32[rest])
    return "3" + "".join(reversed(digits))[1:]


def iso(seconds: float) -> str:
    moment = datetime.fromtimestamp(START + seconds, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def jetstream_world(tmp_path: Path) -> Path:
    """Planted rows (a pod liking and reposting each other's posts within minutes, over an
    organic background of 300 accounts) written as Jetstream events."""
    rows = (organic(n_accounts=300, seed=11) + round_rows(POD, 6, fast, seed=12)
            + outside_rows(POD, n_accounts=300, seed=13))
    keys: dict[str, str] = {}
    posts: dict[str, tuple[str, float]] = {}
    events: list[dict[str, Any]] = []
    for number, (actor, author, post, when, post_time) in enumerate(rows):
        key = keys.setdefault(post, tid(10**12 + len(keys)))
        posts[post] = (author, post_time)
        collection = "app.bsky.feed.like" if number % 3 else "app.bsky.feed.repost"
        uri = f"at://{did(author)}/app.bsky.feed.post/{key}"
        events.append({"did": did(actor), "time_us": int((START + when) * 1e6) + 350_000,
                       "kind": "commit", "commit": {
                           "rev": tid(2 * 10**12 + number), "operation": "create",
                           "collection": collection, "rkey": tid(3 * 10**12 + number),
                           "record": {"$type": collection, "createdAt": iso(when),
                                      "subject": {"uri": uri, "cid": "bafyreiabc"}},
                           "cid": "bafyreidef"}})
    for post, (author, post_time) in posts.items():
        events.append({"did": did(author), "time_us": int((START + post_time) * 1e6),
                       "kind": "commit", "commit": {
                           "rev": tid(4 * 10**12), "operation": "create",
                           "collection": "app.bsky.feed.post", "rkey": keys[post],
                           "record": {"$type": "app.bsky.feed.post", "text": f"post {post}",
                                      "createdAt": iso(post_time), "langs": ["en"]},
                           "cid": "bafyreighi"}})
    events.sort(key=lambda e: e["time_us"])
    path = tmp_path / "jetstream.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def test_a_planted_pod_in_jetstream_events_is_found(tmp_path):
    data = pod_detect.load(jetstream_world(tmp_path))
    assert "Bluesky records" in data.notes[0]
    assert len(data.accounts) > 300
    assert data.frame["timestamp"].max() - data.frame["timestamp"].min() > 10 * DAY
    report = pod_detect.scan(data)
    pod = {did(m) for m in POD}
    flagged = [g for g in report.groups if g.severity in ("medium", "high")]
    assert any({report.account_name(m) for m in g.members} == pod for g in flagged)
    members = {report.account_name(m) for g in report.groups for m in g.members}
    assert members <= pod
