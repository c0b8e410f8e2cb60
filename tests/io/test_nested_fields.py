"""``--map`` with dotted paths into nested JSON objects and Parquet structs, and the message
that lists the nested paths there are."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pod_detect.errors import InputError
from pod_detect.io import load

EVENTS = [
    {"did": f"did:plc:{a}", "time_us": 1_772_323_200_000_000 + i,
     "commit": {"collection": "app.bsky.feed.like",
                "record": {"createdAt": f"2026-03-01T00:00:0{i}Z",
                           "subject": {"uri": f"at://did:plc:{b}/app.bsky.feed.post/p{i % 2}"}}}}
    for i, (a, b) in enumerate([("a", "x"), ("b", "x"), ("c", "y")])
]
MAPPING = {"actor": "did", "post_id": "commit.record.subject.uri",
           "timestamp": "commit.record.createdAt", "kind": "commit.collection"}


def _check(data) -> None:
    frame = data.frame
    assert list(data.accounts[frame["actor"]]) == ["did:plc:a", "did:plc:b", "did:plc:c"]
    assert list(data.posts[frame["post"]]) == [
        "at://did:plc:x/app.bsky.feed.post/p0", "at://did:plc:x/app.bsky.feed.post/p1",
        "at://did:plc:y/app.bsky.feed.post/p0"]
    assert frame["timestamp"].tolist() == [1_772_323_200.0, 1_772_323_201.0, 1_772_323_202.0]
    assert set(frame["kind"].astype(str)) == {"app.bsky.feed.like"}


def test_dotted_paths_into_json_lines_structs(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in EVENTS))
    _check(load(path, mapping=MAPPING))


def test_dotted_paths_into_python_read_json(tmp_path):
    # a JSON array is read by Python: the nested values are dicts in the cells
    path = tmp_path / "events.json"
    path.write_text(json.dumps(EVENTS))
    _check(load(path, mapping=MAPPING))


def test_dotted_paths_into_parquet_structs(tmp_path):
    path = tmp_path / "events.parquet"
    pq.write_table(pa.Table.from_pylist(EVENTS), path)
    _check(load(path, mapping=MAPPING))


@pytest.mark.parametrize("suffix", ["jsonl", "json", "parquet"])
def test_a_path_that_is_not_there_lists_the_nested_ones(tmp_path, suffix):
    path = tmp_path / f"events.{suffix}"
    if suffix == "parquet":
        pq.write_table(pa.Table.from_pylist(EVENTS), path)
    else:
        path.write_text(json.dumps(EVENTS) if suffix == "json"
                        else "".join(json.dumps(e) + "\n" for e in EVENTS))
    with pytest.raises(InputError) as caught:
        load(path, mapping={**MAPPING, "post_id": "commit.record.subject.url"})
    message = str(caught.value)
    assert "--map post_id=commit.record.subject.url: no such column" in message
    assert "nested fields: commit.collection, commit.record.createdAt, " \
           "commit.record.subject.uri" in message


def test_a_nested_object_named_whole_is_still_not_an_id(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in EVENTS))
    with pytest.raises(InputError, match="holds an object, not an id"):
        load(path, mapping={"actor": "did", "post_id": "commit.record.subject"})
