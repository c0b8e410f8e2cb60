"""pod-detect's co-engagement against the QUT coordination-network-toolkit, on the same rows.

Usage::

    python benchmarks/coengage_vs_qut.py [--rows N] [--window 60] [--min-weight 2]

The toolkit (PyPI ``coordination-network-toolkit==1.5.2``) is installed into a virtual
environment under the temporary directory the first time (``--venv`` to choose where); the
project itself never depends on it. Two datasets are run, each with the same rows given to
both tools: (a) ``../shared/data/russian_coord_tweets.csv`` as :func:`pod_detect.io.load`
reads it, and (b) a simulated export of about ``--rows`` rows (:func:`pod_detect.simulate`).
The rows are written in the toolkit's CSV input (message_id m0..mN, user_id, username,
repost_id = the post, reply_id, message, timestamp, urls); the toolkit is timed over
``preprocess`` + ``compute co_retweet`` (two processes, as its users run it), pod-detect over
``co_engagement(frame, window, min_weight, weighting="qut")`` on the loaded frame, and then
``weighting="count"`` for reference. The pair sets (``user_1 < user_2`` with weights) must be
identical. See ``docs/co-engagement.md``.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pod_detect.candidates.coengage import co_engagement
from pod_detect.io import load, parse
from pod_detect.model import Interactions
from pod_detect.simulate import SimConfig, simulate

TOOLKIT = "coordination-network-toolkit==1.5.2"
RUSSIAN = Path(__file__).resolve().parents[2] / "shared" / "data" / "russian_coord_tweets.csv"
#: Simulated rows per organic account over 14 days with the default SimConfig (measured).
ROWS_PER_ACCOUNT = 39.0


@dataclass(frozen=True)
class Result:
    """One dataset's figures."""

    name: str
    rows: int
    window: float
    pairs: int
    toolkit_s: float
    ours_s: float
    count_pairs: int
    count_s: float
    identical: bool


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    compute = _toolkit(Path(args.venv))
    work = Path(tempfile.mkdtemp(prefix="coengage-vs-qut-"))
    datasets: list[tuple[str, Interactions]] = []
    if RUSSIAN.exists():
        datasets.append(("russian_coord_tweets", load(RUSSIAN)))
    else:
        print(f"skipping the Russian data: {RUSSIAN} not found", file=sys.stderr)
    datasets.append((f"simulated (seed {args.seed})", _simulated(args.rows, args.seed)))
    results = [_compare(name, data, compute, work / f"d{i}", args)
               for i, (name, data) in enumerate(datasets)]
    _print(results, args)
    return 0 if all(r.identical for r in results) else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="simulated rows (about)")
    parser.add_argument("--window", type=int, default=60, help="seconds (the toolkit's are int)")
    parser.add_argument("--min-weight", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cpus", type=int, default=2, help="the toolkit's --n_cpus")
    parser.add_argument("--venv", default=str(Path(tempfile.gettempdir()) / "qut-cnt-1.5.2"),
                        help="where the toolkit is (or gets) installed")
    return parser.parse_args(argv)


def _clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH, so the toolkit's venv sees only its own packages."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def _toolkit(venv: Path) -> Path:
    """The toolkit's ``compute_networks`` script, installing it into ``venv`` when missing."""
    script = venv / "bin" / "compute_networks"
    if not script.exists():
        print(f"installing {TOOLKIT} into {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_clean_env())
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", TOOLKIT],
                       check=True, env=_clean_env())
    return script


def _simulated(rows: int, seed: int) -> Interactions:
    """A simulated export of about ``rows`` rows: guess the accounts, then correct once."""
    accounts = max(200, round(rows / ROWS_PER_ACCOUNT))
    for attempt in range(2):
        print(f"simulating {accounts} accounts x 14 days (for about {rows:,} rows)",
              file=sys.stderr)
        frame = simulate(SimConfig(accounts=accounts, days=14, seed=seed)).frame
        if attempt or abs(len(frame) - rows) <= 0.1 * rows:
            break
        accounts = max(200, round(accounts * rows / len(frame)))
    return parse(frame, source="simulated")


def _toolkit_csv(data: Interactions, path: Path) -> None:
    """The rows as the toolkit's CSV input: every row a retweet of its post."""
    frame = data.frame[(data.frame["post"] >= 0) & data.frame["timestamp"].notna()]
    users = data.accounts[frame["actor"].to_numpy()]
    stamps = frame["timestamp"].to_numpy()
    whole = (stamps == stamps.round()).all()
    pd.DataFrame({
        "message_id": [f"m{i}" for i in range(len(frame))],
        "user_id": users, "username": users,
        "repost_id": data.posts[frame["post"].to_numpy()],
        "reply_id": "", "message": "",
        "timestamp": stamps.astype("int64") if whole else stamps,
        "urls": "",
    }).to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)


