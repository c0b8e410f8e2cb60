"""Which reader reads a file: a platform recognised from its records, the one
``--input-format`` names, or a flat table (a container format named, or a ``--map`` given)."""

from __future__ import annotations

import json

import pytest

from pod_detect.errors import InputError
from pod_detect.io import PLATFORMS, load
from pod_detect.io.platforms import sample
from pod_detect.io.platforms.base import BadRecord, get, need, text

STAR = {"id": "1", "type": "WatchEvent", "actor": {"id": 1, "login": "alice"},
        "repo": {"id": 9, "name": "bob/tool"}, "payload": {"action": "started"},
        "public": True, "created_at": "2024-05-31T16:42:56Z"}


def _events(tmp_path, records, name="events.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_recognised_without_a_flag_and_said_in_the_notes(tmp_path):
    data = load(_events(tmp_path, [STAR]))
    assert data.notes[0].startswith("read as GitHub events (recognised from its fields): "
                                    "1 record; engagements by kind: star 1")
    assert list(data.accounts) == ["alice", "bob"] and list(data.posts) == ["bob/tool"]


def test_a_container_format_or_a_map_reads_it_flat(tmp_path):
    path = _events(tmp_path, [STAR])
    with pytest.raises(InputError, match="missing required column 'author' or 'post_id'"):
        load(path, fmt="jsonl")  # flat: no column is a post
    data = load(path, mapping={"actor": "actor.login", "post_id": "repo.name"})
    assert not any(n.startswith("read as") for n in data.notes)
    assert list(data.accounts) == ["alice"]


def test_input_format_names_a_platform(tmp_path):
    path = _events(tmp_path, [STAR], name="events.txt")
    data = load(path, fmt="github")
    assert "as --input-format asked" in data.notes[0]
    with pytest.raises(InputError, match="X API v2"):
        load(path, fmt="x")
    with pytest.raises(InputError, match=r"unknown input format 'myspace' \(choose from csv, "
                                         r"tsv, json, jsonl, parquet, or a platform: x, "):
        load(path, fmt="myspace")


def test_a_flat_export_is_recognised_by_no_platform():
    flat = [{"actor": "a", "author": "b", "post_id": "p", "kind": "like",
             "timestamp": "2026-03-01T00:00:00Z"}]
    for container in ("csv", "json", "jsonl", "parquet"):
        found = sample(container, flat)
        assert [p.name for p in PLATFORMS.values() if p.recognise(found)] == []


def test_a_bad_record_names_its_row_and_field(tmp_path):
    broken = {**STAR, "actor": {"id": 2}}
    path = _events(tmp_path, [STAR | {"id": str(i)} for i in range(9)] + [broken])
    with pytest.raises(InputError) as caught:
        load(path)
    error = caught.value
    assert (error.row, error.column) == (10, "actor.login")
    assert "GitHub events: the record has no actor.login" in str(error)
    data = load(path, on_bad_rows="skip")
    assert data.dropped["bad_row"] == 1


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, True])
def test_a_value_that_is_not_one_is_a_bad_record(value):
    with pytest.raises(BadRecord, match="not a value"):
        text(value, "x.y")


def test_paths_through_nested_records():
    record = {"a": {"b": {"c": 7}}, "a.b": "flat", "n": None}
    assert get(record, "a.b.c") == 7 and get(record, "a.b") == "flat"
    assert get(record, "a.x.c", "none") == "none" and get(record, "n", 0) == 0
    assert text(12345678901234567890) == "12345678901234567890" and text(3.0) == "3"
    with pytest.raises(BadRecord, match="has no a.x"):
        need(record, "a.x")
