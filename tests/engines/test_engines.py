"""The engine seam: the library reads and scans with either engine, as the CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import pod_detect
from pod_detect.engines import ClusterOptions, ReadOptions, scan_files
from pod_detect.errors import ConfigError
from pod_detect.report import to_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "linkedin_pods.csv"


def document(report: pod_detect.model.Report) -> dict:
    return json.loads(json.dumps(to_dict(report)))


def test_the_pandas_engine_is_load_then_scan():
    stages: list[str] = []
    seen = []
    report = pod_detect.scan_files(str(EXAMPLE), on_stage=stages.append, on_read=seen.append)
    assert document(report) == document(pod_detect.scan(pod_detect.load(str(EXAMPLE))))
    assert stages[0] == "read" and len(stages) > 1
    assert len(seen) == 1 and seen[0].rows_read == report.interactions.rows_read


def test_read_options_reach_the_reader(tmp_path):
    frame = pd.read_csv(EXAMPLE, dtype=str).rename(columns={"actor": "liker"})
    path = tmp_path / "renamed.txt"
    frame.to_csv(path, sep="\t", index=False)
    report = scan_files(str(path), read=ReadOptions(fmt="tsv", mapping={"actor": "liker"}))
    expected = document(pod_detect.scan(pod_detect.load(str(EXAMPLE))))
    assert document(report)["pods"] == expected["pods"]


@pytest.mark.parametrize(("paths", "kwargs", "message"), [
    (["a.csv"], {"engine": "spark"}, "unknown engine 'spark'"),
    ([], {}, "no export to read"),
    (["a.csv"], {"cluster": ClusterOptions(workers=2)}, "workers: only the dask engine"),
])
def test_what_an_engine_cannot_do_is_a_config_error(paths, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        scan_files(paths, **kwargs)


def test_the_dask_engine_runs_without_the_cli(tmp_path):
    pytest.importorskip("distributed")
    frame = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    half = len(frame) // 2
    frame.iloc[:half].to_csv(tmp_path / "one.csv", index=False)
    frame.iloc[half:].to_csv(tmp_path / "two.csv", index=False)
    report = scan_files([str(tmp_path / "*.csv")], engine="dask",
                        cluster=ClusterOptions(workers=1))
    whole = pod_detect.scan(pod_detect.load(str(EXAMPLE)))
    assert [g.members for g in report.groups] == [g.members for g in whole.groups]
    assert [g.score for g in report.groups] == [g.score for g in whole.groups]
