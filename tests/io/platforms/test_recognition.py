"""Which adapter reads each file, through the real reader: every fixture of
``tests/data/platforms/<key>/`` by the platform ``<key>`` and no other, and a flat export in
every container by none (it is read as the table it is)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import pod_detect.io as podio
from pod_detect.io import PLATFORMS, write_table

DATA = Path(__file__).resolve().parents[2] / "data" / "platforms"
STARS = Path(__file__).resolve().parents[4] / "shared" / "data" / "github_stars_dev.csv"
FIXTURES = sorted(p for p in DATA.glob("*/*") if p.suffix in (".csv", ".tsv", ".json", ".jsonl"))
TITLES = {p.title: key for key, p in PLATFORMS.items()}


def read_by(path: Path | str) -> list[str]:
    """The platforms whose adapter read ``path``, by the note the reader makes (a file of
    post records alone, Reddit's submissions, has no rows to scan on its own)."""
    _, _, _, note = podio._read(str(path), None, "utf-8", None, skip=False, adapt=True)
    return [TITLES[t] for t in TITLES if note and note.startswith(f"read as {t} (")]


def test_every_platform_has_fixtures():
    assert {p.parent.name for p in FIXTURES} == set(PLATFORMS)


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURES])
def test_a_fixture_is_read_by_its_own_platform_only(path):
    assert read_by(path) == [path.parent.name]
    for key, platform in PLATFORMS.items():  # and no other recogniser would take it
        if key != path.parent.name:
            from pod_detect.io.platforms import sample

            records = _first_records(path)
            assert not platform.recognise(sample(_container(path), records)), key


@pytest.mark.parametrize("suffix", ["csv", "tsv", "json", "jsonl", "parquet"])
def test_a_flat_export_is_read_by_no_platform(tmp_path, suffix):
    frame = pd.DataFrame({
        "actor": ["a", "b"], "author": ["c", "c"], "post_id": ["p1", "p2"],
        "kind": ["like", "comment"], "timestamp": ["2026-03-01T10:00:00Z"] * 2,
        "text": ["", "nice"], "created_at": ["2026-03-01T10:00:00Z"] * 2,
        "type": ["WatchEvent", "WatchEvent"], "id": ["1", "2"]})
    path = tmp_path / f"flat.{suffix}"
    write_table(frame, path)
    assert read_by(path) == []


@pytest.mark.skipif(not STARS.exists(), reason="../shared/data is not beside the checkout")
def test_the_shared_github_stars_a_flat_export_are_read_flat():
    assert read_by(STARS) == []


def _container(path: Path) -> str:
    return path.suffix.lstrip(".")


def _first_records(path: Path) -> list[dict]:
    """The records the reader would show the recognisers (the first 20)."""
    import csv
    import json

    if path.suffix in (".csv", ".tsv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t" if path.suffix == ".tsv" else ",")
            return [row for _, row in zip(range(20), reader, strict=False)]
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError:  # JSON Lines named .json (BigQuery's export)
            document = None
        if document is not None:
            return document[:20] if isinstance(document, list) else [document]
    return [json.loads(line) for line in text.splitlines() if line.strip()][:20]
