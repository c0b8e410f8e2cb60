"""The Dask engine on a Parquet dataset larger than its workers' memory, against pandas.

Usage::

    pip install 'pod-detect[dask]' psutil
    python benchmarks/dask_memory.py                          # 20M rows in 60 files
    python benchmarks/dask_memory.py --rows 4M --files 40 --pandas-limit 1.5GB
    python benchmarks/dask_memory.py --json dask_memory.json --keep

Once, and kept in ``--data-dir`` for the next run: one platform of about ``--rows`` rows is
simulated by ``pod-detect simulate`` (14 days, about 37.6 rows per organic account; the
simulation's own time and peak memory are measured and kept beside it), and its rows, which
the simulator writes in timestamp order, are cut by timestamp into ``--files`` Parquet files
of about equal rows: the export of one platform delivered as consecutive time ranges, so the
same accounts and posts recur across files as they would. The simulated file itself is the
pandas engine's input: the same rows, in one file.

Then, in one run and one after the other, each a child process (wall time, exit code, peak
resident memory of every process of its tree, polled with psutil every 0.2 s):

1. ``pod-detect scan EXPORT -f json`` with no limit (``--no-unlimited`` skips it): the real
   peak memory of the pandas engine, and the reference report;
2. the same under ``RLIMIT_AS = --pandas-limit`` (address space, so that allocations fail
   inside the process and pod-detect can say so: exit 2 and one line naming the file);
3. ``pod-detect scan 'DATASET/*.parquet' --engine dask --workers 2 --worker-memory 1GB
   --scratch RUN/scratch -f json``: the scanning process's peak, each worker's peak and how
   many worker processes there were (more than ``--workers`` means a worker was restarted).

The Dask report's ``pods``, ``accounts``, ``posts`` and ``input`` (minus ``source``) are
compared with the unlimited pandas run's. One table is printed (``--json PATH`` writes every
figure). Exit 0 when the Dask run completed and its findings equal pandas', else 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pyarrow.compute as pc
import pyarrow.parquet as pq
from dask.utils import parse_bytes

#: Simulated rows per organic account over 14 days with the default settings (measured).
ROWS_PER_ACCOUNT = 37.6
#: Seconds between two polls of a process tree's memory.
POLL = 0.2
#: The parts of the JSON report that must agree between the engines.
COMPARED = ("pods", "accounts", "posts", "input")
MB = 2**20


def parse_rows(text: str) -> int:
    """``"20M"`` -> 20,000,000; ``"250k"`` -> 250,000; plain numbers as they are."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"expected a row count like 20M or 250k, not {text!r}")
    return int(float(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2].lower()])


def timed(command: list[str], log: Path) -> subprocess.CompletedProcess[str]:
    """Run ``command`` under ``/usr/bin/time -v`` (its figures in ``log``), output kept."""
    return subprocess.run(["/usr/bin/time", "-v", "-o", str(log), *command],
                          capture_output=True, text=True, check=False)


def time_peak_mb(log: Path) -> float | None:
    """``Maximum resident set size`` of a ``time -v`` log, in MiB."""
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", log.read_text())
    return int(found.group(1)) / 1024 if found else None


