"""Hostile inputs at size: time and peak memory of `pod-detect scan` on exports built to be
expensive (issue 21's bounded-cost cases), each a real CLI subprocess.

    python benchmarks/hostile.py                 # every case
    python benchmarks/hostile.py --cases groups  # one: groups, comments, bomb
    python benchmarks/hostile.py --groups 2000   # fewer groups (10,000 by default)

Cases:
- ``groups``: N disjoint six-account pods (60 rows each), rendered in every format;
- ``comments``: a pod writing 600 distinct 2,000-character comments, each twice or more,
  beside 11,800 other distinct 2,000-character comments (500 templates compared with
  every one of them);
- ``bomb``: a 65 KB zstd file that expands to 2 GiB, read with ``--max-input-bytes 500M``.

Prints one line per run: case, format, exit code, wall seconds, peak resident MB (the
child's ``ru_maxrss``). Figures are the machine's; compare runs of one session.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("json", "ndjson", "csv", "markdown", "github", "junit", "sarif", "table", "html")


def groups_export(path: Path, n: int) -> None:
    rng = random.Random(0)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["actor", "author", "post_id", "timestamp"])
        for g in range(n):
            members = [f"k{g}_{k}" for k in range(6)]
            for a in members:
                for b in members:
                    if a != b:
                        for p in range(2):
                            out.writerow([a, b, f"{b}_p{p}",
                                          1_600_000_000 + g * 10 + rng.randint(0, 60)])


def comments_export(path: Path) -> None:
    rng = random.Random(2)
    letters = string.ascii_lowercase + "     "

    def long() -> str:
        return "".join(rng.choice(letters) for _ in range(2000))

    stock = [long() for _ in range(600)]
    pod = [f"pod{i}" for i in range(8)]
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["actor", "author", "post_id", "timestamp", "text"])
        n = 0
        for k in range(40):
            for a in pod:
                for b in pod:
                    if a != b:
                        out.writerow([a, b, f"{b}_{k}", 1_600_000_000 + k * 3600
                                      + rng.randint(0, 120), stock[n % 600]])
                        n += 1
        for i in range(11_800):
            author = (i * 7) % 3000
            out.writerow([f"o{i}", f"a{author}", f"op{author}",
                          1_600_000_000 + rng.randint(0, 40 * 3600), long()])


def bomb_export(path: Path) -> None:
    import pyarrow as pa

    with pa.output_stream(str(path), compression="zstd") as out:
        out.write(b"actor,author,post_id\n")
        zeros = b"\0" * (1 << 24)
        for _ in range(128):
            out.write(zeros)


def run(case: str, path: Path, fmt: str, extra: list[str]) -> None:
    command = [sys.executable, "-m", "pod_detect", "scan", str(path), "-f", fmt, "-q",
               "-o", str(path.with_suffix(f".out.{fmt}")), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_note = f"{peak / 1024:8.0f}" if peak > before else "   (<max)"
    print(f"{case:9} {fmt:9} exit {done.returncode:3}  {seconds:7.1f} s  {peak_note} MB",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="groups,comments,bomb")
    parser.add_argument("--groups", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pod-detect-hostile-") as folder:
        here = Path(folder)
        for case in args.cases.split(","):
            if case == "groups":
                path = here / "groups.csv"
                groups_export(path, args.groups)
                for fmt in FORMATS:
                    run(case, path, fmt, [])
            elif case == "comments":
                path = here / "comments.csv"
                comments_export(path)
                run(case, path, "json", [])
            elif case == "bomb":
                path = here / "bomb.csv.zst"
                bomb_export(path)
                run(case, path, "json", ["--max-input-bytes", "500M"])
            else:
                parser.error(f"unknown case {case!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
