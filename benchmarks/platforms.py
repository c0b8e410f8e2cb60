"""How fast each platform's adapter reads its export: records per second of ``pod_detect.load``.

Each fixture of ``tests/data/platforms`` (written from the platform's published schema) is
repeated to about ``--records`` records, in its own container, and loaded as the command line
loads it (recognised, adapted, coded); a flat CSV of as many rows as the adapter made (post
records included) is loaded too, as the yardstick. Repeated records are the same records (the
reader collapses them), so the figure is the adapters' cost per record, not a scan's. Ratios
to the flat read are what to compare between runs (the machines are shared).

    python benchmarks/platforms.py [--records 200000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pod_detect
from pod_detect.io import write_table

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "platforms"
#: One fixture per platform: the container its users have most.
CHOSEN = {
    "x": "x/pages.jsonl",
    "bluesky": "bluesky/jetstream.jsonl",
    "reddit": "reddit/RC_2023-02.jsonl",
    "instagram": "instagram/media.jsonl",
    "github": "github/gharchive_2024-05-31-16.jsonl",
    "crowdtangle": "crowdtangle/facebook_historical.csv",
}


def _repeated(source: Path, target: Path, records: int) -> int:
    """The fixture's records (lines, or CSV rows under one header) repeated to ~``records``."""
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    header, body = (lines[:1], lines[1:]) if source.suffix == ".csv" else ([], lines)
    times = max(1, records // len(body))
    target.write_text("\n".join(header + body * times) + "\n", encoding="utf-8")
    return len(body) * times


def _timed(path: Path) -> tuple[float, pod_detect.Interactions]:
    start = time.perf_counter()
    data = pod_detect.load(str(path))
    return time.perf_counter() - start, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    figures = {}
    print(f"{'platform':<12} {'records':>9} {'rows/rec':>8} {'load s':>8} {'records/s':>11} "
          f"{'flat s':>8} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for name, fixture in CHOSEN.items():
            source = FIXTURES / fixture
            path = Path(folder) / f"{name}{source.suffix}"
            count = _repeated(source, path, args.records)
            once = pod_detect.load(str(source))  # rows made per record, before any is dropped
            per_record = (len(once.frame) + sum(once.dropped.values())) / once.rows_read
            seconds, data = _timed(path)
            flat = Path(folder) / f"{name}-flat.csv"
            table = _flat_rows(once, round(count * per_record))
            write_table(table, flat)
            flat_seconds, _ = _timed(flat)
            figures[name] = {"records": count, "rows_per_record": round(per_record, 2),
                             "load_s": round(seconds, 3),
                             "records_per_s": round(count / seconds),
                             "flat_load_s": round(flat_seconds, 3),
                             "ratio": round(seconds / flat_seconds, 2)}
            print(f"{name:<12} {count:>9,} {per_record:>8.2f} {seconds:>8.2f} "
                  f"{count / seconds:>11,.0f} {flat_seconds:>8.2f} "
                  f"{seconds / flat_seconds:>6.1f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")


def _flat_rows(data: pod_detect.Interactions, count: int):  # type: ignore[no-untyped-def]
    """The rows the adapter made, repeated to ``count`` rows of a flat table."""
    import numpy as np
    import pandas as pd

    frame = data.frame
    ids = np.append(data.accounts, "")
    posts = np.append(data.posts, "")
    flat = pd.DataFrame({"actor": ids[frame["actor"]], "author": ids[frame["author"]],
                         "post_id": posts[frame["post"]], "kind": frame["kind"].astype(str),
                         "timestamp": frame["timestamp"].astype("float64")})
    reps = max(1, count // max(1, len(flat)))
    return pd.concat([flat] * reps, ignore_index=True)


if __name__ == "__main__":
    main()
