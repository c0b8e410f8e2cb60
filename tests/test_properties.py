"""Properties over generated exports (hypothesis): nothing but InputError, order and names do
not matter, organic noise does not hide a strong pod.

The number of examples is small so that the file runs in well under a minute; a longer
campaign: ``HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py`` (profiles in
tests/conftest.py; docs/bad-input.md).
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from conftest import COLUMNS, DAY, HOUR, fast, organic, round_rows
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from pod_detect import io as podio
from pod_detect.errors import InputError
from pod_detect.model import SEVERITIES
from pod_detect.pipeline import scan as run_scan
from pod_detect.report import to_dict


def quick(n: int) -> settings:
    """``n`` examples under the CI profile, proportionally more under a longer one."""
    scale = max(1, settings.default.max_examples // 100)
    return settings(deadline=None, max_examples=n * scale,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-1", "@sum", "\tlead", "<script>alert(1)</script>",
           "a,b", 'say "hi"', "line\nbreak", "  padded  ", "ünïcødé", "😀", "\u202eevil",
           "0", "1e3", "NaN", "null", "None", "TRUE", "-", "#", "'", "\\", "x" * 200,
           # what acts on a terminal, a log or an XML parser: ESC and CSI, OSC 52 (the
           # clipboard) and OSC 8 (links), C0 and C1 controls, bidi isolates, NEL
           "\x1b[2J\x1b[H", "\x1b]52;c;ZXZpbA==\x07", "\x1b]8;;http://x\x07ok\x1b]8;;\x07",
           "nul\x00x", "bell\x07", "\x9b31mred", "del\x7f", "\u2066iso\u2069", "nel\x85",
           "cr\rx", "https://evil.example", "~~gone~~"]
NAMES = st.one_of(st.sampled_from([f"u{i}" for i in range(8)]), st.sampled_from(HOSTILE),
                  st.text(min_size=0, max_size=6))
TIMES = st.one_of(
    st.floats(1.5e9, 1.7e9, allow_nan=False).map(lambda t: f"{t:.0f}"),
    st.floats(1.5e9, 1.7e9, allow_nan=False).map(
        lambda t: pd.Timestamp(t, unit="s").isoformat() + "Z"),
    st.sampled_from(["", "yesterday", "2021-13-45", "1e400", "inf", "-", "1e300",
                     "-62135596801", "253402300800", "0001-01-01T00:00:00Z",
                     "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z"]),
    # the whole range of epoch numbers a column can hold, in every unit, and beyond
    st.floats(-1e20, 1e20, allow_nan=False).map(lambda t: f"{t:.0f}"),
)


@st.composite
def exports(draw: Any) -> pd.DataFrame:
    """A small raw export: some optional columns, hostile strings, odd times."""
    n = draw(st.integers(1, 25))
    rows: dict[str, list[Any]] = {
        "actor": draw(st.lists(NAMES, min_size=n, max_size=n)),
        "author": draw(st.lists(NAMES, min_size=n, max_size=n)),
    }
    optional = {
        "post_id": st.sampled_from(["p1", "p2", "p3", "p4", "", "=p5"]),
        "timestamp": TIMES,
        "post_time": TIMES,
        "kind": st.sampled_from(["like", "comment", "", "LIKE", "share"]),
        "text": st.one_of(st.sampled_from(HOSTILE), st.text(max_size=10)),
    }
    for column, values in optional.items():
        if draw(st.booleans()):
            rows[column] = draw(st.lists(values, min_size=n, max_size=n))
    if draw(st.booleans()):  # a column the reader does not use, named by the enemy
        extra = draw(NAMES)
        if extra and extra not in rows:
            rows[extra] = draw(st.lists(NAMES, min_size=n, max_size=n))
    return pd.DataFrame(rows)


def load_bytes(frame: pd.DataFrame, fmt: str, on_bad_rows: str = "error") -> podio.Interactions:
    buffer = io.BytesIO()
    podio.write_table(frame, buffer, fmt)
    return podio.load(io.BytesIO(buffer.getvalue()), fmt=fmt, on_bad_rows=on_bad_rows)


def report_json(data: podio.Interactions) -> dict[str, Any]:
    return json.loads(json.dumps(to_dict(run_scan(data))))


# --------------------------------------------------------------------------- (a) only InputError


@quick(150)
@given(exports(), st.sampled_from(["csv", "tsv", "json", "jsonl", "parquet"]),
       st.sampled_from(["error", "skip"]))
def test_generated_exports_raise_nothing_but_input_error(
    frame: pd.DataFrame, fmt: str, on_bad_rows: str
) -> None:
    try:
        data = load_bytes(frame, fmt, on_bad_rows)
    except InputError as error:
        assert "\n" not in str(error)
        return
    report_json(data)


@quick(300)
@given(st.binary(max_size=400), st.sampled_from([None, "csv", "tsv", "json", "jsonl", "parquet"]),
       st.sampled_from(["error", "skip"]))
def test_arbitrary_bytes_raise_nothing_but_input_error(
    data: bytes, fmt: str | None, on_bad_rows: str
) -> None:
    try:
        loaded = podio.load(io.BytesIO(data), fmt=fmt, on_bad_rows=on_bad_rows)
    except InputError as error:
        assert "\n" not in str(error)
        return
    run_scan(loaded)


# --------------------------------------------------------------------------- (b) row order


def parse_or_none(frame: pd.DataFrame, on_bad_rows: str = "error") -> podio.Interactions | None:
    try:
        return podio.parse(frame, source="gen.csv", on_bad_rows=on_bad_rows)
    except InputError:
        return None


@quick(100)
@given(exports(), st.integers(0, 2**32 - 1).map(random.Random), st.sampled_from(["error", "skip"]))
def test_report_is_the_same_under_row_shuffling(frame: pd.DataFrame, rnd: Any,
                                                on_bad_rows: str) -> None:
    data = parse_or_none(frame, on_bad_rows)
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = parse_or_none(frame.iloc[order].reset_index(drop=True), on_bad_rows)
    assert (data is None) == (shuffled is None) or on_bad_rows == "error"
    if data is None or shuffled is None:
        return
    event(f"parsed; {len(data.frame)} rows used")
    first, second = report_json(data), report_json(shuffled)
    if on_bad_rows == "skip":  # the note names row numbers, which move with the rows
        for report in (first, second):
            report["notes"] = [n for n in report["notes"] if not n.startswith("bad rows")]
    assert first == second


def planted_export(seed: int, background: int = 60) -> pd.DataFrame:
    members = [f"pod{i}" for i in range(6)]
    rows = organic(n_accounts=background, seed=seed) + round_rows(members, 6, fast, seed=seed)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("timestamp", "post_time"):
        frame[column] = frame[column].round(3).astype(str)
    return frame


@quick(10)
@given(st.integers(0, 10_000), st.integers(0, 2**32 - 1).map(random.Random))
def test_report_with_a_pod_is_the_same_under_row_shuffling(seed: int, rnd: Any) -> None:
    frame = planted_export(seed)
    order = list(range(len(frame)))
    rnd.shuffle(order)
    first = report_json(podio.parse(frame, source="gen.csv"))
    second = report_json(podio.parse(frame.iloc[order].reset_index(drop=True), source="gen.csv"))
    assert first == second


# --------------------------------------------------------------------------- (c) renaming


def structure(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the names: group sizes, kinds, scores, severities, counts."""
    groups = sorted((p["kind"], p["severity"], p["score"], len(p["members"]))
                    for p in report["pods"])
    accounts = sorted(a["score"] for a in report["accounts"])
    posts = sorted((p["engagements"], p["from_pods"], p["authentic"]) for p in report["posts"])
    shown = {k: v for k, v in report["input"].items() if k != "source"}
    return {"groups": groups, "accounts": accounts, "posts": posts, "input": shown,
            "summary": report.get("summary")}


