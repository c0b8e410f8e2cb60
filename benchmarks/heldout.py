"""Held-out detection quality: exports pod-detect has never seen, scanned by the real CLI.

Run ``python benchmarks/heldout.py --help``; ``benchmarks/README.md`` explains the table.
For every (scenario, platform, seed) the independent generator in ``benchmarks/heldout/``
draws an export, writes it in that platform's column names and format (CSV, JSON Lines,
Parquet, some gzip) with its truth, runs ``python -m pod_detect scan FILE -f json -o
report.json`` in a subprocess from this worktree (``--map`` only for columns pod-detect's
aliases miss), and scores the report with ``pod_detect.simulate.evaluate.evaluate`` at medium+.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import mean
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the worktree's pod_detect, not an editable install elsewhere

import heldout  # noqa: E402  (benchmarks/heldout/, the package, wins over this script)
from heldout.platforms import PLATFORMS, Platform  # noqa: E402
from heldout.write import write  # noqa: E402

from pod_detect.io import ALIASES  # noqa: E402
from pod_detect.model import CANONICAL_COLUMNS  # noqa: E402
from pod_detect.simulate.evaluate import evaluate  # noqa: E402

MIN_SEVERITY = "medium"


# --------------------------------------------------------------------------- column maps


def _key(name: str) -> str:
    return "".join(ch for ch in name.strip().lower() if ch not in " _-")


def _auto(names: list[str], maps: dict[str, str]) -> dict[str, str]:
    """The column pod-detect reads as each canonical one: ``--map`` first, then aliases."""
    chosen = dict(maps)
    for canonical in CANONICAL_COLUMNS:
        if canonical in chosen:
            continue
        used = set(chosen.values())
        for alias in (canonical, *ALIASES[canonical]):
            hits = [n for n in names if _key(n) == _key(alias) and n not in used]
            if hits:
                chosen[canonical] = hits[0]
                break
    return chosen


def needed_maps(platform: Platform) -> dict[str, str]:
    """The ``--map`` options without which pod-detect would misread ``platform``'s columns.

    Starting from none, add a map for the first canonical column read wrongly (or not at
    all) until every one of the platform's columns is read as intended.
    """
    maps: dict[str, str] = {}
    names = list(platform.columns.values())
    while True:
        chosen = _auto(names, maps)
        wrong = [c for c, theirs in platform.columns.items() if chosen.get(c) != theirs]
        if not wrong:
            return maps
        maps[wrong[0]] = platform.columns[wrong[0]]


# --------------------------------------------------------------------------- one run


def scan(path: Path, report: Path, maps: dict[str, str]) -> tuple[float, str]:
    """Run the CLI on ``path``; return seconds taken and stderr (raise on exit code 2+)."""
    command = [sys.executable, "-m", "pod_detect", "scan", str(path), "-f", "json",
               "-o", str(report), "-q", *(f"--map={c}={t}" for c, t in maps.items())]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()}")
    return seconds, done.stderr


def command_line(path: Path, maps: dict[str, str]) -> str:
    """The shell command that reproduces a scan (run from the worktree)."""
    mapped = "".join(f" --map {c}={t}" for c, t in maps.items())
    return f"python -m pod_detect scan {path}{mapped} -f json -o {path}.report.json"


def run_platform(export: heldout.Export, platform: Platform, folder: Path) -> dict[str, Any]:
    """Write ``export`` as ``platform``, scan it and evaluate the report."""
    stem = f"{export.scenario}-{platform.name}-s{export.seed}"
    columns, name = platform.render(export)
    suffix = platform.formats[export.seed % len(platform.formats)]
    path = write(columns, folder / f"{stem}.{suffix}")
    truth = export.truth(name)
    (folder / f"{stem}.truth.json").write_text(json.dumps(truth, indent=1))
    maps = needed_maps(platform)
    report_path = Path(f"{path}.report.json")
    seconds, _ = scan(path, report_path, maps)
    report = json.loads(report_path.read_text())
    result = evaluate(report, truth, min_severity=MIN_SEVERITY)
    unread = sorted(set(platform.columns) - set(report["input"]["columns"]))
    lost = [f"columns not read despite the maps: {', '.join(unread)}"] if unread else []
    return {"scenario": export.scenario, "platform": platform.name, "seed": export.seed,
            "file": path.name, "rows": len(export.rows.t), "maps": maps,
            "command": command_line(path, maps), "scan_s": seconds,
            "columns_read": report["input"]["columns"], "evaluation": result.to_dict(),
            "misses": lost + misses(result.to_dict(), report, truth)}


def run_task(task: tuple[str, int, tuple[str, ...], int, int, Path]) -> list[dict[str, Any]]:
    """Generate one (scenario, seed) and run it on each platform; errors become entries."""
    scenario, seed, platforms, accounts, days, folder = task
    try:
        export = heldout.generate(scenario, seed, accounts, days)
    except Exception as error:  # noqa: BLE001  (reported in the table, the rest still runs)
        return [{"scenario": scenario, "platform": p, "seed": seed, "error": repr(error),
                 "traceback": traceback.format_exc()} for p in platforms]
    out = []
    for name in platforms:
        try:
            out.append(run_platform(export, PLATFORMS[name], folder))
        except Exception as error:  # noqa: BLE001
            out.append({"scenario": scenario, "platform": name, "seed": seed,
                        "error": repr(error), "traceback": traceback.format_exc()})
    return out


# --------------------------------------------------------------------------- diagnosis


def _describe(pod: dict[str, Any]) -> str:
    return f"{pod['id']} ({pod['kind']}, {pod['severity']}, score {pod['score']}, {pod['size']})"


def misses(result: dict[str, Any], report: dict[str, Any], truth: dict[str, Any]) -> list[str]:
    """Lines naming the planted groups not found and the negatives flagged, with the
    reported group involved (kind, severity, score, size)."""
    pods = {p["id"]: p for p in report.get("pods", [])}
    lines = []
    for group in result["groups"]:
        if not group["found"]:
            best = pods.get(group["match"])
            near = _best_any(group["id"], truth, report)
            lines.append(f"missed {group['id']} ({group['size']}): {group['flagged']} flagged, "
                         f"best medium+ J {group['jaccard']:.2f}"
                         + (f" {_describe(best)}" if best else "") + f"; {near}")
    for hit in result["negatives"]:
        if hit["flagged"]:
            groups = ", ".join(_describe(pods[g]) for g in hit["groups"]
                               if pods[g]["severity"] in ("medium", "high"))
            lines.append(f"flagged {hit['flagged']} of {hit['size']} in {hit['id']}: {groups}")
    return lines


def _best_any(group_id: str, truth: dict[str, Any], report: dict[str, Any]) -> str:
    """The best-overlapping reported group of any severity, for a planted group missed."""
    members = set(next(g["members"] for g in truth["groups"] if g["id"] == group_id))
    best, overlap = None, 0.0
    for pod in report.get("pods", []):
        found = set(pod["members"])
        j = len(found & members) / len(found | members)
        if j > overlap:
            best, overlap = pod, j
    return f"any severity: J {overlap:.2f} {_describe(best)}" if best else "nothing reported"


# --------------------------------------------------------------------------- table


COLUMNS = ("scenario", "platform", "rows", "P", "R", "F1", "found", "farm R", "neg fl",
           "clean med+", "unmatched", "scan s")


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One table row from the seeds of one (scenario, platform)."""
    ok = [r for r in runs if "error" not in r]
    if len(ok) < len(runs):
        return {"error": next(r["error"] for r in runs if "error" in r)}
    ev = [r["evaluation"] for r in ok]
    farms = [e["kinds"]["likefarm"]["recall"] for e in ev if "likefarm" in e["kinds"]]
    planted = sum(len(e["groups"]) for e in ev)
    return {"rows": mean(r["rows"] for r in ok), "P": mean(e["precision"] for e in ev),
            "R": mean(e["recall"] for e in ev), "F1": mean(e["f1"] for e in ev),
            "found": f"{sum(e['groups_found'] for e in ev)}/{planted}" if planted else "-",
            "farm R": mean(farms) if farms else None,
            "neg fl": sum(e["negatives_flagged"] for e in ev),
            "clean med+": None if planted else sum(e["counted"] for e in ev),
            "unmatched": sum(len(e["unmatched"]) for e in ev) if planted else None,
            "scan s": mean(r["scan_s"] for r in ok)}


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0f}" if value >= 1000 else f"{value:.3f}" if value <= 1 else f"{value:.2f}"
    return str(value)


