"""Several inputs scanned as one: SARIF and GitHub annotations point at the file that holds
each group's first interaction, at its line in that file, whichever engine read them.

The example export is split so that the rows of every group's first interaction are in the
second file, after a few other rows (so their lines there are not their lines in the whole
file), and the first file has lines of those numbers too: a location that took the wrong
file, or a line from the other file, would still be a plausible place.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from click.testing import CliRunner

from pod_detect import load, scan
from pod_detect.cli import cli
from pod_detect.formats import _common, sarif
from pod_detect.model import Report

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "linkedin_pods.csv"
#: The whole file's first rows hold every group's first interaction (at lines 18 to 300).
FIRST_ROWS = 400
#: Rows of the whole file put before them in the second file: their lines move by this.
SHIFT = 10
HEADER = 1  # a CSV's first record is on line 2


@pytest.fixture(scope="module")
def whole() -> Report:
    report = scan(load(str(EXAMPLE)))
    assert report.groups
    return report


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)


def firsts(whole: Report) -> dict[str, int]:
    """Each group's first interaction's line in the whole file (unique in time: a tie would
    leave the choice to the line order, which the split changes)."""
    out = {}
    frame = whole.interactions.frame
    for group in whole.groups:
        time, line = _common._where(whole, group)[:2]
        members = list(group.members)
        mine = frame["actor"].isin(members)
        inside = mine & frame["author"].isin(members)
        chosen = frame[inside if group.kind == "pod" and inside.any() else mine]
        assert (chosen["timestamp"] == time).sum() == 1, group.id
        assert HEADER < line <= FIRST_ROWS + HEADER, group.id
        out[group.id] = line
    return out


def split(rows: pd.DataFrame, folder: Path, *, copied: int | None = None) -> None:
    """``a.csv``: the rows after the first ones; ``b.csv``: ``SHIFT`` of those, then the
    first ones. ``copied``: a row of the first ones (by its line in the whole file) also
    written at the end of ``a.csv``."""
    later = rows.iloc[FIRST_ROWS:]
    first = rows.iloc[:FIRST_ROWS]
    a = later.iloc[SHIFT:]
    if copied is not None:
        a = pd.concat([a, rows.iloc[[copied - HEADER - 1]]])
    a.to_csv(folder / "a.csv", index=False)
    pd.concat([later.iloc[:SHIFT], first]).to_csv(folder / "b.csv", index=False)


def scan_cli(folder: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, *args: str,
             stdin: bytes | None = None) -> str:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, ["scan", *args, "-f", fmt], input=stdin)
    assert result.exit_code == 1, result.output  # groups found
    return result.stdout


def locations(log: dict) -> dict[str, tuple[dict, int]]:
    """Each result's group id: its artifact location and start line."""
    out = {}
    for result in log["runs"][0]["results"]:
        [where] = result["locations"]
        physical = where["physicalLocation"]
        out[result["properties"]["groupId"]] = (physical["artifactLocation"],
                                                physical["region"]["startLine"])
    return out


def annotations(text: str) -> dict[str, tuple[str, int]]:
    """Each group annotation's group id: its ``file`` and ``line``."""
    out = {}
    for line in text.splitlines():
        properties = line.split("::")[1].split(" ", 1)[1]
        fields = dict(item.split("=", 1) for item in properties.split(","))
        if "file" in fields:  # a group's: "pod-detect%3A KIND ID (SEVERITY)"
            out[fields["title"].split(" ")[2]] = (fields["file"], int(fields["line"]))
    return out


