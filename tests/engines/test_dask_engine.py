"""The Dask engine against the pandas engine: the same rows, split over files, the same report.

A two-worker local cluster (no dashboard) runs every Dask scan here; the pandas engine scans
the same rows as one file. The reports must be equal but for ``input.source`` (a glob or a
directory against a file name).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import RUSSIAN

from pod_detect.cli import cli
from pod_detect.errors import InputError
from pod_detect.io import load, load_all, write_table
from pod_detect.pipeline import scan
from pod_detect.report import to_dict
from pod_detect.simulate import SimConfig, simulate

pytest.importorskip("distributed")
from pod_detect.engines.dask import expand, load_dask, localise, start_cluster  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def cluster():
    client = start_cluster(None, workers=2)
    yield client
    client.close()
    client.cluster.close()


def split(frame: pd.DataFrame, folder: Path, parts: int, fmt: str, seed: int = 0) -> None:
    """The rows of ``frame`` over ``parts`` files, shuffled between them, in ``fmt``."""
    folder.mkdir(parents=True, exist_ok=True)
    order = np.random.default_rng(seed).permutation(len(frame))
    for i, rows in enumerate(np.array_split(order, parts)):
        write_table(frame.iloc[np.sort(rows)].reset_index(drop=True), folder / f"part{i}.{fmt}")


def report_text(report) -> str:
    document = to_dict(report)
    document["input"].pop("source")
    return json.dumps(document, sort_keys=True, indent=1)


def pandas_and_dask(single: Path | str, parts: str | Path) -> tuple[str, str]:
    expected = report_text(scan(load(single)))
    with tempfile.TemporaryDirectory() as scratch:
        data = load_dask(str(parts), scratch=scratch)
        got = report_text(localise(scan(data)))
    return expected, got


def read_strings(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(("example", "fmt", "parts"), [
    ("linkedin_pods.csv", "csv", 3),     # pods, a like-farm, comments
    ("no_timestamps.csv", "jsonl", 2),   # no times: co-engagement at any time
    ("clean.csv", "parquet", 4),         # nothing planted
])
def test_examples_split_over_files_give_the_same_report(cluster, tmp_path, example, fmt, parts):
    split(read_strings(EXAMPLES / example), tmp_path / "parts", parts, fmt)
    expected, got = pandas_and_dask(EXAMPLES / example, tmp_path / "parts" / f"*.{fmt}")
    assert got == expected


@pytest.mark.skipif(not RUSSIAN.exists(), reason="../shared/data is not beside the checkout")
def test_the_shared_retweet_data_as_a_parquet_dataset(cluster, tmp_path):
    split(read_strings(RUSSIAN), tmp_path / "dataset", 4, "parquet", seed=1)
    expected, got = pandas_and_dask(RUSSIAN, tmp_path / "dataset")
    assert got == expected
    assert json.loads(got)["input"]["rows"] == 35_125


@pytest.mark.parametrize("overrides", [{}, {"without_post_ids": True}],
                         ids=["every-kind", "no-post-ids"])
def test_simulated_exports_give_the_same_report(cluster, tmp_path, overrides):
    sim = simulate(SimConfig(seed=3, accounts=600, days=10, **overrides))
    whole = tmp_path / "whole.csv"
    write_table(sim.frame, whole)
    split(read_strings(whole), tmp_path / "parts", 3, "csv", seed=2)
    expected, got = pandas_and_dask(whole, tmp_path / "parts")
    assert got == expected
    assert json.loads(got)["pods"], "the simulated export has pods to find"


def test_authors_and_duplicates_are_settled_across_files(cluster, tmp_path):
    # file a names the author of p1 and p2; file b has rows of those posts without one,
    # a row that repeats one of a's, and a like that the author turns out to give itself
    a = pd.DataFrame({"actor": ["u1", "u2", "u3", "u1"], "author": ["x", "x", "y", "y"],
                      "post_id": ["p1", "p1", "p2", "p2"],
                      "timestamp": ["100", "200", "300", "400"]})
    b = pd.DataFrame({"actor": ["u4", "u5", "u2", "x"], "author": ["", "", "x", ""],
                      "post_id": ["p1", "p2", "p1", "p1"],
                      "timestamp": ["150", "350", "200", "160"]})
    (tmp_path / "parts").mkdir()
    a.to_csv(tmp_path / "parts" / "a.csv", index=False)
    b.to_csv(tmp_path / "parts" / "b.csv", index=False)
    pd.concat([a, b]).to_csv(tmp_path / "all.csv", index=False)
    with tempfile.TemporaryDirectory() as scratch:
        data = load_dask(str(tmp_path / "parts"), scratch=scratch)
    expected = load(tmp_path / "all.csv")
    assert data.dropped == expected.dropped == {"duplicate": 1, "self_engagement": 1}
    assert data.notes == expected.notes
    assert "author filled in for 3 rows from other rows of the same post" in data.notes
    assert data.facts == expected.facts


def test_a_bad_file_is_named_with_its_row_and_column(cluster, tmp_path):
    good = pd.DataFrame({"actor": ["a", "b"], "author": ["c", "c"], "post_id": ["p", "p"],
                         "timestamp": ["1", "2"]})
    bad = good.assign(timestamp=["1", "yesterday"])
    good.to_csv(tmp_path / "good.csv", index=False)
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InputError, match=r"bad\.csv, row 2, column 'timestamp': cannot read"):
        load_dask(str(tmp_path / "*.csv"))


def test_files_may_give_other_columns_but_must_agree_on_authors(cluster, tmp_path):
    rows = pd.DataFrame({"actor": ["a", "b"], "author": ["c", "c"], "post_id": ["p", "p"]})
    rows.to_csv(tmp_path / "one.csv", index=False)
    rows.assign(actor=["e", "f"], timestamp=["5", "6"]).to_csv(tmp_path / "two.csv",
                                                             index=False)
    data = load_dask(str(tmp_path / "*.csv"))  # as the pandas engine: the columns of either
    whole = load_all(str(tmp_path / "*.csv"))
    assert data.columns == whole.columns == {"actor", "author", "post_id", "timestamp"}
    (tmp_path / "two.csv").unlink()
    rows.assign(author="d").to_csv(tmp_path / "two.csv", index=False)
    with pytest.raises(InputError, match="post 'p' has two authors in different files"):
        load_dask(str(tmp_path / "*.csv"))


def test_notes_and_places_are_built_from_what_each_reader_counted(cluster, tmp_path):
    """The notes read as one file's (each once; the rows filled in, over all files, before
    the notes on times and dropped rows, which name their file), made from each reader's
    counts as the pandas engine makes its own; a row in both files keeps the first's place."""
    (tmp_path / "a.csv").write_text(
        "liker,author,post_id,timestamp\nx,w,p1,1772300000\ny,,p1,1772300100\nbad\n"
        "z,v,p2,1772300200\nq,,p2,1772300300\n")
    (tmp_path / "b.csv").write_text(
        "actor,author,post_id,timestamp\nm,,p1,1772300500\nn,v,p3,oops\nk,,p2,1772300600\n"
        "x,w,p1,1772300000\n")
    a, b = str(tmp_path / "a.csv"), str(tmp_path / "b.csv")
    epoch = "column 'timestamp' read as epoch seconds"
    filled = "author filled in for 4 rows from other rows of the same post"
    bad_a = (f"bad rows dropped in {a}: 1 (row 3); first: row 3: has 1 fields but the header "
             "has 4; column 'author' is missing")
    bad_b = (f"bad rows dropped in {b}: 1 (row 2); first: row 2, column 'timestamp': cannot "
             "read 'oops' as a time: the column mixes epoch numbers and ISO 8601 text (row 1 "
             "is '1772300500')")
    for files, notes, first in [
            ([a, b], ("column 'liker' read as actor", filled, epoch, bad_a, bad_b), (0, 2)),
            ([b, a], (filled, epoch, bad_b, "column 'liker' read as actor", bad_a), (0, 5))]:
        with tempfile.TemporaryDirectory() as scratch:
            data = load_dask(files, scratch=scratch, on_bad_rows="skip")
            frame = data.frame.compute()
        pandas = load(files, on_bad_rows="skip")
        assert data.notes == notes
        assert data.readings == pandas.readings and data.inputs == pandas.inputs == tuple(files)
        assert data.dropped == pandas.dropped and data.dropped["duplicate"] == 1
        x = data.accounts.tolist().index("x")
        assert tuple(frame.loc[frame["actor"] == x, ["source", "line"]].iloc[0]) == first
        columns = ["actor", "author", "post", "timestamp", "source", "line"]
        assert (frame[columns].sort_values(columns).to_numpy().tolist()
                == pandas.frame[columns].sort_values(columns).to_numpy().tolist())


