"""Real data as the judge: the default scan of every file in ``../shared/data/``, against labels.

Run ``python benchmarks/real.py`` (``--help`` for options); ``benchmarks/README.md`` says how to
read the table. For each export (every ``*.csv`` there but the ``*.labels.csv``):

* the groups the default scan reports, by kind and severity, and the accounts they flag at
  ``low`` and above and at ``medium`` and above;
* where ``<name>.labels.csv`` exists (``account,label,...,n_repos``): recall of the accounts
  labelled ``fake`` at both levels, over three sets: every labelled fake account; those that
  engaged at least 2 posts (only they can co-engage); and the *coordinated* ones, fake accounts
  that engaged at least 3 of the same posts as another fake account, each time within a day
  of it (counted by :func:`pod_detect.candidates.coengage.co_engagement` on the fake
  accounts' rows, every engager paired). The labelled ``organic`` accounts flagged are
  counted too;
* where the file is organic (``--organic``, by default the two the shared README calls so),
  the groups at ``medium`` and above, which should be none;
* on the Russian retweets, the co-retweet pairs at the QUT toolkit's settings (60 s, at least
  2), which the toolkit puts at 43.

Everything runs in-process on the working tree's ``pod_detect``; the scan is
:func:`pod_detect.pipeline.scan` with :class:`~pod_detect.settings.Settings` (``--set`` changes
one, e.g. ``--set window=86400``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.coengage import co_engagement
from pod_detect.io import load
from pod_detect.model import SEVERITIES, Interactions, Report
from pod_detect.pipeline import scan
from pod_detect.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The files the shared README calls organic (no coordination known).
ORGANIC = ("quantumcomputing-se-2018.csv", "email-Eu-core-temporal-depts.csv")
#: The coordinated subset: fake accounts with this many posts co-engaged with another fake
#: account, each within this many seconds of it (the issue's definition).
COORDINATED_POSTS, COORDINATED_WINDOW = 3, 86_400.0
QUT_FILE, QUT_WINDOW, QUT_MIN, QUT_PAIRS = "russian_coord_tweets.csv", 60.0, 2, 43
LEVELS = ("low", "medium")


@dataclass
class Result:
    """The figures of one file."""

    file: str
    rows: int
    accounts: int
    seconds: float
    groups: dict[str, int]
    flagged: dict[str, int]
    recall: dict[str, dict[str, Any]] = field(default_factory=dict)
    organic_flagged: dict[str, int] = field(default_factory=dict)
    organic_file: bool = False
    qut_pairs: int | None = None


def flagged_at(report: Report, level: str) -> set[str]:
    """Names of the accounts in reported groups of at least ``level`` severity."""
    floor = SEVERITIES.index(level)
    return {report.account_name(m) for g in report.groups
            if SEVERITIES.index(g.severity) >= floor for m in g.members}


def coordinated(data: Interactions, fake: set[str]) -> set[str]:
    """Fake accounts with at least :data:`COORDINATED_POSTS` posts co-engaged with another
    fake account, each within :data:`COORDINATED_WINDOW` seconds."""
    names = np.asarray(data.accounts, dtype=object)
    is_fake = np.isin(names, list(fake))
    frame = data.frame
    rows = frame[is_fake[frame["actor"].to_numpy()]]
    pairs = co_engagement(rows, window=COORDINATED_WINDOW, min_weight=COORDINATED_POSTS)
    codes = np.union1d(pairs["actor_a"].to_numpy(), pairs["actor_b"].to_numpy())
    return {str(names[c]) for c in codes}


def recall(found: set[str], wanted: set[str]) -> dict[str, Any]:
    hit = len(found & wanted)
    return {"accounts": len(wanted), "flagged": hit,
            "recall": round(hit / len(wanted), 3) if wanted else None}


def judge(path: Path, settings: Settings, organic: bool) -> Result:
    data = load(str(path), on_bad_rows="warn")
    started = time.perf_counter()
    report = scan(data, settings)
    seconds = time.perf_counter() - started
    groups: dict[str, int] = {}
    for g in report.groups:
        groups[f"{g.kind} {g.severity}"] = groups.get(f"{g.kind} {g.severity}", 0) + 1
    flagged = {level: flagged_at(report, level) for level in LEVELS}
    result = Result(path.name, data.rows_read, len(data.accounts), round(seconds, 2),
                    dict(sorted(groups.items())), {k: len(v) for k, v in flagged.items()},
                    organic_file=organic)
    labels_path = path.with_name(path.stem + ".labels.csv")
    if labels_path.exists():
        labels = pd.read_csv(labels_path, dtype={"account": str}, keep_default_na=False)
        fake = labels[labels["label"] == "fake"]
        sets = {"fake": set(fake["account"]),
                "fake, 2+ posts": set(fake.loc[fake["n_repos"].astype(int) >= 2, "account"]),
                "coordinated": coordinated(data, set(fake["account"]))}
        organic_accounts = set(labels.loc[labels["label"] == "organic", "account"])
        for level in LEVELS:
            result.recall[level] = {name: recall(flagged[level], wanted)
                                    for name, wanted in sets.items()}
            result.organic_flagged[level] = len(flagged[level] & organic_accounts)
    if path.name == QUT_FILE:
        pairs = co_engagement(data.frame, window=QUT_WINDOW, min_weight=QUT_MIN)
        result.qut_pairs = len(pairs)
    return result


def table(results: list[Result]) -> str:
    lines = [f"{'file':38} {'rows':>8} {'groups (kind severity: n)':40} {'low+':>6} "
             f"{'med+':>6} {'scan s':>7}", "-" * 110]
    for r in results:
        groups = ", ".join(f"{k}: {v}" for k, v in r.groups.items()) or "none"
        lines.append(f"{r.file:38} {r.rows:>8,} {groups:40} {r.flagged['low']:>6,} "
                     f"{r.flagged['medium']:>6,} {r.seconds:>7.2f}")
    lines.append("")
    for r in results:
        for level in LEVELS if r.recall else ():
            parts = [f"{name} {v['flagged']:,}/{v['accounts']:,} = {v['recall']}"
                     for name, v in r.recall[level].items()]
            lines.append(f"{r.file} at {level}+: recall " + "; ".join(parts)
                         + f"; labelled organic flagged {r.organic_flagged[level]}")
        if r.organic_file:
            medium = sum(v for k, v in r.groups.items() if k.split()[1] != "low")
            verdict = "PASS" if medium == 0 else "FAIL"
            lines.append(f"{r.file}: organic, groups at medium+ {medium} (none expected) "
                         f"{verdict}")
        if r.qut_pairs is not None:
            lines.append(f"{r.file}: co-retweet pairs at 60 s, 2+: {r.qut_pairs} "
                         f"(QUT toolkit: {QUT_PAIRS})")
    return "\n".join(lines)


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help=f"the folder ({DATA})")
    parser.add_argument("--files", default="", help="comma-separated file names (all)")
    parser.add_argument("--organic", default=",".join(ORGANIC),
                        help="files with no coordination known (the shared README's two)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting other than its default (repeatable)")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON here")
    return parser.parse_args(argv)


def settings_of(pairs: list[str]) -> Settings:
    given: dict[str, Any] = {}
    defaults = Settings().to_dict()
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in defaults:
            raise SystemExit(f"real.py: unknown setting {name!r}")
        kind = type(defaults[name])
        given[name] = kind(float(value)) if kind in (int, float) else kind(value)
    return Settings(**given)


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    wanted = [f for f in args.files.split(",") if f]
    paths = sorted(p for p in args.data.glob("*.csv") if not p.name.endswith(".labels.csv")
                   and (not wanted or p.name in wanted))
    if not paths:
        print(f"real.py: no export in {args.data}", file=sys.stderr)
        return 2
    settings = settings_of(args.set)
    organic = set(args.organic.split(","))
    results = [judge(p, settings, p.name in organic) for p in paths]
    changed = {k: v for k, v in settings.to_dict().items() if v != Settings().to_dict()[k]}
    print(f"pod-detect on real data: default settings{', ' if changed else ''}"
          + ", ".join(f"{k}={v}" for k, v in changed.items()))
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"settings": settings.to_dict(), "results": [r.__dict__ for r in results]},
            indent=2) + "\n")
    failed = any(r.organic_file and any(k.split()[1] != "low" for k in r.groups)
                 for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