def simulate(rows: int, seed: int, data_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The simulated export of about ``rows`` rows (made once) and what making it took."""
    path = data_dir / f"export-{rows}-seed{seed}.parquet"
    about = path.with_suffix(".json")
    if not path.exists() or not about.exists():
        part = path.with_name(path.name + ".part")
        accounts = max(100, round(rows / ROWS_PER_ACCOUNT))
        log = data_dir / "simulate.time"
        started = time.perf_counter()
        done = timed([sys.executable, "-m", "pod_detect", "simulate", "-o", str(part),
                      "--output-format", "parquet", "--accounts", str(accounts),
                      "--days", "14", "--seed", str(seed)], log)
        if done.returncode:
            sys.exit(f"simulation failed (exit {done.returncode}): {done.stderr.strip()}")
        figures = {"accounts": accounts, "seconds": time.perf_counter() - started,
                   "peak_mb": time_peak_mb(log)}
        part.rename(path)
        about.write_text(json.dumps(figures, indent=2) + "\n")
    return path, json.loads(about.read_text())


def split(export: Path, files: int) -> Path:
    """The export's rows cut by timestamp into ``files`` Parquet files (made once)."""
    target = export.with_name(f"{export.stem}-{files}files")
    if target.exists():
        return target
    table = pq.read_table(export)
    stamps = table["timestamp"]
    if not pc.all(pc.less_equal(stamps[:-1], stamps[1:])).as_py():
        table = table.sort_by("timestamp")
    building = target.with_name(target.name + ".part")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    edges = [round(i * table.num_rows / files) for i in range(files + 1)]
    for i, (start, stop) in enumerate(_pairs(edges)):
        pq.write_table(table.slice(start, stop - start), building / f"part-{i:03d}.parquet")
    building.rename(target)
    return target


def _pairs(values: list[Any]) -> zip[tuple[Any, Any]]:
    return zip(values[:-1], values[1:], strict=True)


def describe(export: Path, dataset: Path) -> dict[str, Any]:
    """Rows, files, bytes on disk and in memory as Arrow tables (uncompressed) of the dataset."""
    parts = sorted(dataset.glob("*.parquet"))
    sizes = [pq.ParquetFile(p).metadata.num_rows for p in parts]
    arrow = sum(pq.read_table(p).nbytes for p in parts)
    return {"rows": sum(sizes), "files": len(parts), "disk_mb": _disk(parts) / MB,
            "arrow_mb": arrow / MB, "file_rows_max": max(sizes),
            "file_mb_max": max(p.stat().st_size for p in parts) / MB,
            "export": str(export), "export_mb": export.stat().st_size / MB,
            "dataset": str(dataset)}


def _disk(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


class TreeMemory:
    """Polls the resident and virtual memory of a process and its descendants."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peaks: dict[int, dict[str, Any]] = {}
        self.total_mb = 0.0
        self.started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._poll()
            self._stop.wait(POLL)

    def _poll(self) -> None:
        try:  # the root is /usr/bin/time: only its descendants count
            procs = psutil.Process(self.root).children(recursive=True)
        except psutil.Error:
            return
        total = 0.0
        for proc in procs:
            try:
                memory, command = proc.memory_info(), " ".join(proc.cmdline())
            except psutil.Error:
                continue
            now = round(time.perf_counter() - self.started, 1)
            peak = self.peaks.setdefault(proc.pid, {"role": _role(command), "rss_mb": 0.0,
                                                    "vms_mb": 0.0, "first_s": now})
            peak["last_s"] = now
            peak["rss_mb"] = max(peak["rss_mb"], memory.rss / MB)
            peak["vms_mb"] = max(peak["vms_mb"], memory.vms / MB)
            total += memory.rss / MB
        self.total_mb = max(self.total_mb, total)

    def of(self, role: str) -> list[dict[str, Any]]:
        """The peaks of the processes in ``role`` (``scan``, ``worker``, ``other``)."""
        return [p for p in self.peaks.values() if p["role"] == role]


def _role(command: str) -> str:
    if "pod_detect" in command and " scan " in f" {command} ":
        return "scan"
    if "multiprocessing.spawn" in command:
        return "worker"
    return "other"


def run(command: list[str], workdir: Path, name: str, limit: int | None = None
        ) -> dict[str, Any]:
    """One measured child process: exit code, wall seconds, last stderr line, peaks."""
    log, err = workdir / f"{name}.time", workdir / f"{name}.stderr"

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    with open(err, "w") as stderr:
        child = subprocess.Popen(["/usr/bin/time", "-v", "-o", str(log), *command],
                                 stdout=subprocess.DEVNULL, stderr=stderr,
                                 preexec_fn=cap if limit else None)
        with TreeMemory(child.pid) as memory:
            status = child.wait()
    lines = [ln for ln in err.read_text().splitlines() if ln.strip()]
    return {"command": command, "limit_bytes": limit, "exit": status,
            "seconds": time.perf_counter() - started, "last_line": lines[-1] if lines else "",
            "timings": next((ln for ln in lines if "timings:" in ln), None),
            "dask_errors": [ln[:300] for ln in lines if " - ERROR - " in ln],
            "time_peak_mb": time_peak_mb(log) if log.exists() else None,
            "scan": memory.of("scan"), "workers": memory.of("worker"),
            "tree_peak_mb": memory.total_mb}


def scan_command(inputs: list[str], report: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "pod_detect", "scan", *inputs, "-f", "json",
            "-o", str(report), "-v", *extra]


def run_all(info: dict[str, Any], args: argparse.Namespace, workdir: Path
            ) -> dict[str, Any]:
    """The unlimited and limited pandas runs and the Dask run, one after the other."""
    export, dataset = info["export"], info["dataset"]
    out: dict[str, Any] = {}
    if args.unlimited:
        out["pandas"] = run(scan_command([export], workdir / "pandas.json", []),
                            workdir, "pandas")
    out["pandas_limited"] = run(scan_command([export], workdir / "limited.json", []),
                                workdir, "limited", parse_bytes(args.pandas_limit))
    dask = ["--engine", "dask", "--workers", str(args.workers),
            "--worker-memory", args.worker_memory, "--scratch", str(workdir / "scratch")]
    out["dask"] = run(scan_command([f"{dataset}/*.parquet"], workdir / "dask.json", dask),
                      workdir, "dask")
    out["equal"] = same_findings(workdir / "pandas.json", workdir / "dask.json")
    return out


def same_findings(first: Path, second: Path) -> dict[str, Any] | None:
    """Which of :data:`COMPARED` agree (``input`` without ``source``); None if one is missing."""
    if not first.exists() or not second.exists():
        return None
    a, b = (json.loads(p.read_text()) for p in (first, second))
    for doc in (a, b):
        doc["input"].pop("source", None)
    parts = {key: a.get(key) == b.get(key) for key in COMPARED}
    others = sorted(k for k in set(a) | set(b) if k not in COMPARED and a.get(k) != b.get(k))
    return {"parts": parts, "all": all(parts.values()), "other_differences": others,
            "pods": len(a.get("pods", []))}


def machine() -> dict[str, Any]:
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import dask

    import pod_detect

    return {"cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "available_gib": round(psutil.virtual_memory().available / 2**30, 1),
            "load": os.getloadavg(), "python": platform.python_version(),
            "dask": dask.__version__, "pod_detect": pod_detect.__version__}


def _peak(procs: list[dict[str, Any]], what: str = "rss_mb") -> str:
    return f"{max(p[what] for p in procs):,.0f}" if procs else "-"


def _outcome(result: dict[str, Any], equal: dict[str, Any] | None) -> str:
    if result["exit"] not in (0, 1):
        return "failed: its last stderr line is below"
    if equal is None:
        return "completed"
    if "--engine" not in result["command"]:
        return f"completed; {equal['pods']} groups reported"
    same = "yes" if equal["all"] else "NO (" + ", ".join(
        k for k, v in equal["parts"].items() if not v) + ")"
    return f"completed; findings equal to pandas: {same}"


def _dataset_line(info: dict[str, Any], sim: dict[str, Any]) -> str:
    return (f"dataset: {info['rows']:,} rows, one simulated 14-day platform "
            f"({sim['accounts']:,} organic accounts; simulated in {sim['seconds']:.0f} s, peak "
            f"{sim['peak_mb']:,.0f} MB), cut by timestamp into {info['files']} Parquet files: "
            f"{info['disk_mb']:,.0f} MB on disk, {info['arrow_mb']:,.0f} MB as Arrow tables; "
            f"largest file {info['file_rows_max']:,} rows, {info['file_mb_max']:.1f} MB. "
            f"Pandas input: the same rows in one file of {info['export_mb']:,.0f} MB")


def _run_lines(runs: dict[str, Any], args: argparse.Namespace) -> list[str]:
    head = (f"{'run':<16} {'memory limit':<22} {'exit':>4} {'wall s':>7} {'scan MB':>8} "
            f"{'scan VM':>8} {'worker MB':>9} {'procs':>5}  result")
    lines = [head, "-" * len(head)]
    rows = (("pandas", "pandas", "none"),
            ("pandas_limited", "pandas limited", f"address space {args.pandas_limit}"),
            ("dask", f"dask {args.workers} workers", f"{args.workers} x {args.worker_memory}"))
    for key, label, limit in rows:
        if key in runs:
            r = runs[key]
            lines.append(f"{label:<16} {limit:<22} {r['exit']:>4} {r['seconds']:>7.1f} "
                         f"{_peak(r['scan']):>8} {_peak(r['scan'], 'vms_mb'):>8} "
                         f"{_peak(r['workers']):>9} {len(r['workers']) or '-':>5}  "
                         f"{_outcome(r, runs['equal'])}")
    failed = [f"{label}: {runs[key]['last_line']}" for key, label, _ in rows
              if key in runs and runs[key]["exit"] not in (0, 1)]
    return lines + ([""] + failed if failed else [])


def _machine_line(about: dict[str, Any]) -> str:
    load = ", ".join(f"{x:.1f}" for x in about["load"])
    return (f"machine: {about['cpu']}, {about['cores']} cores, {about['memory_gib']} GiB "
            f"({about['available_gib']} GiB available at the start); load average {load} at "
            f"the end; python {about['python']}, dask {about['dask']}, "
            f"pod-detect {about['pod_detect']}")


def render(info: dict[str, Any], sim: dict[str, Any], runs: dict[str, Any],
           args: argparse.Namespace, about: dict[str, Any]) -> str:
    """The table: the dataset, one line per run, the machine."""
    lines = [_dataset_line(info, sim), "", *_run_lines(runs, args), "", _machine_line(about)]
    return "\n".join(lines) + "\n"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=parse_rows, default=parse_rows("20M"),
                        help="rows to simulate, e.g. 20M (default)")
    parser.add_argument("--files", type=int, default=60, help="Parquet files (60)")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers (2)")
    parser.add_argument("--worker-memory", default="1GB", help="per Dask worker (1GB)")
    parser.add_argument("--pandas-limit", default=None,
                        help="address-space limit of the limited pandas run (default: what "
                             "the Dask workers get in all, workers x worker memory)")
    parser.add_argument("--no-unlimited", dest="unlimited", action="store_false",
                        help="skip the pandas run without a limit (and the comparison)")
    parser.add_argument("--seed", type=int, default=1, help="simulation seed (1)")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "pod-detect-dask-memory",
                        help="where the export and the dataset are kept between runs")
    parser.add_argument("--keep", action="store_true",
                        help="keep this run's reports, logs and Dask scratch in DATA_DIR/run-*")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if args.pandas_limit is None:
        args.pandas_limit = f"{args.workers * parse_bytes(args.worker_memory) / 1e9:g}GB"
    if not os.path.exists("/usr/bin/time"):
        sys.exit("dask_memory.py needs /usr/bin/time (Debian package 'time')")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    about = machine()
    export, sim = simulate(args.rows, args.seed, args.data_dir)
    info = describe(export, split(export, args.files))
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=args.data_dir))
    try:
        runs = run_all(info, args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    about["load"] = os.getloadavg()
    sys.stdout.write(render(info, sim, runs, args, about))
    if args.keep:
        sys.stdout.write(f"\nreports, stderr and time -v logs kept in {workdir}\n")
    if args.json:
        document = {"machine": about, "dataset": info, "simulation": sim, "runs": runs,
                    "settings": {k: str(v) for k, v in vars(args).items()}}
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n")
    ok = runs["dask"]["exit"] in (0, 1) and (runs["equal"] or {}).get("all", False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