def test_a_rewritten_file_is_read_again(tmp_path):
    """Tasks are keyed by their arguments and a long-lived cluster returns what it still
    holds for a key: the key must change when the file does, even at the same size."""
    import dask

    from pod_detect.engines.dask.loading import _Options, _summarise, _version

    path = tmp_path / "one.csv"
    options = _Options(None, None, "utf-8", "error")
    keys = []
    for author in ("c", "d"):
        if path.exists():
            path.unlink()
        pd.DataFrame({"actor": ["a"], "author": [author], "post_id": ["p"]}).to_csv(
            path, index=False)
        keys.append(dask.delayed(_summarise, pure=True)(str(path), options,
                                                        _version(str(path))).key)
    assert keys[0] != keys[1]


@pytest.mark.parametrize(("given", "message"), [
    (["nowhere/*.csv"], "matches no file"),
    (["missing.csv"], "no such file"),
    (["-"], "reads files, not standard input"),
])
def test_sources_that_name_no_file(tmp_path, monkeypatch, given, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=message):
        expand(given)


def test_directories_are_walked_for_readable_files(tmp_path):
    (tmp_path / "2026" / "03").mkdir(parents=True)
    for name in ("2026/03/a.parquet", "2026/b.csv.gz", "notes.txt", "_SUCCESS", ".hidden.csv"):
        (tmp_path / name).write_text("")
    assert expand(str(tmp_path)) == [str(tmp_path / "2026" / "03" / "a.parquet"),
                                     str(tmp_path / "2026" / "b.csv.gz")]


