"""``pod-detect explain``: everything the report knows about one account, as plain data.

Its group and why; whom it engages and who engages it (counts, reciprocal or not); its
latency against everyone's; its comments against its group's templates; the posts where it
took part with its group. No printing: the CLI renders the dict this module returns.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.errors import PodDetectError
from pod_detect.model import Group, Report
from pod_detect.report import iso, plain
from pod_detect.report.analysis import counterparts, latency, quartiles, supplied
from pod_detect.stats.templates import comment_style, normalise

#: Counterparts, comment examples and posts listed at most.
TOP = 10


class UnknownAccount(PodDetectError):
    """The account is not in the export."""


def find_account(report: Report, name: str) -> int:
    """The code of account ``name``; :class:`UnknownAccount` naming close matches otherwise."""
    names = [str(a) for a in report.interactions.accounts]
    if name in names:
        return names.index(name)
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownAccount(f"account {name!r} is not in the export{hint}")


def _counterparts(report: Report, code: int, group: Group | None) -> dict[str, Any]:
    table = counterparts(report.interactions.frame, code)
    members = set(group.members) if group else set()
    group_of = {m: g.id for g in report.groups for m in g.members}

    def rows(column: str) -> list[dict[str, Any]]:
        top = table[table[column] > 0].sort_values(column, ascending=False, kind="stable")
        return [{"account": report.account_name(int(c)), "engagements": int(r[column]),
                 "posts": int(r[column + "_posts"]),
                 "back": int(r["gets" if column == "gives" else "gives"]),
                 "reciprocal": bool(r.reciprocal), "same_group": int(c) in members,
                 "group": group_of.get(int(c))}
                for c, r in top.head(TOP).iterrows()]

    return {"engages": rows("gives"), "engaged_by": rows("gets"),
            "engages_total": int((table["gives"] > 0).sum()),
            "engaged_by_total": int((table["gets"] > 0).sum()),
            "reciprocal_total": int(table["reciprocal"].sum())}


def _latency(report: Report, code: int) -> dict[str, Any]:
    frame = report.interactions.frame
    lat = latency(report)
    mine = (frame["actor"] == code).to_numpy()
    return {"account": quartiles(lat[mine]), "everyone_else": quartiles(lat[~mine])}


def _comments(report: Report, code: int, group: Group | None) -> dict[str, Any]:
    frame = report.interactions.frame
    style = comment_style(frame["actor"].to_numpy(), frame["text"])
    rows = frame.iloc[style.rows].assign(templated=style.templated)
    rows["words"] = normalise(rows["text"].astype(str)).to_numpy()
    members = list(group.members) if group else [code]
    by_group = rows[rows["actor"].isin(members)]
    spread = by_group.groupby("words")["actor"].nunique()
    templates = set(spread[(spread >= 2) & (spread.index != "")].index)
    mine = rows[rows["actor"] == code]
    group_template = mine["words"].isin(templates)
    examples = mine.assign(group_template=group_template.to_numpy()).head(TOP)
    return {
        "comments": len(mine), "templated": int(mine["templated"].sum()),
        "group_templates": int(group_template.sum()),
        "templated_share": round(float(mine["templated"].mean()), 4) if len(mine) else None,
        "examples": [{"text": str(r.text), "templated": bool(r.templated),
                      "group_template": bool(r.group_template)}
                     for r in examples.itertuples()],
    }


def _posts(report: Report, code: int, group: Group | None) -> list[dict[str, Any]]:
    if group is None:
        return []
    frame = report.interactions.frame
    members = list(group.members)
    mine = frame[(frame["actor"] == code) & (frame["post"] >= 0)]
    together = frame[frame["post"].isin(mine["post"]) & frame["actor"].isin(members)]
    count = together.groupby("post")["actor"].nunique().rename("members")
    table = mine.drop_duplicates("post").join(count, on="post")
    table["latency"] = latency(report)[frame.index.get_indexer(table.index)]
    table = table[(table["members"] >= 2) | table["author"].isin(members)]
    table = table.sort_values(["members", "post"], ascending=[False, True], kind="stable")
    return [{"post_id": report.post_name(int(r.post)), "author": report.account_name(int(r.author)),
             "time": iso(r.timestamp), "latency_s": None if np.isnan(r.latency) else r.latency,
             "group_members_engaged": int(r.members)} for r in table.head(TOP).itertuples()]


def _as_author(report: Report, code: int) -> dict[str, Any] | None:
    """How much of the engagement ``code`` received is authentic, and who supplied the rest
    (the flagged groups and accounts, by :func:`~pod_detect.report.analysis.supplied`);
    None when no one engaged its posts."""
    rows = supplied(report)
    mine = rows.author == code
    if not mine.any():
        return None
    group, actor = rows.group[mine], rows.actor[mine]
    bad = group >= 0
    ids = [g.id for g in rows.groups]
    groups = pd.Series(group[bad]).value_counts()
    accounts = pd.DataFrame({"actor": actor[bad], "group": group[bad]}).value_counts()
    top = sorted(accounts.items(), key=lambda item: (-item[1],
                                                    report.account_name(int(item[0][0]))))
    received = int(mine.sum())
    authentic = received - int(bad.sum())
    return {
        "engagements": received, "posts": int(len(np.unique(rows.post[mine]))),
        "from_pods": int((bad & ~rows.one_way[mine]).sum()),
        "from_one_way": int(rows.one_way[mine].sum()),
        "authentic": authentic, "authentic_share": round(authentic / received, 4),
        "groups": sorted(({"group": ids[g], "kind": rows.groups[g].kind,
                           "severity": rows.groups[g].severity, "engagements": int(n)}
                          for g, n in groups.items()),
                         key=lambda e: (-e["engagements"], e["group"])),
        "suppliers": [{"account": report.account_name(int(a)), "engagements": int(n),
                       "group": ids[g]} for (a, g), n in top[:TOP]],
        "suppliers_total": len(accounts),
    }


#: The window of co-engagement partners for an account in no group with a time scale.
PARTNER_WINDOW = 900.0


def _partners(report: Report, code: int, group: Group | None) -> dict[str, Any]:
    """The accounts that engaged the same posts as ``code`` within a window (its group's
    co-engagement scale, else 15 minutes), at least twice: the pairs ``pod-detect pairs``
    would list for it, by distinct posts."""
    from dataclasses import replace

    from pod_detect.report.pairs import coengagement_pairs

    frame = report.interactions.frame
    scale = group.evidence.get("scale_s") if group is not None else None
    window = float(scale) if isinstance(scale, (int, float)) and scale > 0 else PARTNER_WINDOW
    posts = frame.loc[(frame["actor"] == code) & (frame["post"] >= 0), "post"].unique()
    empty = {"window_s": window, "partners": [], "partners_total": 0}
    if not len(posts):
        return empty
    around = replace(report.interactions, frame=frame[frame["post"].isin(posts)])
    pairs = coengagement_pairs(around, window=window, min_weight=2, weighting="count")
    name = report.account_name(code)
    mine = pairs[(pairs["account_1"] == name) | (pairs["account_2"] == name)]
    if not len(mine):
        return empty
    members = {report.account_name(m) for m in group.members} if group else set()
    group_of = {report.account_name(m): g.id for g in report.groups for m in g.members}
    other = np.where(mine["account_1"] == name, mine["account_2"], mine["account_1"])
    return {"window_s": window, "partners_total": len(mine), "partners": [
        {"account": str(o), "posts": int(n), "same_group": str(o) in members,
         "group": group_of.get(str(o))}
        for o, n in list(zip(other, mine["posts"].to_numpy(), strict=True))[:TOP]]}


def explain(report: Report, name: str) -> dict[str, Any]:
    """Everything about account ``name`` in ``report``, as JSON-ready data.

    Raises
    ------
    UnknownAccount
        When ``name`` is not in the export (the message suggests close names).
    """
    code = find_account(report, name)
    group = next((g for g in report.groups if code in g.members), None)
    score = next((a for a in report.accounts if a.account == code), None)
    frame: pd.DataFrame = report.interactions.frame
    return plain({
        "account": report.account_name(code),
        "engagements_given": int((frame["actor"] == code).sum()),
        "engagements_received": int((frame["author"] == code).sum()),
        "group": None if group is None else {
            "id": group.id, "kind": group.kind, "severity": group.severity,
            "score": group.score, "size": len(group.members), "reasons": list(group.reasons),
            "members": sorted(report.account_name(m) for m in group.members),
        },
        "account_score": None if score is None else {
            "score": score.score, "evidence": score.evidence, "reasons": list(score.reasons)},
        **_counterparts(report, code, group),
        "latency": _latency(report, code),
        "comments": _comments(report, code, group),
        "posts_with_group": _posts(report, code, group),
        "as_author": _as_author(report, code),
        "coengagement": _partners(report, code, group),
    })