def _run_toolkit(compute: Path, source: Path, db: Path, args: argparse.Namespace) -> float:
    started = time.perf_counter()
    steps = ([str(db), "preprocess", "--format", "csv", str(source)],
             [str(db), "compute", "co_retweet", "--time_window", str(args.window),
              "--min_edge_weight", str(args.min_weight), "--n_cpus", str(args.cpus)])
    for step in steps:
        subprocess.run([str(compute), *step], check=True, capture_output=True, env=_clean_env())
    return time.perf_counter() - started


def _toolkit_pairs(db: Path) -> set[tuple[str, str, int]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "select user_1, user_2, weight from co_retweet_network where user_1 < user_2"
        ).fetchall()
    return {(str(a), str(b), int(w)) for a, b, w in rows}


def _compare(
    name: str, data: Interactions, compute: Path, work: Path, args: argparse.Namespace
) -> Result:
    work.mkdir(parents=True)
    _toolkit_csv(data, work / "rows.csv")
    print(f"{name}: toolkit...", file=sys.stderr)
    toolkit_s = _run_toolkit(compute, work / "rows.csv", work / "toolkit.db", args)
    expected = _toolkit_pairs(work / "toolkit.db")
    print(f"{name}: pod-detect...", file=sys.stderr)
    timed = {}
    for weighting in ("qut", "count"):
        started = time.perf_counter()
        table = co_engagement(data.frame, window=args.window, min_weight=args.min_weight,
                              weighting=weighting)
        timed[weighting] = (table, time.perf_counter() - started)
    table, ours_s = timed["qut"]
    got = {(data.accounts[a], data.accounts[b], int(w))
           for a, b, w in table[["actor_a", "actor_b", "weight"]].itertuples(index=False)}
    return Result(name, int(table.attrs["stats"].rows), args.window, len(expected), toolkit_s,
                  ours_s, len(timed["count"][0]), timed["count"][1], got == expected)


def _print(results: list[Result], args: argparse.Namespace) -> None:
    head = ("dataset", "rows", "window", "pairs", "toolkit s", "pod-detect s", "speed-up",
            "identical", "count pairs", "count s")
    lines = [head] + [
        (r.name, f"{r.rows:,}", f"{r.window:g}", f"{r.pairs:,}", f"{r.toolkit_s:.2f}",
         f"{r.ours_s:.2f}", f"{r.toolkit_s / max(r.ours_s, 1e-9):.0f}x",
         "yes" if r.identical else "NO", f"{r.count_pairs:,}", f"{r.count_s:.2f}")
        for r in results
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    print(f"min weight {args.min_weight}; pod-detect weighting='qut' (the toolkit's weight); "
          "'count pairs' / 'count s': weighting='count' (distinct posts)")
    for number, line in enumerate(lines):
        print(" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
        if number == 0:
            print("-+-".join("-" * w for w in widths))


if __name__ == "__main__":
    sys.exit(main())
