"""What every detector reads: the data, its reduced tables, the settings, the candidate graphs
and their groups (each made once, on first use, or taken from work the pipeline started
ahead), and the rows of a list of groups with the per-row numbers the detectors test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from pod_detect.candidates.campaigns import campaigns
from pod_detect.candidates.cograph import CoGraph, coengagement_graph
from pod_detect.candidates.communities import communities
from pod_detect.candidates.reciprocal import Budget, dense_groups, reciprocal_graph
from pod_detect.engines.frames import collect, distinct, is_lazy, row_hashes, rows_of
from pod_detect.kernels import fast_paths
from pod_detect.kernels import sorting as _sorting
from pod_detect.kernels.grouped import (
    edge_arrays,
    edges_per_group,
    group_sums,
    membership,
    sizes,
)
from pod_detect.kernels.keys import Key
from pod_detect.model import Interactions
from pod_detect.reduce import Reduced, every_place, latency_of, places
from pod_detect.settings import Settings
from pod_detect.stats.tails import binomial_tail

#: The columns of a group's rows the detectors read.
MEMBER_COLUMNS = ("actor", "author", "post", "timestamp", "post_time", "text")


class Context:
    """What every detector may read: the data, its aggregates, the settings and a budget.

    Shared intermediate results (the candidate graphs, their groups, the rows of a list of
    groups) are computed once, on first use, or taken from ``ahead``: futures of work the
    pipeline started in other threads, by :meth:`memo` name (``"coengagement"``,
    ``"comment_templates"``).
    """

    def __init__(
        self, data: Interactions, reduced: Reduced, settings: Settings,
        ahead: Mapping[str, Future[Any]] | None = None,
    ) -> None:
        self.data = data
        self.reduced = reduced
        self.settings = settings
        self.budget = Budget(settings.clique_budget)
        #: Community merging's own budget: shared with clique enumeration, what was left
        #: for it depended on how many steps the cliques took and how many pieces Louvain
        #: cut a group into, which depends on the accounts' names in a symmetric graph.
        self.merging = Budget(settings.clique_budget)
        self._rows: dict[tuple[frozenset[int], ...], pd.DataFrame] = {}
        self._memo: dict[str, Any] = {}
        self._ahead = dict(ahead or {})
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def sample_hashes(self) -> np.ndarray | None:
        """:func:`pod_detect.engines.frames.row_hashes` of the frame, computed once a scan: what
        the detectors' baselines are sampled by."""
        return self.memo("sample_hashes", lambda: row_hashes(self.data.frame))

    def made(self, name: str) -> bool:
        """Whether :meth:`memo` has ``name`` already (nothing is computed to answer)."""
        return name in self._memo

    def memo(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()`` once per scan, under ``name`` (for detectors' shared work); the result
        of work started ahead under that name (see ``ahead``) when there is one. Safe from
        several threads: one makes it, the others wait for it."""
        if name in self._memo:
            return self._memo[name]
        with self._guard:
            lock = self._locks.setdefault(name, threading.RLock())
        with lock:
            if name not in self._memo:
                future = self._ahead.pop(name, None)
                self._memo[name] = future.result() if future is not None else make()
        return self._memo[name]

    @cached_property
    def reciprocal_graph(self) -> nx.Graph:
        return reciprocal_graph(self.reduced.pairs, self.settings)

    @cached_property
    def reciprocal_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """The reciprocal graph's edges as two arrays of account codes."""
        return edge_arrays(self.reciprocal_graph)

    @cached_property
    def coengagement_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """The co-engagement graph's edges as two arrays of account codes."""
        edges = self.coengagement.edges
        return (edges["actor_a"].to_numpy().astype("int64"),
                edges["actor_b"].to_numpy().astype("int64"))

    @cached_property
    def reciprocal_groups(self) -> list[frozenset[int]]:
        return dense_groups(self.reciprocal_graph, self.settings, self.budget)

    def candidate_sets(self) -> list[list[frozenset[int]]]:
        """Candidate groups from each candidate graph: each list disjoint, lists may overlap.

        The reciprocal graph's dense groups, then (with post ids) the co-engagement graph's
        communities. Overlaps between the lists are settled after scoring (see
        :func:`pod_detect.scoring.select`).
        """
        sets = [self.reciprocal_groups]
        if self.data.signals()["coengagement"] is None:
            sets.append(communities(self.coengagement, self.settings, self.merging))
            silent = self.reduced.accounts["posts"].to_numpy() == 0
            sets.append(campaigns(self.coengagement, self.data.frame, silent,
                                  self.settings.min_group_size))
        return sets

    @property
    def coengagement(self) -> CoGraph:
        """The co-engagement graph, its repeated pairs and what building it counted."""
        return self.memo("coengagement", lambda: coengagement_graph(
            self.data.frame, self.settings, len(self.data.accounts)))

    def rows(self, groups: list[frozenset[int]]) -> pd.DataFrame:
        """:meth:`group_rows` of ``groups`` (disjoint), computed once per list."""
        key = tuple(groups)
        if key not in self._rows:
            self._rows[key] = self.group_rows(groups)
        return self._rows[key]

    def reciprocity(self, members: frozenset[int]) -> tuple[int, int]:
        """Reciprocal member pairs, and the pairs that could reciprocate.

        A pair can reciprocate only when both members posted at least ``min_posts`` times
        in the export (a member who never posts can engage but not be engaged); without
        post ids every pair counts.
        """
        graph = self.reciprocal_graph.subgraph(members)
        if self.data.signals()["coverage"] is None:
            authored = self.reduced.accounts["posts"].to_numpy()
            posters = sum(1 for m in members if authored[m] >= self.settings.min_posts)
        else:
            posters = len(members)
        return graph.number_of_edges(), posters * (posters - 1) // 2

    def reciprocity_of(
        self, groups: list[frozenset[int]], index: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`reciprocity` of every group at once (``index`` from :meth:`membership`)."""
        linked = edges_per_group(*self.reciprocal_edges, index, len(groups))
        if self.data.signals()["coverage"] is None:
            authored = self.reduced.accounts["posts"].to_numpy() >= self.settings.min_posts
            posters = np.bincount(index[: len(authored)][authored] + 1,
                                  minlength=len(groups) + 1)[1:]
        else:
            posters = sizes(groups)
        return linked, posters * (posters - 1) // 2

    def membership(self, groups: list[frozenset[int]]) -> np.ndarray:
        """:func:`~pod_detect.kernels.grouped.membership` of ``groups`` in this export."""
        return membership(groups, len(self.data.accounts))

    def group_rows(self, groups: list[frozenset[int]]) -> pd.DataFrame:
        """Rows whose actor is in a group: ``group``, ``actor``, ``author``, ``post``,
        ``timestamp``, ``post_time``, ``text``, ``latency`` (NaN without times), ``own``
        (the author is in the same group) and ``inside`` (``own``, or the post is one the
        group targets together: engaged by at least a quarter of its members, and at
        least 3). In frame order for a pandas frame, sorted for a Dask one."""
        index = self.membership(groups)
        frame = self.data.frame
        if is_lazy(frame):
            members = np.flatnonzero(index[:-1] >= 0)
            rows = rows_of(frame, "actor", members, MEMBER_COLUMNS).reset_index(drop=True)
        else:  # in frame order, with each row's position for per-row lookups
            at = np.flatnonzero(index[frame["actor"].to_numpy()] >= 0)
            rows = frame.iloc[at][list(MEMBER_COLUMNS)].reset_index(drop=True)
            rows["row"] = at
        actor_group = index[rows["actor"].to_numpy()]
        author_group = index[rows["author"].to_numpy()]  # -1 (unknown) maps to the sentinel
        rows.insert(0, "group", actor_group)
        rows.insert(1, "own", author_group == actor_group)
        rows["latency"] = latency_of(rows, self.reduced.posts)
        sizes = np.array([len(g) for g in groups] + [0])
        chance = Chance(self.reduced.posts["engagers"].to_numpy(),
                        self.group_shares(groups, index), self.settings.alpha)
        rows["inside"] = rows["own"].to_numpy() | _targeted(rows, sizes, len(self.data.posts),
                                                            len(self.data.accounts), chance)
        return rows

    def group_shares(self, groups: list[frozenset[int]], index: np.ndarray) -> np.ndarray:
        """Per group (and 0 for the sentinel), its members' share of all engagement: the
        chance that one engagement of a post is theirs, if they engaged at random."""
        given = self.activity()
        return np.append(group_sums(given, index, len(groups)) / max(1, int(given.sum())), 0.0)

    def activity(self) -> np.ndarray:
        """Per account, its engagements for shares of *all* engagement: ``given`` (its
        distinct engagements of posts whose author is known, and of authors without post
        ids) plus its distinct engagements of posts whose author is not known. ``given``
        alone where every author is known; without it an export with few or no authors
        (retweets, shared links) would give every account a share of nothing."""
        return self.memo("activity", self._activity)

    def _activity(self) -> np.ndarray:
        given = self.reduced.accounts["given"].to_numpy()
        frame = self.data.frame
        unknown = frame[(frame["author"] < 0) & (frame["post"] >= 0)][["actor", "post"]]
        pairs = collect(unknown.drop_duplicates())
        if not len(pairs):
            return given
        return given + np.bincount(pairs["actor"].to_numpy(), minlength=len(given))

    def every_place(self) -> np.ndarray:
        """Every row's place among its post's timed engagements (pandas), computed once."""
        frame = self.data.frame
        return self.memo("places", lambda: every_place(
            frame["post"].to_numpy(), frame["timestamp"].to_numpy(dtype="float64")))

    def places(self, rows: pd.DataFrame) -> np.ndarray:
        """Each row's place among all the timed engagements of its post, 0 (first) to 1
        (last); NaN without a time (see :func:`pod_detect.reduce.places`)."""
        if "row" in rows.columns:  # rows of a pandas frame: every row's place, once
            return self.every_place()[rows["row"].to_numpy()]
        timed = (rows["post"].to_numpy() >= 0) & rows["timestamp"].notna().to_numpy()
        out = np.full(len(rows), np.nan)
        if not timed.any():
            return out
        post = rows["post"].to_numpy()[timed]
        among = rows_of(self.data.frame, "post", distinct(post), ["post", "timestamp"])
        among = among[among["timestamp"].notna()]
        out[timed] = places(post, rows["timestamp"].to_numpy()[timed],
                            among["post"].to_numpy(), among["timestamp"].to_numpy())
        return out


@dataclass(frozen=True)
class Chance:
    """What chance alone would put on a post: ``engagers`` per post code, ``share`` per
    group (its members' share of all engagement), ``alpha`` the test's level."""

    engagers: np.ndarray
    share: np.ndarray
    alpha: float

    def beyond(self, group: np.ndarray, post: np.ndarray, members: np.ndarray) -> np.ndarray:
        """Whether ``members`` distinct members of ``group`` engaging ``post`` is more than
        their share of all engagement explains (binomial upper tail at most ``alpha``)."""
        return binomial_tail(members, self.engagers[post], self.share[group]) <= self.alpha


def _targeted(rows: pd.DataFrame, sizes: np.ndarray, n_posts: int,
              n_accounts: int, chance: Chance) -> np.ndarray:
    """Whether each row's post is one its group targets together: engaged by at least 3
    members, and either a quarter of the group's members (``sizes``: members per group) or
    more of them than their share of all engagement explains (:class:`Chance`): a campaign
    of five hundred accounts that sends forty to each of its targets engages them together
    as surely as a pod of twelve whose three members like a post."""
    group, post = rows["group"].to_numpy(), rows["post"].to_numpy()
    known = np.flatnonzero(post >= 0)
    engaging = Key(len(sizes), max(n_posts, 1), n_accounts)  # (group, post, actor)
    if not engaging.fits or not fast_paths.enabled("targeted"):
        return _targeted_frames(rows, sizes, chance)
    place = Key(len(sizes), max(n_posts, 1))  # (group, post): what ``engaging`` begins with
    placed = place.pack(group[known], post[known])
    engaged = _sorting.unique(engaging.pack(group[known], post[known],
                                            rows["actor"].to_numpy()[known]))
    where, engagers = _sorting.runs(engaging.prefix(engaged, 2))  # every place, sorted
    group_of, post_of = place.field(where, 0), place.field(where, 1)
    targeted = _enough(engagers, group_of, post_of, sizes, chance)
    out = np.zeros(len(rows), dtype=bool)
    if targeted.any():  # the rows by place: their runs are the places of ``where``, in order
        order = _sorting.stable_order(placed, place.bound)
        out[known[order]] = np.repeat(targeted, _sorting.runs(placed[order])[1])
    return out


def _enough(engagers: np.ndarray, group: np.ndarray, post: np.ndarray, sizes: np.ndarray,
            chance: Chance) -> np.ndarray:
    """:func:`_targeted`'s rule for (group, post) places with ``engagers`` members each."""
    three = engagers >= 3
    quarter = engagers >= np.ceil(sizes[group] / 4)
    out = three & quarter
    open_ = np.flatnonzero(three & ~quarter)
    if len(open_):
        out[open_] = chance.beyond(group[open_], post[open_], engagers[open_])
    return out


def _targeted_frames(rows: pd.DataFrame, sizes: np.ndarray, chance: Chance) -> np.ndarray:
    """:func:`_targeted` by pandas group-bys, for codes too large to pack."""
    known = rows[rows["post"] >= 0].drop_duplicates(["group", "actor", "post"])
    engagers = known.groupby(["group", "post"]).size().rename("engagers").reset_index()
    enough = _enough(engagers["engagers"].to_numpy(), engagers["group"].to_numpy(),
                     engagers["post"].to_numpy(), sizes, chance)
    targets = engagers[enough][["group", "post"]]
    flagged = rows[["group", "post"]].merge(targets.assign(target=True), on=["group", "post"],
                                            how="left")
    return flagged["target"].fillna(False).to_numpy(dtype=bool)


