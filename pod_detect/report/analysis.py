"""Per-account and per-group numbers the HTML report, ``explain`` and graph export share.

Computed from the canonical frame (``report.interactions.frame``) with vectorised pandas:
latencies, who engaged whom how often, a group's own rows. Nothing here prints.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from pod_detect.kernels.grouped import membership
from pod_detect.model import Group, Report
from pod_detect.reduce import latency_at, reduce
from pod_detect.scoring import inflating_groups, supplier


def latency(report: Report) -> np.ndarray:
    """Seconds from each row's post to the engagement, for every row of the report's frame;
    NaN when unknown. The detectors' definition (:func:`pod_detect.reduce.latency_at`),
    from the post times of the whole export (:attr:`~pod_detect.model.Report.post_times`),
    so the report shows what the timing detector tested, whichever rows it keeps."""
    frame = report.interactions.frame
    return latency_at(frame, post_times(report))


def post_times(report: Report) -> np.ndarray:
    """Each post's time by code, and NaN last: the scan's, or for a report made by hand
    from its frame, by the same rule (:func:`pod_detect.reduce.reduce`)."""
    if report.post_times is not None:
        return report.post_times
    return np.append(reduce(report.interactions).posts["post_time"].to_numpy("float64"),
                     np.nan)


def group_rows(report: Report, group: Group, at: GroupPositions | None = None,
               lat: np.ndarray | None = None) -> pd.DataFrame:
    """Rows of the group's engagement: members engaging members (``pod``) or any
    engagement by a member (``lockstep``, ``coordinated``), with a ``latency`` column.
    ``at`` (positions of every group's rows, :func:`group_positions`) and ``lat``
    (:func:`latency`) save a pass over the rows when many groups are shown."""
    frame = report.interactions.frame
    if at is None:
        members = list(group.members)
        mask = frame["actor"].isin(members)
        if group.kind == "pod":
            mask &= frame["author"].isin(members)
        positions = np.flatnonzero(mask.to_numpy())
    else:
        positions = at.engaging(group)
    rows = frame.iloc[positions][["actor", "author", "post", "timestamp"]].copy()
    rows["latency"] = (latency(report) if lat is None else lat)[positions]
    return rows


class GroupPositions:
    """Where each group's rows are in the report's frame, from one sort of the rows by
    their actor's group: what renders ten thousand groups without reading every row for
    each (:func:`group_rows`, :func:`member_matrix`)."""

    def __init__(self, report: Report) -> None:
        frame = report.interactions.frame
        index = membership([frozenset(g.members) for g in report.groups],
                           len(report.interactions.accounts))
        self.number = {group.id: i for i, group in enumerate(report.groups)}
        actor = index[frame["actor"].to_numpy()]
        self.author = index[frame["author"].to_numpy()]  # -1 (unknown) maps to the last
        self.order = np.argsort(actor, kind="stable")
        ranked = actor[self.order]
        groups = np.arange(len(report.groups))
        self.start = np.searchsorted(ranked, groups, side="left")
        self.stop = np.searchsorted(ranked, groups, side="right")

    def of(self, group: Group) -> np.ndarray:
        """Rows by a member, in frame order."""
        i = self.number[group.id]
        return np.sort(self.order[self.start[i]:self.stop[i]])

    def inside(self, group: Group) -> np.ndarray:
        """Rows by a member on a member's post, in frame order."""
        mine = self.of(group)
        return mine[self.author[mine] == self.number[group.id]]

    def engaging(self, group: Group) -> np.ndarray:
        """:meth:`inside` for a pod, :meth:`of` for a lockstep or coordinated group."""
        return self.inside(group) if group.kind == "pod" else self.of(group)


def member_matrix(report: Report, group: Group,
                  at: GroupPositions | None = None) -> pd.DataFrame:
    """Engagements of each member (rows) on each member's posts (columns).

    Returns
    -------
    pandas.DataFrame
        Square, indexed by member code in sorted name order; zeros where none.
    """
    frame = report.interactions.frame
    members = sorted(group.members, key=report.account_name)
    if at is None:
        inside = frame[frame["actor"].isin(members) & frame["author"].isin(members)]
    else:
        inside = frame.iloc[at.inside(group)]
    counts = inside.groupby(["actor", "author"]).size().unstack(fill_value=0)
    return counts.reindex(index=members, columns=members, fill_value=0).astype("int64")


def _by_members(report: Report, group: Group,
                at: GroupPositions | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``actor``, ``author``, ``post`` codes of the rows by the group's members."""
    frame = report.interactions.frame
    if at is None:
        positions = np.flatnonzero(frame["actor"].isin(list(group.members)).to_numpy())
    else:
        positions = at.of(group)
    return tuple(frame[c].to_numpy()[positions] for c in ("actor", "author", "post"))


def clients(report: Report, group: Group, at: GroupPositions | None = None) -> pd.Series:
    """The accounts whose posts the group's members engaged (posts with an id and a known
    author), and how many engagements each got from them: for a one-way or coordinated group,
    the accounts it boosts, counted as :func:`boosted` counts them (whatever the group's
    severity). Indexed by account code; most first, then by id."""
    _, author, post = _by_members(report, group, at)
    codes, counts = np.unique(author[(author >= 0) & (post >= 0)], return_counts=True)
    names = report.interactions.accounts[codes].astype(str)
    order = np.lexsort([names, -counts])
    return pd.Series(counts[order].astype("int64"), index=pd.Index(codes[order], name="author"),
                     name="engagements")


def client_matrix(report: Report, group: Group, columns: list[int],
                  at: GroupPositions | None = None) -> pd.DataFrame:
    """Engagements of each member (rows, in sorted name order) on the posts of each account
    of ``columns`` (codes, in that order), counted as :func:`clients` counts them: a one-way
    group's members against the accounts they boost. Zeros where none."""
    members = sorted(group.members, key=report.account_name)
    actor, author, post = _by_members(report, group, at)
    row = {m: i for i, m in enumerate(members)}
    column = {c: j for j, c in enumerate(columns)}
    matrix = np.zeros((len(members), len(columns)), dtype="int64")
    hit = np.isin(author, columns) & (post >= 0)
    for a, b in zip(actor[hit].tolist(), author[hit].tolist(), strict=True):
        matrix[row[a], column[b]] += 1
    return pd.DataFrame(matrix, index=pd.Index(members, name="actor"),
                        columns=pd.Index(columns, name="author"))


def picture_edges(report: Report, group: Group, accounts: list[int],
                  at: GroupPositions | None = None) -> pd.DataFrame:
    """Engagements by the group's members on the posts of ``accounts`` (codes; members and,
    for a one-way group, the accounts it boosts), both ends among ``accounts``: the edges of
    the group's network picture.

    Returns
    -------
    pandas.DataFrame
        ``actor``, ``author``, ``weight`` (engagements), sorted by actor then author code.
    """
    actor, author, _ = _by_members(report, group, at)
    keep = np.asarray(sorted(set(accounts)), dtype="int64")
    hit = np.isin(actor, keep) & np.isin(author, keep)
    pairs, weight = np.unique(np.stack([actor[hit], author[hit]], axis=1).astype("int64"),
                              axis=0, return_counts=True)
    pairs = pairs.reshape(-1, 2)
    return pd.DataFrame({"actor": pairs[:, 0], "author": pairs[:, 1],
                         "weight": weight.astype("int64")})


def counterparts(frame: pd.DataFrame, account: int) -> pd.DataFrame:
    """Everyone ``account`` engages or is engaged by, with counts both ways.

    Returns
    -------
    pandas.DataFrame
        Indexed by counterpart code: ``gives`` (engagements by ``account`` on their
        posts), ``gives_posts`` (distinct posts), ``gets`` (their engagements on
        ``account``'s posts), ``gets_posts``, ``reciprocal`` (both ways), ``total``;
        sorted by ``total`` descending, then code.
    """
    out = frame[frame["actor"] == account]
    out = out[out["author"] >= 0].groupby("author")["post"].agg(["size", "nunique"])
    back = frame[frame["author"] == account].groupby("actor")["post"].agg(["size", "nunique"])
    out.columns, back.columns = ["gives", "gives_posts"], ["gets", "gets_posts"]
    table = out.join(back, how="outer").fillna(0).astype("int64")
    table["reciprocal"] = (table["gives"] > 0) & (table["gets"] > 0)
    table["total"] = table["gives"] + table["gets"]
    table.index.name = "account"
    return table.sort_values(["total"], ascending=False, kind="stable")


def quartiles(values: np.ndarray) -> dict[str, float | None]:
    """``q1``, ``median``, ``q3`` and ``n`` of the finite values; ``None`` without any."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return {"n": 0, "q1": None, "median": None, "q3": None}
    q1, med, q3 = np.percentile(finite, [25, 50, 75])
    return {"n": int(len(finite)), "q1": float(q1), "median": float(med), "q3": float(q3)}


class Supplied(NamedTuple):
    """Every engagement of a post with an id and a known author, and the flagged group that
    supplied it (:func:`supplied`)."""

    actor: np.ndarray
    author: np.ndarray
    post: np.ndarray
    #: Index into ``groups`` of the group that supplied it; -1: authentic.
    group: np.ndarray
    #: Of the group that supplied it (false where authentic): a one-way or coordinated one.
    one_way: np.ndarray
    groups: list[Group]


def supplied(report: Report) -> Supplied:
    """Which flagged group, if any, supplied each engagement on a post with an id and a known
    author, by the per-post rule (:func:`pod_detect.scoring.supplier`, as
    :func:`pod_detect.scoring.score_posts` counts it); only groups at ``inflating`` severity
    or above count."""
    frame = report.interactions.frame
    counted = inflating_groups(report.groups, str(report.settings.get("inflating", "medium")))
    actor, author = frame["actor"].to_numpy(), frame["author"].to_numpy()
    post = frame["post"].to_numpy()
    known = (author >= 0) & (post >= 0)
    actor, author, post = actor[known], author[known], post[known]
    by, one_way = supplier(counted, len(report.interactions.accounts), actor, author)
    return Supplied(actor, author, post, by, one_way, counted)


def authors(report: Report) -> pd.DataFrame:
    """Per author whose posts flagged groups engaged: ``engagements`` received (on posts
    with an id), ``posts``, ``from_pods``, ``from_one_way`` (lockstep and coordinated
    groups), ``authentic``, ``authentic_share`` and ``groups`` (``{group id: engagements}``,
    most first), by :func:`supplied`. Indexed by account code; the most inauthentic
    engagements first, then by id."""
    columns = ["engagements", "posts", "from_pods", "from_one_way", "authentic",
               "authentic_share", "groups"]
    rows = supplied(report)
    bad = rows.group >= 0
    if not bad.any():
        return pd.DataFrame(columns=columns)
    author, post = rows.author, rows.post
    size = len(report.interactions.accounts)
    hit = np.flatnonzero(np.bincount(author[bad], minlength=size))  # sorted, distinct
    chosen = np.zeros(size, dtype=bool)
    chosen[hit] = True
    theirs = chosen[author]  # distinct posts counted on these authors' rows only
    span = int(post.max()) + 1
    table = pd.DataFrame({
        "engagements": np.bincount(author, minlength=size)[hit],
        "posts": np.bincount(pd.unique(author[theirs].astype(np.int64) * span
                                       + post[theirs]) // span, minlength=size)[hit],
        "from_pods": np.bincount(author[bad & ~rows.one_way], minlength=size)[hit],
        "from_one_way": np.bincount(author[rows.one_way], minlength=size)[hit],
    }, index=pd.Index(hit, name="author"))
    table["authentic"] = table["engagements"] - table["from_pods"] - table["from_one_way"]
    table["authentic_share"] = (table["authentic"] / table["engagements"]).round(4)
    pairs = pd.DataFrame({"author": author[bad], "group": rows.group[bad]}).value_counts()
    ids = [g.id for g in rows.groups]
    per: dict[int, dict[str, int]] = {}
    for (who, which), n in sorted(pairs.items(), key=lambda item: (-item[1], ids[item[0][1]])):
        per.setdefault(int(who), {})[ids[which]] = int(n)
    table["groups"] = [per[int(a)] for a in table.index]
    names = report.interactions.accounts[table.index.to_numpy()].astype(str)
    inauthentic = (table["from_pods"] + table["from_one_way"]).to_numpy()
    return table.iloc[np.lexsort([names, -inauthentic])]


def boosted(report: Report, top: int | None = None) -> dict[str, list[tuple[str, int]]]:
    """Per one-way or coordinated group (at ``inflating`` severity or above), the accounts
    whose posts it supplied engagement to (its clients) and how many engagements each got
    from it, most first (then by id); ``top`` of them at most. A pod boosts its own members:
    it has no entry."""
    rows = supplied(report)
    out: dict[str, list[tuple[str, int]]] = {}
    hit = rows.one_way
    if not hit.any():
        return out
    pairs = pd.DataFrame({"group": rows.group[hit], "author": rows.author[hit]}).value_counts()
    for (group, author), n in pairs.items():
        out.setdefault(rows.groups[int(group)].id, []).append(
            (report.account_name(int(author)), int(n)))
    return {gid: sorted(clients, key=lambda c: (-c[1], c[0]))[:top]
            for gid, clients in out.items()}


def neighbourhood(report: Report, cap: int = 300, members: list[int] | None = None
                  ) -> tuple[list[int], pd.DataFrame]:
    """Members of the flagged groups and their direct counterparts, and the edges among them.

    Parameters
    ----------
    report
        The scan's report.
    cap
        Most accounts kept: every member first, then the busiest counterparts.
    members
        The members to start from (default: every member of every group).

    Returns
    -------
    tuple
        Account codes, and a frame of directed edges ``actor``, ``author``, ``weight``
        (engagements), ``posts`` (distinct), ``first``, ``last`` (seconds, NaN without times).
    """
    frame = report.interactions.frame
    members = sorted({m for g in report.groups for m in g.members} if members is None
                     else set(members))
    touch = frame[(frame["actor"].isin(members) | frame["author"].isin(members))
                  & (frame["author"] >= 0)]
    activity = pd.concat([touch["actor"], touch["author"]]).value_counts(sort=False)
    activity = activity.drop(members, errors="ignore")
    order = activity.sort_values(ascending=False, kind="stable").index
    keep = members + [int(a) for a in order[: max(0, cap - len(members))]]
    inside = touch[touch["actor"].isin(keep) & touch["author"].isin(keep)]
    edges = inside.groupby(["actor", "author"]).agg(
        weight=("post", "size"), posts=("post", "nunique"),
        first=("timestamp", "min"), last=("timestamp", "max"),
    ).reset_index()
    return keep, edges