def rename(frame: pd.DataFrame, rnd: Any) -> tuple[pd.DataFrame, dict[str, str]]:
    names = sorted({str(v).strip() for c in ("actor", "author") for v in frame[c]} - {""})
    new = [f"acct{i:04d}" for i in range(len(names))]
    rnd.shuffle(new)
    mapping = dict(zip(names, new, strict=True))
    renamed = frame.copy()
    for column in ("actor", "author"):
        renamed[column] = [mapping.get(str(v).strip(), v) for v in frame[column]]
    return renamed, mapping


@quick(100)
@given(exports(), st.integers(0, 2**32 - 1).map(random.Random))
def test_report_is_the_same_up_to_names_under_renaming(frame: pd.DataFrame, rnd: Any) -> None:
    assume("post_time" not in frame or "post_id" in frame)  # derived post ids embed the author
    data = parse_or_none(frame)
    renamed, mapping = rename(frame, rnd)
    other = parse_or_none(renamed)
    assert (data is None) == (other is None)
    if data is None or other is None:
        return
    first, second = report_json(data), report_json(other)
    assert structure(first) == structure(second)
    members = sorted(sorted(mapping.get(m, m) for m in p["members"]) for p in first["pods"])
    assert members == sorted(sorted(p["members"]) for p in second["pods"])