def test_the_command_line_engine(tmp_path):
    split(read_strings(EXAMPLES / "linkedin_pods.csv"), tmp_path / "parts", 2, "csv")
    runner = CliRunner()
    result = runner.invoke(cli, ["scan", str(tmp_path / "parts" / "*.csv"), "--engine", "dask",
                                 "--workers", "2", "-f", "json"])
    assert result.exit_code == 1, result.output  # pods found
    whole = runner.invoke(cli, ["scan", str(EXAMPLES / "linkedin_pods.csv"), "-f", "json"])
    groups = json.loads(result.stdout)["summary"]["groups"]
    assert groups >= 1 and groups == json.loads(whole.stdout)["summary"]["groups"]
    result = runner.invoke(cli, ["scan", str(EXAMPLES / "clean.csv"), "--workers", "2"])
    assert result.exit_code == 2 and "--workers only applies with --engine dask" in result.output
    parts = runner.invoke(cli, ["scan", str(tmp_path / "parts" / "*.csv"), "-f", "json"])
    assert parts.exit_code == 1, parts.output  # the pandas engine reads several files too
    assert json.loads(parts.stdout)["pods"] == json.loads(whole.stdout)["pods"]
    result = runner.invoke(cli, ["scan", str(EXAMPLES / "clean.csv"), "missing.csv"])
    assert result.exit_code == 2 and "missing.csv: no such file" in result.output


def test_workers_that_keep_dying_are_one_line_and_exit_2(tmp_path, monkeypatch):
    from distributed import KilledWorker

    from pod_detect.engines import dask as dask_engine

    class Client:
        cluster = None

        def close(self) -> None:
            pass

    def dies(*args, **kwargs):
        raise KilledWorker("_summarise-9e1ed4962281c3b3", "tcp://127.0.0.1:45721", 3)

    monkeypatch.setattr(dask_engine, "start_cluster", lambda *args: Client())
    monkeypatch.setattr(dask_engine, "load_dask", dies)
    (tmp_path / "a.csv").write_text("actor,author\na,b\n")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "a.csv"), "--engine", "dask",
                                      "--worker-memory", "1GB"])
    assert result.exit_code == 2
    assert result.stderr == (
        "pod-detect: error: Dask workers kept dying while reading a file, most often because "
        "it needed more memory than a worker has (--worker-memory 1GB); give each worker more "
        "memory, run fewer workers with more memory each, or split the input into smaller "
        "files\n")
    assert dask_engine.lost_worker(ValueError("x"), None) is None
    lost = dask_engine.lost_worker(KilledWorker("('shuffle-p2p-abc', 3)", "w", 3), None)
    assert "kept dying in a reduce step (shuffle)," in str(lost)