def table(rows: list[tuple[str, str, dict[str, Any]]]) -> str:
    """The fixed-width table, one line per (scenario, platform)."""
    cells = [list(COLUMNS)]
    for scenario, platform, figures in rows:
        if "error" in figures:
            cells.append([scenario, platform, "ERROR " + figures["error"][:80]])
        else:
            cells.append([scenario, platform, *(_cell(figures[c]) for c in COLUMNS[2:])])
    width = [max(len(r[i]) for r in cells if i < len(r)) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.ljust(width[i]) if i < 2 else c.rjust(width[i])
                               for i, c in enumerate(row)).rstrip() for row in cells)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line (see ``--help``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="seed 0, 1500 accounts, 10 days: a fast check")
    parser.add_argument("--seeds", help="comma-separated seeds (default 0,1,2; 0 with --quick)")
    parser.add_argument("--scenarios", help="comma-separated scenarios (default all): "
                        + ", ".join(s.name for s in heldout.SCENARIOS))
    parser.add_argument("--platforms", default=",".join(PLATFORMS),
                        help="comma-separated platform styles (default all)")
    parser.add_argument("--accounts", type=int, help="organic accounts (default 3000)")
    parser.add_argument("--days", type=int, help="days per export (default 14)")
    parser.add_argument("--jobs", type=int, default=2, help="scans run at once (default 2)")
    parser.add_argument("--json", type=Path, help="also write every figure and miss here")
    parser.add_argument("--keep", type=Path,
                        help="keep exports, truths and reports in this folder (to reproduce)")
    args = parser.parse_args(argv)
    args.seeds = [int(s) for s in (args.seeds or ("0" if args.quick else "0,1,2")).split(",")]
    args.accounts = args.accounts or (1500 if args.quick else 3000)
    args.days = args.days or (10 if args.quick else 14)
    args.scenarios = (args.scenarios.split(",") if args.scenarios
                      else [s.name for s in heldout.SCENARIOS])
    args.platforms = args.platforms.split(",")
    for name in args.scenarios + args.platforms:
        if name not in heldout.BY_NAME and name not in PLATFORMS:
            parser.error(f"unknown scenario or platform {name!r}")
    return args


