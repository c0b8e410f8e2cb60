"""Several exports read as one by the pandas engine: the same table as one file of all
their rows, whatever the split and the order, and what only several files together say
(a post's author in another file, post records) settled across them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pod_detect
from pod_detect.errors import InputError
from pod_detect.io import load, load_all, write_table
from pod_detect.report import to_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _split(frame: pd.DataFrame, folder: Path, parts: int, fmt: str, seed: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    order = np.random.default_rng(seed).permutation(len(frame))
    paths = []
    for i, rows in enumerate(np.array_split(order, parts)):
        path = folder / f"part{i}.{fmt}"
        write_table(frame.iloc[np.sort(rows)].reset_index(drop=True), path)
        paths.append(path)
    return paths


def _decoded(data: pod_detect.Interactions) -> pd.DataFrame:
    """The rows by their ids, without the line (the one column the split changes)."""
    frame = data.frame
    return pd.DataFrame({
        "actor": data.accounts[frame["actor"]],
        "author": np.append(data.accounts, None)[frame["author"]],
        "post": np.append(data.posts, None)[frame["post"]],
        "kind": frame["kind"].astype(str), "timestamp": frame["timestamp"],
        "post_time": frame["post_time"], "text": frame["text"].astype(object),
    })


@pytest.mark.parametrize(("example", "fmt", "parts"), [
    ("linkedin_pods.csv", "csv", 3), ("no_timestamps.csv", "jsonl", 2),
    ("clean.csv", "parquet", 4)])
def test_an_export_split_over_files_reads_and_scans_as_the_whole(tmp_path, example, fmt, parts):
    frame = pd.read_csv(EXAMPLES / example, dtype=str, keep_default_na=False)
    paths = _split(frame, tmp_path, parts, fmt, seed=parts)
    whole = load(EXAMPLES / example)
    split = load([str(p) for p in reversed(paths)])  # any order
    pd.testing.assert_frame_equal(_decoded(split), _decoded(whole))
    assert list(split.accounts) == list(whole.accounts) and list(split.posts) == list(whole.posts)
    assert split.rows_read == whole.rows_read and split.columns == whole.columns
    expected = to_dict(pod_detect.scan(whole))
    got = to_dict(pod_detect.scan(split))
    for document in (expected, got):
        document["input"].pop("source")
    assert json.dumps(got["pods"], sort_keys=True) == json.dumps(expected["pods"], sort_keys=True)


def test_a_directory_and_a_glob_name_the_same_files(tmp_path):
    frame = pd.read_csv(EXAMPLES / "clean.csv", dtype=str, keep_default_na=False)
    _split(frame, tmp_path / "d", 2, "csv", seed=1)
    by_dir, by_glob = load_all(str(tmp_path / "d")), load_all(str(tmp_path / "d" / "*.csv"))
    pd.testing.assert_frame_equal(by_dir.frame, by_glob.frame)
    with pytest.raises(InputError, match="matches no file"):
        load_all(str(tmp_path / "d" / "*.tsv"))


def test_a_post_author_and_post_time_from_another_file(tmp_path):
    (tmp_path / "likes.csv").write_text(
        "actor,post_id,kind,timestamp\n"
        "a,p1,like,2026-03-01T10:05:00Z\n"
        "b,p1,like,2026-03-01T10:06:00Z\n"
        "c,p2,like,2026-03-01T11:00:00Z\n")
    (tmp_path / "posts.csv").write_text(
        "actor,author,post_id,kind,timestamp\n"
        "w,w,p1,post,2026-03-01T10:00:00Z\n")
    data = load([str(tmp_path / "likes.csv"), str(tmp_path / "posts.csv")])
    rows = _decoded(data)
    assert len(rows) == 3
    on_p1 = rows[rows["post"] == "p1"]
    assert on_p1["author"].tolist() == ["w", "w"]
    assert on_p1["post_time"].tolist() == [pd.Timestamp("2026-03-01T10:00:00Z").timestamp()] * 2
    assert rows[rows["post"] == "p2"]["author"].isna().all()  # no record: not known
    assert data.dropped["post_record"] == 1 and "post" not in rows["kind"].tolist()
    assert "author filled in for 2 rows from other rows of the same post" in data.notes
    assert "post_time" in data.columns


def test_two_files_that_give_a_post_two_authors_is_an_error(tmp_path):
    (tmp_path / "a.csv").write_text("actor,author,post_id\nx,w,p1\n")
    (tmp_path / "b.csv").write_text("actor,author,post_id\ny,v,p1\n")
    with pytest.raises(InputError, match="post 'p1' has two authors in different files: "
                                         "'v' and 'w'"):
        load([str(tmp_path / "a.csv"), str(tmp_path / "b.csv")])


def test_duplicates_across_files_are_dropped_and_notes_name_their_file(tmp_path):
    (tmp_path / "a.csv").write_text("liker,author,post_id\nx,w,p1\ny,w,p1\n")
    (tmp_path / "b.csv").write_text("actor,author,post_id\nx,w,p1\n")
    data = load([str(tmp_path / "a.csv"), str(tmp_path / "b.csv")])
    assert len(data.frame) == 2 and data.dropped["duplicate"] == 1
    assert f"{tmp_path / 'a.csv'}: column 'liker' read as actor" in data.notes


def test_the_first_bad_file_is_named(tmp_path):
    (tmp_path / "a.csv").write_text("actor,author,post_id\nx,w,p1\n")
    (tmp_path / "b.csv").write_text("actor,author,post_id,timestamp\nx,w,p1,yesterday\n")
    with pytest.raises(InputError) as caught:
        load([str(tmp_path / "a.csv"), str(tmp_path / "b.csv")])
    assert caught.value.source == str(tmp_path / "b.csv") and caught.value.row == 1


def test_standard_input_once_among_files(tmp_path):
    (tmp_path / "a.csv").write_text("actor,author,post_id\nx,w,p1\n")
    import io

    data = load(["-", str(tmp_path / "a.csv")], stdin=io.BytesIO(b"actor,author,post_id\ny,w,p1\n"))
    assert sorted(data.accounts) == ["w", "x", "y"]
    with pytest.raises(InputError, match="only once"):
        load(["-", "-"], stdin=io.BytesIO(b""))


#: Two exports whose notes say every kind of thing: an alias, epoch times, a bad row, authors
#: filled in within the file and from the other file.
NOTED = {
    "a.csv": "liker,author,post_id,timestamp\nx,w,p1,1772300000\ny,,p1,1772300100\nbad\n"
             "z,v,p2,1772300200\nq,,p2,1772300300\n",
    "b.csv": "actor,author,post_id,timestamp\nm,,p1,1772300500\nn,v,p3,oops\nk,,p2,1772300600\n"
             "x,w,p1,1772300000\n",
}
EPOCH = "column 'timestamp' read as epoch seconds"
BAD_A = "1 (row 3); first: row 3: has 1 fields but the header has 4; column 'author' is missing"
BAD_B = ("1 (row 2); first: row 2, column 'timestamp': cannot read 'oops' as a time: the column "
         "mixes epoch numbers and ISO 8601 text (row 1 is '1772300500')")


def test_each_reader_counts_what_its_notes_say_and_the_merge_builds_them(tmp_path):
    from pod_detect.io import bad_rows_note
    from pod_detect.model import ReadNotes

    for name, text in NOTED.items():
        (tmp_path / name).write_text(text)
    a, b = str(tmp_path / "a.csv"), str(tmp_path / "b.csv")
    one = load(a, on_bad_rows="skip")
    assert one.readings == (ReadNotes(said=("column 'liker' read as actor",), filled=2,
                                      times=(EPOCH,), bad_rows=BAD_A),)
    assert one.notes == ("column 'liker' read as actor",
                         "author filled in for 2 rows from other rows of the same post", EPOCH,
                         f"bad rows dropped: {BAD_A}")
    assert bad_rows_note(one) == f"bad rows dropped: {BAD_A}"
    data = load([a, b], on_bad_rows="skip")
    assert data.readings == (one.readings[0], ReadNotes(filled=1, times=(EPOCH,), bad_rows=BAD_B))
    assert data.inputs == (a, b) and data.source == f"{a} {b}"
    assert data.notes == (
        f"{a}: column 'liker' read as actor", f"{a}: {EPOCH}", f"bad rows dropped in {a}: {BAD_A}",
        f"{b}: {EPOCH}", f"bad rows dropped in {b}: {BAD_B}",
        "author filled in for 4 rows from other rows of the same post")
    assert bad_rows_note(data) == f"bad rows dropped in {a}: {BAD_A}"


def test_rows_know_their_file_and_a_row_in_both_keeps_the_first_files(tmp_path):
    (tmp_path / "a.csv").write_text("actor,author,post_id\nx,w,p1\ny,w,p1\n")
    (tmp_path / "b.csv").write_text("actor,author,post_id\nz,w,p2\nq,w,p2\ny,w,p1\n")
    for order in (["a.csv", "b.csv"], ["b.csv", "a.csv"]):
        data = load([str(tmp_path / name) for name in order])
        rows = _decoded(data).assign(file=[order[i] for i in data.frame["source"]],
                                     line=data.frame["line"].to_numpy())
        place = {actor: (file, line) for actor, file, line in
                 rows[["actor", "file", "line"]].itertuples(index=False)}
        assert place["x"] == ("a.csv", 2) and place["z"] == ("b.csv", 2)
        assert place["q"] == ("b.csv", 3)
        assert place["y"] == ((order[0], 3) if order[0] == "a.csv" else (order[0], 4))
        assert data.dropped["duplicate"] == 1
        assert str(data.frame["source"].dtype) == "int8"
    assert load(str(tmp_path / "a.csv")).frame["source"].tolist() == [0, 0]