def test_the_watchdog_ends_a_scan_whose_cluster_has_no_running_worker():
    from pod_detect.engines.dask import Watchdog

    class Client:
        closed = 0

        def close(self) -> None:
            self.closed += 1

    up = {"a": "running", "b": "running"}
    views = iter([up, {"a": "paused"}, {"c": "running"}, {"c": "paused"}, {}])
    client = Client()
    with Watchdog(client, patience=0.025, every=0.01, workers=lambda: next(views, {})) as dog:
        for _ in range(500):
            if dog.fired:
                break
            time.sleep(0.01)
    # a paused worker is not running, a worker back resets the patience; b, a, c left
    assert dog.fired and client.closed == 1 and dog.lost == 3
    assert str(dog.failure(RuntimeError("closed"), "1GB")) == dog.message
    client = Client()
    with Watchdog(client, patience=60, every=0.01, workers=lambda: up) as dog:
        time.sleep(0.05)
    assert not dog.fired and client.closed == 0 and dog.lost == 0
    assert dog.failure(RuntimeError("a bug"), None) is None  # no worker lost: not the cluster
    dog.lost = 2
    assert str(dog.failure(AttributeError("x"), "1GB")) == (
        "2 Dask workers died during the scan, most often because a task needed more memory "
        "than a worker has (--worker-memory 1GB), and then the scan failed (AttributeError); "
        "give each worker more memory, run fewer workers with more memory each, or split the "
        "input into smaller files")
    assert dog.failure(InputError("bad", source="a.csv"), None) is None
    with Watchdog(client, patience=None, every=0.01, workers=lambda: {}) as dog:
        time.sleep(0.05)
    assert not dog.fired  # a remote cluster may scale to zero


def test_the_watchdog_counts_the_running_workers_of_a_real_cluster(cluster):
    from pod_detect.engines.dask import Watchdog

    assert Watchdog(cluster).running() == 2


@pytest.mark.parametrize("size", ["lots", "0", "-1GB"])
def test_a_worker_memory_that_is_not_a_size_is_exit_2(tmp_path, size):
    (tmp_path / "a.csv").write_text("actor,author\na,b\n")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "a.csv"), "--engine", "dask",
                                      "--worker-memory", size])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"pod-detect: error: worker memory {size!r} ")
    assert result.stderr.count("\n") == 1


def test_post_records_settle_across_files_as_the_pandas_engine_settles_them(cluster, tmp_path):
    """Likes without authors in one file, the posts' records in another (as a Reddit
    comments dump and its submissions dump): both engines fill the authors and post times
    from the records, drop the records, and give the same report."""
    frame = read_strings(EXAMPLES / "linkedin_pods.csv")
    posts = frame.drop_duplicates("post_id")
    records = pd.DataFrame({"actor": posts["author"], "author": posts["author"],
                            "post_id": posts["post_id"], "kind": "post",
                            "timestamp": posts["post_time"], "post_time": "", "text": ""})
    likes = frame.assign(author="", post_time="")
    folder = tmp_path / "parts"
    folder.mkdir()
    write_table(likes, folder / "a_likes.csv")
    write_table(records, folder / "b_posts.csv")

    by_pandas = load_all(str(folder))
    assert by_pandas.dropped["post_record"] == len(posts)
    assert (by_pandas.frame["author"] >= 0).all() and by_pandas.frame["post_time"].notna().all()
    expected = report_text(scan(by_pandas))
    whole = report_text(scan(load(EXAMPLES / "linkedin_pods.csv")))
    assert json.loads(expected)["pods"] == json.loads(whole)["pods"]  # as with authors given
    with tempfile.TemporaryDirectory() as scratch:
        got = report_text(localise(scan(load_dask(str(folder), scratch=scratch))))
    assert got == expected