def run_all(args: argparse.Namespace, folder: Path) -> list[dict[str, Any]]:
    """Every run of the grid, in grid order."""
    tasks = [(s, seed, tuple(args.platforms), args.accounts, args.days, folder)
             for s in args.scenarios for seed in args.seeds]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        return [run for runs in pool.map(run_task, tasks) for run in runs]


def report(args: argparse.Namespace, runs: list[dict[str, Any]], seconds: float) -> str:
    """The table, the maps needed, and every miss with the command that reproduces it."""
    rows = [(s, p, aggregate([r for r in runs if r["scenario"] == s and r["platform"] == p]))
            for s in args.scenarios for p in args.platforms]
    lines = [f"held-out benchmark: seeds {','.join(map(str, args.seeds))}, {args.accounts} "
             f"accounts, {args.days} days, groups at {MIN_SEVERITY}+ ({seconds:.0f} s)", "",
             table(rows), "", "column maps needed (not among pod-detect's aliases):"]
    for name in args.platforms:
        maps = needed_maps(PLATFORMS[name])
        shown = " ".join(f"--map {c}={t}" for c, t in maps.items()) or "none"
        lines.append(f"  {name:<10} {shown}")
    lines += ["", "misses (planted groups not found, negatives flagged):"]
    for run in runs:
        if "error" in run:
            lines.append(f"  {run['scenario']}/{run['platform']}/s{run['seed']}: ERROR\n"
                         + run["traceback"])
        for miss in run.get("misses", []):
            lines.append(f"  {run['scenario']}/{run['platform']}/s{run['seed']}: {miss}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the grid, print the table; exit 1 when a run crashed."""
    args = parse_args(argv)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="heldout-") as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        runs = run_all(args, folder)
    print(report(args, runs, time.perf_counter() - start))
    if args.json:
        args.json.write_text(json.dumps({"accounts": args.accounts, "days": args.days,
                                         "seeds": args.seeds, "runs": runs}, indent=1))
    return 1 if any("error" in r for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