@quick(8)
@given(st.integers(0, 10_000), st.integers(0, 2**32 - 1).map(random.Random))
def test_report_with_a_pod_is_the_same_up_to_names_under_renaming(seed: int, rnd: Any) -> None:
    frame = planted_export(seed)
    renamed, mapping = rename(frame, rnd)
    first = report_json(podio.parse(frame, source="gen.csv"))
    second = report_json(podio.parse(renamed, source="gen.csv"))
    assert structure(first) == structure(second)
    members = sorted(sorted(mapping[m] for m in p["members"]) for p in first["pods"])
    assert members == sorted(sorted(p["members"]) for p in second["pods"])


# --------------------------------------------------------------------------- (d) organic noise


def noise_rows(n_accounts: int, n_rows: int, seed: int) -> list[tuple]:
    """Random engagements among new accounts ``n0..``, at organic delays."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_rows):
        actor, author = rng.choice(n_accounts, size=2, replace=False)
        k = int(rng.integers(0, 3))
        post_time = float(rng.uniform(0, 14 * DAY))
        rows.append((f"n{actor}", f"n{author}", f"n{author}-{k}",
                     post_time + rng.lognormal(np.log(2 * HOUR), 1.0), post_time))
    return rows


POD = [f"pod{i}" for i in range(6)]


@quick(25)
@given(st.integers(2, 80), st.integers(0, 1500), st.integers(0, 10_000))
def test_organic_noise_never_removes_a_strong_pod(n_accounts: int, n_rows: int,
                                                  seed: int) -> None:
    rows = organic(n_accounts=60) + round_rows(POD, 6, fast) + noise_rows(n_accounts, n_rows,
                                                                          seed)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    report = report_json(podio.parse(frame, source="noisy.csv"))
    floor = SEVERITIES.index("medium")
    strong = [p for p in report["pods"]
              if sorted(p["members"]) == POD and SEVERITIES.index(p["severity"]) >= floor]
    assert strong, report["pods"]


# --------------------------------------------------------------------------- (e) every format


def _sarif_validator() -> Any:
    import jsonschema

    path = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


SARIF = _sarif_validator()

#: What no output may carry raw: C0 controls but tab and line ends, DEL, C1 controls, and
#: the bidi controls (the terminal, CI log and XML attack surface).
RAW_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@quick(40)
@given(exports())
def test_every_format_of_a_generated_export_parses_back_and_holds_no_raw_control(
        frame: pd.DataFrame) -> None:
    import csv as csv_module
    import xml.etree.ElementTree as ET

    from pod_detect.formats import FORMATS, RenderOptions

    try:
        data = load_bytes(frame, "csv", on_bad_rows="skip")
    except InputError:
        return
    report = run_scan(data)
    for name in sorted(FORMATS):
        text = FORMATS[name](report, RenderOptions())
        assert not RAW_CONTROLS.search(text.replace("\r\n", "\n")), (name, text[:200])
        if name == "json":
            json.loads(text)
        elif name == "sarif":
            SARIF.validate(json.loads(text))
        elif name == "ndjson":
            for line in text.splitlines():
                json.loads(line)
        elif name == "junit":
            ET.fromstring(text)
        elif name == "csv":
            list(csv_module.reader(io.StringIO(text)))


@quick(30)
@given(st.integers(1, 20_000), st.sampled_from(["json", "jsonl"]))
def test_nesting_of_any_depth_is_read_or_refused_never_a_crash(depth: int, fmt: str) -> None:
    record = '{"actor":"a","author":"b","post_id":"p","x":' + "[" * depth + "]" * depth + "}"
    text = f"[{record}]" if fmt == "json" else record + "\n"
    try:
        podio.load(io.BytesIO(text.encode()), fmt=fmt)
    except InputError as error:
        assert depth > 250 and "levels deep" in str(error)