def test_sarif_and_github_name_the_second_file_and_the_line_there(
        whole, rows, tmp_path, monkeypatch):
    split(rows, tmp_path)
    expected = {g: ({"uri": "b.csv"}, line + SHIFT) for g, line in firsts(whole).items()}
    log = json.loads(scan_cli(tmp_path, monkeypatch, "sarif", "a.csv", "b.csv"))
    assert locations(log) == expected
    # a.csv has lines of those numbers too: the wrong file would still look like a place
    assert len(pd.read_csv(tmp_path / "a.csv")) + HEADER > max(v[1] for v in expected.values())
    for result in log["runs"][0]["results"]:
        assert f"(line {expected[result['properties']['groupId']][1]} of b.csv)." in (
            result["message"]["text"])
    assert "artifacts" not in log["runs"][0] and "originalUriBaseIds" not in log["runs"][0]
    schema = json.loads((Path(__file__).resolve().parents[1] / "schemas"
                         / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    github = annotations(scan_cli(tmp_path, monkeypatch, "github", "a.csv", "b.csv"))
    assert github == {g: ("b.csv", line) for g, (_, line) in expected.items()}


def test_a_row_in_both_files_is_the_first_files(whole, rows, tmp_path, monkeypatch):
    lines = firsts(whole)
    group, line = next(iter(lines.items()))
    split(rows, tmp_path, copied=line)
    at = len(rows) - FIRST_ROWS - SHIFT + HEADER + 1  # the last line of a.csv
    log = json.loads(scan_cli(tmp_path, monkeypatch, "sarif", "a.csv", "b.csv"))
    assert locations(log)[group] == ({"uri": "a.csv"}, at)
    data = load(["a.csv", "b.csv"])
    assert data.dropped["duplicate"] == 1 and data.inputs == ("a.csv", "b.csv")
    # the other order: the copy in the first file (now b.csv's) is kept
    log = json.loads(scan_cli(tmp_path, monkeypatch, "sarif", "b.csv", "a.csv"))
    assert locations(log)[group] == ({"uri": "b.csv"}, line + SHIFT)


def test_standard_input_among_files_keeps_its_location(whole, rows, tmp_path, monkeypatch):
    split(rows, tmp_path)
    stdin = (tmp_path / "b.csv").read_bytes()
    log = json.loads(scan_cli(tmp_path, monkeypatch, "sarif", "a.csv", "-", stdin=stdin))
    for group, line in firsts(whole).items():
        location, start = locations(log)[group]
        assert location == {"uri": "stdin",
                            "description": {"text": sarif.STDIN_DESCRIPTION}}
        assert start == line + SHIFT
    github = annotations(scan_cli(tmp_path, monkeypatch, "github", "a.csv", "-", stdin=stdin))
    assert set(github.values()) == {("stdin", line + SHIFT) for line in firsts(whole).values()}


def test_one_file_keeps_its_name_and_lines(whole, monkeypatch):
    log = json.loads(scan_cli(EXAMPLE.parent, monkeypatch, "sarif", EXAMPLE.name))
    assert locations(log) == {g: ({"uri": EXAMPLE.name}, line)
                              for g, line in firsts(whole).items()}
    assert whole.interactions.inputs == (str(EXAMPLE),)
    assert whole.interactions.frame["source"].eq(0).all()


def test_the_dask_engine_gives_the_same_locations(whole, rows, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    lines = firsts(whole)
    copied, line = next(iter(lines.items()))
    split(rows, tmp_path, copied=line)  # kept from a.csv, the first input, by both engines
    at = len(rows) - FIRST_ROWS - SHIFT + HEADER + 1
    expected = {g: ({"uri": "b.csv"}, n + SHIFT) for g, n in lines.items()}
    expected[copied] = ({"uri": "a.csv"}, at)
    outputs = {}
    for engine in ("pandas", "dask"):
        more = ["--engine", "dask", "--workers", "1"] if engine == "dask" else []
        log = json.loads(scan_cli(tmp_path, monkeypatch, "sarif", "a.csv", "b.csv", *more))
        assert locations(log) == expected, engine
        github = scan_cli(tmp_path, monkeypatch, "github", "a.csv", "b.csv", *more)
        assert annotations(github) == {g: (w["uri"], n) for g, (w, n) in expected.items()}
        outputs[engine] = (log["runs"][0]["results"], github)
    assert outputs["dask"] == outputs["pandas"]
