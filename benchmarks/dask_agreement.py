"""The Dask engine against the pandas engine on every scenario of the quality suite.

Usage::

    pip install 'pod-detect[dask]'
    python benchmarks/dask_agreement.py                    # seed 0, 2000 accounts, 4 files
    python benchmarks/dask_agreement.py --seeds 0,1 --files 7 --accounts 800

For each scenario of ``quality.py`` and each seed, the simulated export is scanned by the
pandas engine as one frame, and by the Dask engine (a local cluster of two workers, one
thread each) after its rows were shuffled over ``--files`` Parquet files. The two JSON
reports must be equal but for ``input.source``. One line per run; exit 0 when all agree.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import BY_NAME, SCENARIOS  # noqa: E402

from pod_detect.engines.dask import load_dask, localise, start_cluster  # noqa: E402
from pod_detect.io import load, write_table  # noqa: E402
from pod_detect.pipeline import scan  # noqa: E402
from pod_detect.report import to_dict  # noqa: E402
from pod_detect.simulate import SimConfig, simulate  # noqa: E402


def document(report: Any) -> str:
    """The JSON report without ``input.source`` (a file name against a glob)."""
    doc = to_dict(report)
    doc["input"].pop("source")
    return json.dumps(doc, sort_keys=True)


def one(name: str, seed: int, accounts: int, files: int, folder: Path) -> dict[str, Any]:
    """Both engines on one simulated export; whether their reports are equal."""
    config = SimConfig(seed=seed, accounts=accounts, days=14, **BY_NAME[name].overrides)
    frame = simulate(config).frame
    single = folder / f"{name}-{seed}.parquet"
    write_table(frame, single)
    parts = folder / f"{name}-{seed}"
    parts.mkdir()
    order = np.random.default_rng(seed).permutation(len(frame))
    for i, rows in enumerate(np.array_split(order, files)):
        write_table(frame.iloc[np.sort(rows)].reset_index(drop=True), parts / f"{i}.parquet")
    started = time.perf_counter()
    expected = document(scan(load(str(single))))
    pandas_s = time.perf_counter() - started
    started = time.perf_counter()
    got = document(localise(scan(load_dask(str(parts), scratch=str(folder / "scratch")))))
    dask_s = time.perf_counter() - started
    return {"scenario": name, "seed": seed, "rows": len(frame), "equal": expected == got,
            "groups": len(json.loads(expected)["pods"]), "pandas_s": pandas_s, "dask_s": dask_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (0)")
    parser.add_argument("--accounts", type=int, default=2000, help="organic accounts (2000)")
    parser.add_argument("--files", type=int, default=4, help="Parquet files per export (4)")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    client = start_cluster(None, workers=2)
    print(f"{'scenario':<16} {'seed':>4} {'rows':>8} {'groups':>6} {'pandas s':>8} "
          f"{'dask s':>7}  reports")
    ok = True
    try:
        with tempfile.TemporaryDirectory() as temporary:
            for scenario in SCENARIOS:
                for seed in seeds:
                    folder = Path(temporary) / f"{scenario.name}-{seed}"
                    folder.mkdir()
                    r = one(scenario.name, seed, args.accounts, args.files, folder)
                    ok &= r["equal"]
                    print(f"{r['scenario']:<16} {r['seed']:>4} {r['rows']:>8} "
                          f"{r['groups']:>6} {r['pandas_s']:>8.1f} {r['dask_s']:>7.1f}  "
                          f"{'identical' if r['equal'] else 'DIFFERENT'}", flush=True)
    finally:
        client.close()
        client.cluster.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
