"""Co-engagement: members engage the same posts within minutes of each other, post after post.

This finds what reciprocity cannot: rotating pods (each post gets a random subset of a large
pod, so no two members engage each other often enough to look reciprocal) and like-farms (the
members never post; they hit the same clients' posts together).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.candidates.context import Context
from pod_detect.detectors.base import Detector, Finding, selected
from pod_detect.engines.frames import distinct, rows_of
from pod_detect.kernels import fast_paths
from pod_detect.kernels import sorting as _sorting
from pod_detect.kernels.grouped import (
    edges_per_group,
    group_sums,
    inner_degree,
    inner_edges,
    sizes,
)
from pod_detect.kernels.keys import Key
from pod_detect.model import Kind
from pod_detect.stats.evidence import (
    LARGE_H,
    STRICTER,
    cohens_h,
    effect,
    log10_group_structure,
    stricter_levels,
)
from pod_detect.stats.tails import binomial_tail
from pod_detect.text import scale as window_name

#: Share of a post's engagers from which a group counts as supplying its audience.
OWNS = 0.5
#: Other members who must engage a member's post for the group to engage it together
#: (fewer in a smaller group: all the others).
TOGETHER = 3


def kind_of(own_share: float, known: int, engagements: int, has_authors: bool) -> Kind:
    """A co-engagement group's kind, from the posts it engages together.

    ``pod`` when at least half of those posts are members' own (``own_share``; a post is
    a member's only when its author is known, so a pod needs authors by construction).
    Otherwise ``coordinated`` when the export cannot say whose posts they are: it has no
    author column (``has_authors`` false), or the author is known for fewer than half of
    the group's engagements on them (``known`` of ``engagements``, each (member, post) once):
    the members may be boosting each other's posts whose authors are missing as well as
    someone else's, so neither a pod nor a one-way group can be claimed. Else ``lockstep``
    (one-way: most of what they engage together is known to be others' posts)."""
    if own_share >= 0.5:
        return "pod"
    if not has_authors or 2 * known < engagements:
        return "coordinated"
    return "lockstep"


class CoEngagementDetector(Detector):
    """Measures, for every candidate group, how densely its members co-engage.

    Strength is the share of member pairs linked in the co-engagement graph (pairs that
    co-engaged at least ``min_coengaged`` posts within ``window`` seconds, beyond what their
    activity predicts) times how much of the engagement of the posts the group targets it
    supplies (:func:`_supplied`): quick co-engagers on busy posts are a sliver of those
    posts' audience; a pod or a farm is most of it. The finding's kind (:func:`kind_of`) is
    ``pod`` when most of what the members engage together is their own posts, ``coordinated``
    when the export does not say whose posts those are, else ``lockstep`` (one-way, like a
    like-farm). A member's post counts as engaged together only when :data:`TOGETHER`
    other members engaged it, more than their share of all engagement explains (a
    celebrity's fans liking a few of each other's posts are not a pod). A ``coordinated``
    group is measured as a one-way one (its strength and severity are what they would be
    were it ``lockstep``); only what it is called, and what its reasons claim, differ.

    A one-way group's share of its targets' engagers counts in full only when it comes
    early among them; and a group that comes early and engages most of its targets' posts
    supplies them even when it is a minority of their audience (a farm liking a popular
    client's every post within minutes). A brand's staff or a few superfans who like every
    post at their own pace cover it too, but late. For a pod, the strength is also scaled by
    the share of member pairs that do *not* reciprocate: members who engage each other's
    posts necessarily co-engage them, so for a reciprocal group co-engagement adds nothing
    and the completeness of its rounds (the reciprocal detector) is what tells a pod from
    friends. What it does add is the rotating pod, whose members co-engage without ever
    reciprocating.

    A one-way group also has a campaign route, for farms that work in batches (no clique,
    and a minority of their targets' audience beside the one-shot accounts of the same
    operation): the share of its bursts that its targets' own rhythm does not explain
    (:func:`_synchrony`, :func:`_excess`) times how far its share of its targets' engagers
    exceeds its share of all engagement (Cohen's h over :data:`LARGE_H`, capped at 1) times
    the share of members who never post. The strength is the larger of the two routes.
    """

    name = "coengagement"
    requires = ("coengagement",)
    description = "members engage the same posts within minutes of each other, repeatedly"

    def prepare(self, context: Context) -> None:
        if context.data.has_timestamps:
            context.every_place()

    def detect(
        self, context: Context, groups: list[frozenset[int]], only: Sequence[int] | None = None
    ) -> list[Finding]:
        if not groups:
            return []
        rows = context.rows(groups)
        inside = rows[rows["inside"] & (rows["post"] >= 0)]
        index = context.membership(groups)
        edge_group = inner_edges(*context.coengagement_edges, index)  # -1: not inside one
        scale = _scales(context, edge_group, len(groups))
        numbers = _numbers(context, groups, index, inside, scale)
        degree = inner_degree(*context.coengagement_edges, index)
        numbers["scale"] = scale
        for j, count in enumerate(_strict_links(context, edge_group, len(groups))):
            numbers[f"strict{j}"] = count
        table = numbers.to_dict("records")  # plain numbers: a Series per group costs more
        given_per = context.activity()
        given = max(1, int(given_per.sum()))
        eligible = int((given_per >= context.settings.min_coengaged).sum())
        return [
            self._finding(context, members, table[i], degree, given, eligible)
            for i, members in ((i, groups[i]) for i in selected(groups, only))
        ]

    def _finding(
        self, context: Context, members: frozenset[int], row: dict[str, Any],
        degree: np.ndarray, given: int, eligible: int,
    ) -> Finding:
        n = len(members)
        possible = n * (n - 1) // 2
        edges = int(row["edges"])
        density = edges / possible
        n_posts = int(row["posts"])
        own_share = float(row["own"]) / n_posts if n_posts else 0.0
        engagements, known = int(row["engagers"]), int(row["known"])
        has_authors = "author" in context.data.columns
        kind = kind_of(own_share, known, engagements, has_authors)
        one_way = kind != "pod"  # lockstep, or coordinated: measured alike
        could = int(row["could"])
        explained = int(row["linked"]) / could if kind == "pod" and could else 0.0
        exclusivity = float(row["engagers"] / row["engaged"]) if n_posts else 0.0
        coverage = float(row["coverage"]) if one_way else 0.0
        early = float(row["early"]) if one_way else float("nan")
        expected = float(row["given"] / given)
        silent = 1.0 - float(row["posters"]) / n
        if one_way and row["timed"] < context.settings.min_baseline:
            early = float("nan")  # too few timed engagements to tell early from late
        share = min(1.0, exclusivity / OWNS)
        burst = _excess(float(row["synced"]), float(row["expected_synced"]))
        campaign = (burst * min(1.0, max(0.0, cohens_h(exclusivity, expected)) / LARGE_H)
                    * silent if one_way else 0.0)
        supplied = (share if kind == "pod" else
                    _supplied(share, exclusivity, coverage, early, silent))
        known_share = known / engagements if engagements else 0.0
        evidence: dict[str, Any] = {
            "coengaged_pairs": edges,
            "coengagement_density": round(density, 4),
            "group_posts": n_posts,
        }
        if known < engagements:  # said only when some authors are not known
            evidence["author_known_share"] = round(known_share, 4)
        if kind != "coordinated":  # whose posts they were is what it does not know
            evidence["own_post_share"] = round(own_share, 4)
        evidence["group_share_of_engagers"] = round(exclusivity, 4)
        evidence["expected_share_of_engagers"] = round(expected, 6)
        if kind == "lockstep":
            evidence["target_coverage"] = round(coverage, 4)
        if one_way:
            evidence["earliness"] = None if np.isnan(early) else round(early, 4)
            evidence["silent_share"] = round(silent, 4)
            if not np.isnan(row["synced"]):
                evidence["synced_share"] = round(float(row["synced"]), 4)
                evidence["expected_synced_share"] = round(float(row["expected_synced"]), 4)
        counts = context.coengagement.counts
        scale = float(row["scale"])
        if counts["timed"] and scale >= 0:
            evidence["scale_s"] = scale
        within = (f" within {window_name(scale)} of each other" if counts["timed"] and scale >= 0
                  else "")
        if counts["timed"] and counts["untimed_rows"]:
            within += " (rows without a time: at any time)"
        what = "the post" if n_posts == 1 else f"the {n_posts} posts"
        supply = (f"on {what} the group engages together, members are "
                  f"{exclusivity:.0%} of all engagers, where their share of all engagement "
                  f"predicts {expected:.1%}; ")
        if kind == "coordinated":
            supply += _whose_posts_missing(known_share, has_authors)
        else:
            supply += (f"{own_share:.0%} of those posts are the members' own"
                       + (" (one-way: lockstep)" if kind == "lockstep" else ""))
        reasons = [
            f"{edges} of {possible} member pairs engaged at least "
            f"{context.settings.min_coengaged} of the same posts{within}, beyond what their "
            f"activity predicts ({density:.0%})",
            supply,
        ]
        member_evidence = {m: {"coengaged_with": int(degree[m])} for m in sorted(members)}
        log10_p = log10_group_structure(edges, possible, context.settings.alpha, n,
                                        eligible, [int(row[f"strict{j}"])
                                                   for j in range(STRICTER)])
        evidence["structure_log10_p"] = round(log10_p, 2)
        return Finding(
            detector=self.name, kind=kind, members=members,
            strength=float(max(density * supplied, campaign) * possible / (possible + 1)
                           * (1.0 - explained)),
            evidence=evidence, reasons=tuple(reasons), member_evidence=member_evidence,
            log10_p=log10_p,
        )


def _whose_posts_missing(known_share: float, has_authors: bool) -> str:
    """A ``coordinated`` group's reason: the authors of the posts it engaged are not in the
    export (no claim of reciprocity, of one-way engagement, of whose posts they were)."""
    if not has_authors:
        missing = "the posts' authors are not in the export (it has no author column)"
    elif known_share > 0:
        missing = ("the posts' authors are not in the export for most of them (given for "
                   f"{known_share:.0%} of the members' engagements on them)")
    else:
        missing = "the posts' authors are not in the export"
    return (f"{missing}, so whose posts they are cannot be told: the group is reported as "
            "coordinated, neither as a pod nor as a like-farm")


def _may_campaign(table: pd.DataFrame, size: np.ndarray, given: np.ndarray,
                  low: float) -> np.ndarray:
    """Per group, whether the campaign route could make it reportable: with bursts all
    unexplained (the most :func:`_excess` gives) and the strongest behaviour, would its
    supply reach ``low``? Measuring bursts reads every engagement of the targets; most
    groups (members who post, a share their activity explains) are spared it."""
    engaged = table["engaged"].to_numpy(dtype="float64")
    raw = np.divide(table["engagers"].to_numpy(dtype="float64"), engaged,
                    out=np.zeros(len(table)), where=engaged > 0)
    expected = table["given"].to_numpy(dtype="float64") / max(1.0, float(given.sum()))
    silent = 1.0 - table["posters"].to_numpy() / np.maximum(size, 1)
    best = np.clip(cohens_h(raw, expected) / LARGE_H, 0.0, 1.0) * silent
    return effect(best, 1.0) >= low


def _excess(synced: float, expected: float) -> float:
    """The share of a group's bursts that its targets' own rhythm does not explain:
    ``(synced - expected) / (1 - expected)``, in [0, 1] (0 without timed targets)."""
    if np.isnan(synced) or np.isnan(expected) or expected >= 1.0:
        return 0.0
    return float(np.clip((synced - expected) / (1.0 - expected), 0.0, 1.0))


def _numbers(
    context: Context, groups: list[frozenset[int]], index: np.ndarray, inside: pd.DataFrame,
    scale: np.ndarray,
) -> pd.DataFrame:
    """Per group (by index): inner co-engagement ``edges``; on the posts it engages together,
    ``posts``, ``own`` (posts by members), ``engagers`` (distinct member engagers summed over
    posts), ``known`` (the same over the posts whose author is known) and ``engaged`` (all
    engagers summed); ``linked``/``could`` (reciprocity),
    ``given`` (members' engagements) and ``coverage`` (:func:`_target_coverage`)."""
    n = len(groups)
    posts = _group_posts(inside, n, len(context.data.posts), len(context.data.accounts))
    posts["engaged"] = context.reduced.posts["engagers"].to_numpy()[posts["post"].to_numpy()]
    given = context.activity()
    share = context.group_shares(groups, index)
    posts = posts[~posts["own"].to_numpy() | _together(posts, groups, share, context)]
    author = context.reduced.posts["author"].to_numpy()[posts["post"].to_numpy()]
    posts = posts.assign(known=np.where(author >= 0, posts["engagers"].to_numpy(), 0))
    per = posts.groupby("group")[["own", "engagers", "engaged", "known"]].sum()
    table = per.reindex(pd.RangeIndex(n), fill_value=0)
    table["posts"] = posts.groupby("group").size().reindex(table.index, fill_value=0)
    table["edges"] = edges_per_group(*context.coengagement_edges, index, n)
    table["linked"], table["could"] = context.reciprocity_of(groups, index)
    table["given"] = group_sums(given, index, n)
    posted = (context.reduced.accounts["posts"].to_numpy() > 0).astype("float64")
    table["posters"] = group_sums(posted, index, n)
    table["coverage"] = _target_coverage(context, index, inside, n)
    # earliness only matters for one-way groups: places are measured for their rows only
    one_way = table["own"].to_numpy() < 0.5 * table["posts"].to_numpy()
    targets = inside[~inside["own"].to_numpy() & one_way[inside["group"].to_numpy()]]
    targets = targets.assign(position=context.places(targets))
    table["early"] = _earliness(context, targets, n)
    wanted = targets[_may_campaign(table, sizes(groups), given, context.settings.low)[
        targets["group"].to_numpy()]]
    table["synced"], table["expected_synced"] = _synchrony(context, wanted, scale, n)
    timed = targets["position"].notna().groupby(targets["group"]).sum()
    table["timed"] = timed.reindex(table.index, fill_value=0).to_numpy()
    return table


def _strict_links(context: Context, group: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Per stricter level (:func:`~pod_detect.stats.evidence.stricter_levels`), each
    group's inner links whose p-value is at most it (``group``: each edge's group, -1 for
    an edge inside none)."""
    inner = group >= 0
    pvalue = context.coengagement.edges["pvalue"].to_numpy()[inner]
    return [np.bincount(group[inner][pvalue <= level], minlength=n_groups)
            for level in stricter_levels(context.settings.alpha)]


def _scales(context: Context, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the window at which most of its inner co-engagement edges are most
    significant (ties: the shorter); -1 for a group without inner edges (``group``: each
    edge's group, -1 for an edge inside none)."""
    inner = group >= 0
    scale = context.coengagement.edges["scale"].to_numpy()[inner]
    windows = np.unique(scale)
    out = np.full(n_groups, -1.0)
    if not len(windows):
        return out
    votes = np.zeros((n_groups, len(windows)), dtype=np.int64)
    np.add.at(votes, (group[inner], np.searchsorted(windows, scale)), 1)
    has = votes.sum(axis=1) > 0
    out[has] = windows[np.argmax(votes[has], axis=1)]
    return out


def _group_posts(inside: pd.DataFrame, n_groups: int, n_posts: int,
                 n_accounts: int) -> pd.DataFrame:
    """Per (group, post) its members engaged, in that order: ``own`` (the post is a
    member's) and ``engagers`` (distinct members). By one sort of packed (group, post,
    actor) keys where they fit in an int64; ``own`` is the same on every row of a (group,
    post), since a post has one author."""
    engaging = Key(n_groups, n_posts, n_accounts)
    if not engaging.fits or not fast_paths.enabled("group_posts"):
        distinct = inside.drop_duplicates(["group", "actor", "post"])
        return distinct.groupby(["group", "post"], sort=True).agg(
            own=("own", "first"), engagers=("actor", "size")).reset_index()
    place = Key(n_groups, n_posts)  # what ``engaging`` begins with
    group, post = inside["group"].to_numpy(), inside["post"].to_numpy()
    pair = place.pack(group, post)
    key = engaging.pack(group, post, inside["actor"].to_numpy())
    pairs, engagers = _sorting.runs(engaging.prefix(_sorting.unique(key), 2))
    own_pairs = _sorting.unique(pair[inside["own"].to_numpy()])
    at = np.minimum(np.searchsorted(own_pairs, pairs), max(len(own_pairs) - 1, 0))
    own = own_pairs[at] == pairs if len(own_pairs) else np.zeros(len(pairs), dtype=bool)
    return pd.DataFrame({"group": place.field(pairs, 0).astype(inside["group"].dtype),
                         "post": place.field(pairs, 1).astype(inside["post"].dtype),
                         "own": own, "engagers": engagers})


def _together(
    posts: pd.DataFrame, groups: list[frozenset[int]], share: np.ndarray, context: Context
) -> np.ndarray:
    """Whether the group engaged each of these (member) posts together: at least
    :data:`TOGETHER` other members (all of them in a smaller group), and either a twentieth
    of the group or more than the members' share of all engagement explains (binomial tail
    at most ``alpha``; a pod that is most of an export's engagement cannot show that, a
    rotating pod of a thousand can). Fans who now and then like each other's posts do not
    make those posts the group's own."""
    group = posts["group"].to_numpy()
    engagers = posts["engagers"].to_numpy()
    size = sizes(groups)[group]
    enough = engagers >= np.minimum(TOGETHER, size - 1)
    chance = binomial_tail(engagers, posts["engaged"].to_numpy(), share[group])
    return enough & ((engagers * 20 >= size) | (chance <= context.settings.alpha))


def _supplied(share: float, raw: float, coverage: float, early: float, silent: float) -> float:
    """How much of its targets' engagement a one-way group supplies, in [0, 1].

    ``share`` is its part of their engagers (1 from :data:`OWNS`), ``raw`` the same part
    unsaturated. A group that is also early among those engagers is its targets' first
    audience (a farm); one that is not may just be their audience (fans, staff):
    ``share * (1 + early) / 2``. Early and engaging most of the targets' posts is as good
    as being most of their audience: ``coverage * early``. Being most of the audience
    counts however late it comes, but only for the members who never post (``silent``):
    throwaway accounts starring a repository years into its life are a farm, while a
    brand's staff, who have lives of their own, are most of its likers too. Without times
    (``early`` NaN: fewer than ``min_baseline`` timed engagements of the targets) the share
    and the coverage count for the silent members alone.
    """
    if np.isnan(early):
        return max(share, coverage) * silent
    return max(share * (1.0 + early) / 2.0, coverage * early, raw * silent)


def _synchrony(context: Context, rows: pd.DataFrame, scale: np.ndarray,
               n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group, how much of its engagement of its targets came in bursts, and how much of
    that the targets' own rhythm explains (``rows``: the members' timed rows on posts not
    their own; ``scale``: each group's window, seconds).

    ``synced`` is the share of those rows within the group's window of another member's
    engagement of the same post. ``expected`` is what it would be if the members' times
    had been drawn like the post's other engagers' times: for a row with ``f`` of the
    post's other timed engagements within the window of it and ``m`` members on the post,
    ``1 - (1 - f) ** (m - 1)``. Only rows of posts with at least ``min_baseline`` other
    timed engagements count (else nothing tells a burst from the post's own pace). A viral
    post or a celebrity's post, engaged by everyone within the hour, explains its fans'
    hour; a repository starred over five years does not explain forty stars in a day. NaN
    for a group without such rows."""
    synced = np.full(n_groups, np.nan)
    expected = np.full(n_groups, np.nan)
    timed = rows[rows["timestamp"].notna().to_numpy()]
    timed = timed.sort_values("timestamp", kind="stable").drop_duplicates(
        ["group", "actor", "post"])  # a member's like and comment are one engagement
    if not len(timed):
        return synced, expected
    group = timed["group"].to_numpy()
    window = scale[group]
    keep = window > 0
    timed, group, window = timed[keep], group[keep], window[keep]
    post = timed["post"].to_numpy()
    time = timed["timestamp"].to_numpy(dtype="float64")
    among = rows_of(context.data.frame, "post", distinct(post), ["post", "timestamp"])
    among = among[among["timestamp"].notna()]
    all_near = _near(among["post"].to_numpy(), among["timestamp"].to_numpy(dtype="float64"),
                     post, time, window)
    place = Key(n_groups, len(context.data.posts)).pack(group, post)
    mine_near = _near(place, time, place, time, window)
    members = pd.Series(1, index=place).groupby(level=0).transform("size").to_numpy()
    on_post = np.bincount(among["post"].to_numpy(), minlength=len(context.data.posts))[post]
    others = on_post - members
    usable = others >= context.settings.min_baseline
    if not usable.any():
        return synced, expected
    share = np.clip((all_near - mine_near)[usable] / others[usable], 0.0, 1.0)
    chance = 1.0 - (1.0 - share) ** (members[usable] - 1)
    frame = pd.DataFrame({"group": group[usable], "synced": mine_near[usable] >= 2,
                          "chance": chance})
    per = frame.groupby("group")[["synced", "chance"]].mean()
    synced[per.index.to_numpy()] = per["synced"].to_numpy()
    expected[per.index.to_numpy()] = per["chance"].to_numpy()
    return synced, expected


def _near(keys: np.ndarray, times: np.ndarray, at_keys: np.ndarray, at_times: np.ndarray,
          window: np.ndarray) -> np.ndarray:
    """For each query (``at_keys``, ``at_times``), the rows (``keys``, ``times``) with the
    same key and a time within ``window`` of it (itself included if it is one of them):
    one sort, two binary searches, keys spaced apart further than any window reaches."""
    if not len(at_keys):
        return np.zeros(0, dtype=np.int64)
    origin = min(times.min(initial=np.inf), at_times.min())
    reach = float(window.max())
    stride = float(max(times.max(initial=-np.inf), at_times.max()) - origin) + 2 * reach + 1
    ranks = np.unique(np.concatenate([keys, at_keys]))
    rank_of, asked_rank = np.searchsorted(ranks, keys), np.searchsorted(ranks, at_keys)
    block = max(1, int(2.0 ** 52 // stride))  # keys per pass that float64 keeps exact
    out = np.zeros(len(at_keys), dtype=np.int64)
    for first in range(0, len(ranks), block):
        mine = (rank_of >= first) & (rank_of < first + block)
        asked_here = np.flatnonzero((asked_rank >= first) & (asked_rank < first + block))
        order = np.sort((rank_of[mine] - first) * stride + (times[mine] - origin))
        asked = (asked_rank[asked_here] - first) * stride + (at_times[asked_here] - origin)
        reach_of = window[asked_here]
        out[asked_here] = (np.searchsorted(order, asked + reach_of, side="right")
                           - np.searchsorted(order, asked - reach_of, side="left"))
    return out


def _earliness(context: Context, rows: pd.DataFrame, n_groups: int) -> np.ndarray:
    """Per group, how early the members come among the other engagers of the posts they
    target (``rows``: not their own posts, with each row's ``position`` among its post's
    engagers): on each post, the share ``a`` of (member, other engager) pairs where the
    member came first; averaged over the posts (a viral post counts once, like any other)
    and read as ``2 * a - 1`` clipped to [0, 1] (0: no earlier than the others). NaN when
    no other engager of those posts has a time."""
    timed = rows[rows["position"].notna()]
    n = context.reduced.posts["timed"].to_numpy()[timed["post"].to_numpy()]
    per = pd.DataFrame({"group": timed["group"].to_numpy(), "post": timed["post"].to_numpy(),
                        "rank": timed["position"].to_numpy() * (n - 1), "n": n})
    posts = per.groupby(["group", "post"]).agg(m=("rank", "size"), ranks=("rank", "sum"),
                                               n=("n", "first"))
    m, n_post = posts["m"].to_numpy(), posts["n"].to_numpy()
    before = m * (n_post - 1) - posts["ranks"].to_numpy() - m * (m - 1) / 2
    pairs = m * (n_post - m)
    others = pairs > 0  # posts where someone else engaged too
    first = pd.Series(before[others] / pairs[others],
                      index=posts.index.get_level_values("group")[others])
    mean = first.groupby(level=0).mean()  # every post counts once, viral or not
    out = np.full(n_groups, np.nan)
    out[mean.index.to_numpy()] = np.clip(2.0 * mean.to_numpy() - 1.0, 0.0, 1.0)
    return out


def _target_coverage(
    context: Context, index: np.ndarray, rows: pd.DataFrame, n_groups: int
) -> np.ndarray:
    """Per group, the share of each target author's posts the members engaged, averaged over
    members and weighted by how many of the group's posts each target wrote (a client, not a
    decoy)."""
    targeted = rows[~rows["own"] & (rows["author"] >= 0)].drop_duplicates(["group", "post"])
    weights = targeted.groupby(["group", "author"]).size().rename("weight").reset_index()
    pairs = context.reduced.pairs
    actor_group = index[pairs["actor"].to_numpy()]
    author = pairs["author"].to_numpy()
    # only the members' pairs with a target author of their group: the sums of those
    # (group, author) are what they would be among all the members' pairs
    target = Key(len(index), len(index))  # (group, author)
    wanted = np.unique(target.pack(weights["group"].to_numpy(), weights["author"].to_numpy()))
    members = np.flatnonzero(actor_group >= 0)
    key = target.pack(actor_group[members], author[members])
    at = np.minimum(np.searchsorted(wanted, key), max(len(wanted) - 1, 0))
    mine_rows = members[wanted[at] == key] if len(wanted) else members[:0]
    mine = pd.DataFrame({"group": actor_group[mine_rows], "author": author[mine_rows],
                         "coverage": pairs["coverage"].to_numpy()[mine_rows]})
    covered = mine.groupby(["group", "author"])["coverage"].sum().rename("covered")
    weights = weights.join(covered, on=["group", "author"]).fillna({"covered": 0.0})
    size = np.bincount(index[index >= 0], minlength=n_groups)
    weights["term"] = weights["covered"] / size[weights["group"].to_numpy()] * weights["weight"]
    per = weights.groupby("group")[["term", "weight"]].sum()
    out = np.zeros(n_groups)
    has = per["weight"].to_numpy() > 0
    out[per.index.to_numpy()[has]] = (per["term"] / per["weight"]).to_numpy()[has]
    return out
