"""Detection quality on simulated exports: scan + evaluate over seeds x scenarios, one table.

Run ``python benchmarks/quality.py --help``; see ``benchmarks/README.md`` for how to read it.
Everything runs in-process: :func:`pod_detect.simulate.simulate` makes an export and its
truth, :func:`pod_detect.io.parse` loads the frame (as ``pod-detect scan`` would load the
written file), :func:`pod_detect.pipeline.scan` scans it with the default settings, and
:func:`pod_detect.simulate.evaluate.evaluate` scores the JSON report
(:func:`pod_detect.report.to_dict`) against the truth, counting groups at medium or above.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from statistics import mean
from typing import Any

import pod_detect
from pod_detect import __version__
from pod_detect.io import parse
from pod_detect.pipeline import scan
from pod_detect.report import to_dict
from pod_detect.simulate import NEGATIVE_KINDS, PLANTED_KINDS, SimConfig, simulate
from pod_detect.simulate.evaluate import evaluate

#: The issue's targets.
TARGETS = {"precision": 0.95, "recall": 0.95, "pod_jaccard": 0.5, "farm_recall": 0.9}
TARGETS_LINE = (
    "targets: precision >= 0.95, recall >= 0.95, every planted pod Jaccard >= 0.5, "
    "clean: no medium+ group, like-farm recall >= 0.9 (each on every seed)"
)
NO_PLANTED = {kind: 0 for kind in PLANTED_KINDS}


@dataclass(frozen=True)
class Scenario:
    """A named set of :class:`SimConfig` overrides (on top of accounts, days and seed)."""

    name: str
    about: str
    overrides: dict[str, Any]


def _alone(kind: str) -> Scenario:
    return Scenario(kind, f"only {kind} planted (1 group), every negative",
                    {**NO_PLANTED, kind: 1})


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("all", "default config: every planted kind and negative", {}),
    *(_alone(kind) for kind in PLANTED_KINDS),
    # The same two groups (same members and posting rates: the planted stream draws them
    # identically), once as classic pods and once camouflaged (engaging popular posts too).
    Scenario("camouflage-off", "2 pods of 8-15, no camouflage, every negative",
             {**NO_PLANTED, "classic": 2}),
    Scenario("camouflage-on", "the same 2 pods, camouflaged, every negative",
             {**NO_PLANTED, "camouflage": 2}),
    Scenario("clean", "no planted group; negatives: " + ", ".join(NEGATIVE_KINDS), NO_PLANTED),
    Scenario("no-timestamps", "default config, no timestamp/post_time columns",
             {"without_timestamps": True}),
    Scenario("no-text", "default config, no text column", {"without_text": True}),
    Scenario("no-post-ids", "default config, no post_id column", {"without_post_ids": True}),
)
BY_NAME = {s.name: s for s in SCENARIOS}


# --------------------------------------------------------------------------- one run


def run_one(task: tuple[str, int, int, int]) -> dict[str, Any]:
    """Simulate, scan and evaluate one (scenario, seed); return the figures of the run.

    A run that raises is reported as ``{"error": ...}`` (and the scenario as ERROR), so one
    crash does not hide the other figures.
    """
    name, seed, accounts, days = task
    try:
        config = SimConfig(seed=seed, accounts=accounts, days=days, **BY_NAME[name].overrides)
        sim = simulate(config)
        data = parse(sim.frame, source=f"{name}-seed{seed}")
        started = time.perf_counter()
        report = scan(data)
        seconds = time.perf_counter() - started
        result = evaluate(to_dict(report), sim.truth, min_severity="medium")
    except Exception as error:  # reported in the table, not hidden
        return {"scenario": name, "seed": seed, "error": f"{type(error).__name__}: {error}"}
    return _figures(name, seed, len(sim.frame), seconds, result)


def _figures(name: str, seed: int, rows: int, seconds: float, result: Any) -> dict[str, Any]:
    groups = result.groups
    pods = [g for g in groups if g.label == "pod"]
    farms = [g for g in groups if g.label == "lockstep"]
    farm_members = sum(g.size for g in farms)
    return {
        "scenario": name, "seed": seed, "rows": rows, "scan_seconds": seconds,
        "precision": result.precision, "recall": result.recall, "f1": result.f1,
        "planted": len(groups), "found": sum(g.found for g in groups),
        "jaccard_mean": mean(g.jaccard for g in groups) if groups else None,
        "pod_jaccard_min": min((g.jaccard for g in pods), default=None),
        "farm_recall": sum(g.flagged for g in farms) / farm_members if farm_members else None,
        "negatives_flagged": result.negatives_flagged,
        "counted": result.counted, "unmatched": len(result.unmatched),
        "evaluation": result.to_dict(),
    }


# --------------------------------------------------------------------------- aggregate


def failures(run: dict[str, Any]) -> list[str]:
    """The targets one run misses (short names, as in the table's verdict column)."""
    if run["planted"] == 0:
        return ["clean"] if run["counted"] else []
    missed = []
    if run["precision"] < TARGETS["precision"]:
        missed.append("P")
    if run["recall"] < TARGETS["recall"]:
        missed.append("R")
    if run["pod_jaccard_min"] is not None and run["pod_jaccard_min"] < TARGETS["pod_jaccard"]:
        missed.append("pod J")
    if run["farm_recall"] is not None and run["farm_recall"] < TARGETS["farm_recall"]:
        missed.append("farm")
    return missed


def _values(runs: list[dict[str, Any]], key: str) -> list[float]:
    return [r[key] for r in runs if r[key] is not None]


def aggregate(all_runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Means and minima of the rates, totals of the counts, the verdict."""
    runs = [r for r in all_runs if "error" not in r]
    errors = [f"seed {r['seed']}: {r['error']}" for r in all_runs if "error" in r]
    out: dict[str, Any] = {"seeds": [r["seed"] for r in runs], "errors": errors}
    for key in ("precision", "recall", "f1", "jaccard_mean", "farm_recall", "scan_seconds"):
        values = _values(runs, key)
        out[key] = mean(values) if values else None
        out[f"{key}_min"] = min(values) if values else None
    out["pod_jaccard_min"] = min(_values(runs, "pod_jaccard_min"), default=None)
    for key in ("planted", "found", "negatives_flagged", "counted", "unmatched", "rows"):
        out[key] = sum(r[key] for r in runs)
    missed = sorted({m for r in runs for m in failures(r)}, key=_ORDER.index)
    out["failed"] = missed
    out["verdict"] = "ERROR" if errors else "FAIL" if missed else "PASS"
    return out


_ORDER = ["P", "R", "pod J", "farm", "clean"]


# --------------------------------------------------------------------------- table

COLUMNS = (
    ("scenario", 15, "<"), ("P mean", 6, ">"), ("P min", 5, ">"), ("R mean", 6, ">"),
    ("R min", 5, ">"), ("F1", 5, ">"), ("found", 7, ">"), ("J mean", 6, ">"),
    ("pod J min", 9, ">"), ("farm R", 6, ">"), ("neg fl", 6, ">"), ("clean med+", 10, ">"),
    ("unmatched", 9, ">"), ("scan s", 6, ">"), ("verdict", 0, "<"),
)


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _verdict(agg: dict[str, Any]) -> str:
    if agg["errors"]:
        runs = len(agg["errors"]) + len(agg["seeds"])
        return f"ERROR ({len(agg['errors'])} of {runs} runs crashed)"
    return agg["verdict"] + (f" ({', '.join(agg['failed'])})" if agg["failed"] else "")


def table_row(name: str, agg: dict[str, Any], clean: bool) -> list[str]:
    verdict = _verdict(agg)
    if not agg["seeds"]:
        return [name, *["-"] * (len(COLUMNS) - 2), verdict]
    return [
        name, _num(agg["precision"]), _num(agg["precision_min"]), _num(agg["recall"]),
        _num(agg["recall_min"]), _num(agg["f1"]),
        "-" if clean else f"{agg['found']}/{agg['planted']}",
        _num(agg["jaccard_mean"], 2), _num(agg["pod_jaccard_min"], 2),
        _num(agg["farm_recall"]), str(agg["negatives_flagged"]),
        str(agg["counted"]) if clean else "-", str(agg["unmatched"]),
        _num(agg["scan_seconds"], 2), verdict,
    ]


def _line(row: list[str]) -> str:
    return "  ".join(
        f"{cell:{align}{width}}" for cell, (_, width, align) in zip(row, COLUMNS, strict=True)
    ).rstrip()


def render(results: dict[str, dict[str, Any]], args: argparse.Namespace, wall: float) -> str:
    cells = [[title for title, _, _ in COLUMNS]]
    cells += [table_row(name, r["aggregate"], r["clean"]) for name, r in results.items()]
    lines = [_line(row) for row in cells]
    rule = "-" * max(len(line) for line in lines)
    passed = [n for n, r in results.items() if r["aggregate"]["verdict"] == "PASS"]
    return "\n".join([
        f"pod-detect {__version__} quality: seeds {','.join(map(str, args.seeds))}, "
        f"{args.accounts} accounts, {args.days} days; groups counted at medium or above",
        lines[0], rule, *lines[1:], rule,
        "rates: mean and min over seeds (P is 0 when nothing is flagged but something was "
        "planted); found, neg fl, clean med+, unmatched: totals over seeds;",
        "J: Jaccard overlap with the best-matching reported group (J mean over every planted "
        "group, pod J min over pods); scan s: mean seconds per scan()",
        TARGETS_LINE,
        f"PASS {len(passed)} of {len(results)}: "
        + "  ".join(f"{n} {r['aggregate']['verdict']}" for n, r in results.items()),
        *(f"{name} crashed, {error}" for name, r in results.items()
          for error in r["aggregate"]["errors"]),
        f"wall time {wall:.1f} s with {args.jobs} job(s)",
    ]) + "\n"


# --------------------------------------------------------------------------- main


def _ints(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 0,1,2, not {text!r}") from None


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=_ints, default=None, help="comma-separated (0,1,2)")
    parser.add_argument("--accounts", type=int, default=None, help="organic accounts (2000)")
    parser.add_argument("--days", type=int, default=14, help="days per export (14)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (2)")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON here")
    parser.add_argument("--quick", action="store_true", help="1 seed, 800 accounts")
    parser.add_argument("--scenarios", default=None,
                        help="comma-separated subset of: " + ", ".join(BY_NAME))
    args = parser.parse_args(argv)
    args.seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    args.accounts = args.accounts or (800 if args.quick else 2000)
    names = args.scenarios.split(",") if args.scenarios else list(BY_NAME)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    args.names = names
    return args


def run_all(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    tasks = [(name, seed, args.accounts, args.days) for name in args.names for seed in args.seeds]
    if args.jobs <= 1:
        runs = [run_one(task) for task in tasks]
    else:
        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            runs = pool.map(run_one, tasks, chunksize=1)
    results: dict[str, dict[str, Any]] = {}
    for name in args.names:
        mine = [r for r in runs if r["scenario"] == name]
        scenario = BY_NAME[name]
        clean = all(scenario.overrides.get(kind, 1) == 0 for kind in PLANTED_KINDS)
        results[name] = {"about": scenario.about, "overrides": scenario.overrides,
                         "clean": clean, "aggregate": aggregate(mine), "runs": mine}
    return results


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    started = time.perf_counter()
    results = run_all(args)
    wall = time.perf_counter() - started
    sys.stdout.write(render(results, args, wall))
    if args.json:
        document = {
            "tool": {"name": "pod-detect", "version": __version__,
                     "package": os.path.dirname(pod_detect.__file__)},
            "settings": {"seeds": args.seeds, "accounts": args.accounts, "days": args.days,
                         "jobs": args.jobs, "min_severity": "medium"},
            "targets": {**TARGETS, "clean_medium_groups": 0},
            "wall_seconds": wall,
            "scenarios": results,
        }
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
    return 1 if any(r["aggregate"]["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
