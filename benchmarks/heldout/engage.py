"""Engagement rows: the organic flow along follows, and the building blocks groups use.

A row is (actor, post, time, is_comment, text); times are seconds from the export's start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import text as texts
from .world import Posts, World, morning, organic_delay

#: Organic engagement probability scale, comment share and explore (non-follower) rate.
BASE_P, COMMENT_SHARE, EXPLORE = 0.06, 0.15, 0.4
Delay = Callable[[np.random.Generator, int], np.ndarray]
Texter = Callable[[np.random.Generator, int], list[str]]


@dataclass(frozen=True)
class Part:
    """A batch of engagement rows (equal-length arrays)."""

    actor: np.ndarray
    post: np.ndarray
    t: np.ndarray
    comment: np.ndarray
    text: np.ndarray


def make_part(rng: np.random.Generator, actor: np.ndarray, post: np.ndarray, t: np.ndarray,
              comment_share: float, texter: Texter) -> Part:
    """Rows with a ``comment_share`` of comments, whose text ``texter`` writes."""
    comment = rng.random(len(actor)) < comment_share
    text = np.full(len(actor), "", dtype=object)
    text[comment] = texter(rng, int(comment.sum()))
    return Part(actor.astype(np.int64), post.astype(np.int64), t, comment, text)


def join(parts: list[Part]) -> Part:
    """All rows of ``parts`` in one :class:`Part`."""
    return Part(*(np.concatenate([getattr(p, f) for p in parts])
                  for f in ("actor", "post", "t", "comment", "text")))


def organic(rng: np.random.Generator, world: World, posts: Posts) -> Part:
    """Followers engage a post with probability ``BASE_P * propensity * popularity``.

    Followers in the author's community are 1.5 times as likely; a post also draws a
    Poisson(``EXPLORE * popularity ** 1.5``) number of non-followers (by propensity).
    """
    actors, ids = [], []
    order = np.argsort(posts.author, kind="stable")
    count = np.bincount(posts.author, minlength=world.n)
    end = np.cumsum(count)
    for author in np.flatnonzero(count):
        mine = order[end[author] - count[author]:end[author]]
        fans = world.followers[author]
        if not len(fans):
            continue
        same = np.where(world.community[fans] == world.community[author], 1.5, 1.0)
        p = BASE_P * (world.propensity[fans] * same)[None, :] * posts.quality[mine, None]
        hit_post, hit_fan = np.nonzero(rng.random(p.shape) < np.minimum(p, 0.9))
        actors.append(fans[hit_fan])
        ids.append(mine[hit_post])
    actor, post = _explore(rng, world, posts, np.concatenate(actors), np.concatenate(ids))
    t = morning(rng, world, actor, posts.t[post] + organic_delay(rng, len(actor)))
    return make_part(rng, actor, post, t, COMMENT_SHARE, texts.organic)


def _explore(rng: np.random.Generator, world: World, posts: Posts,
             actor: np.ndarray, post: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    extra = rng.poisson(EXPLORE * posts.quality ** 1.5)
    weights = np.cumsum(world.propensity)
    who = np.searchsorted(weights, rng.random(extra.sum()) * weights[-1])
    return (np.concatenate([actor, np.minimum(who, world.n - 1)]),
            np.concatenate([post, np.repeat(np.arange(len(posts)), extra)]))


def rounds(rng: np.random.Generator, posts: Posts, engagers: np.ndarray,
           authors: np.ndarray, p: float | Callable[[np.ndarray, np.ndarray], np.ndarray],
           delay: Delay) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each engager engages each post of ``authors`` (not its own) with probability ``p``.

    Parameters
    ----------
    rng
        Random generator.
    posts
        The export's posts.
    engagers, authors
        Account ids.
    p
        A probability, or ``p(post_ids, engagers)`` giving an array that broadcasts to
        (posts of ``authors``, engagers): per post, per pair, or 0 where a pair may not engage.
    delay
        Seconds after the post, as ``delay(rng, n)``.

    Returns
    -------
    actor, post, t : numpy.ndarray
        The rows.
    """
    mine = np.flatnonzero(np.isin(posts.author, authors))
    chance = p(mine, engagers) if callable(p) else p
    hit = rng.random((len(mine), len(engagers))) < chance
    hit &= posts.author[mine, None] != engagers[None, :]
    which, who = np.nonzero(hit)
    post = mine[which]
    return engagers[who], post, posts.t[post] + delay(rng, len(post))


def scatter(rng: np.random.Generator, posts: Posts, engagers: np.ndarray,
            pool: np.ndarray, per_day: float, days: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each engager engages a Poisson(``per_day * days``) number of posts from ``pool``.

    Posts are drawn by popularity; delays are organic. Returns actor, post, t.
    """
    counts = rng.poisson(per_day * days, len(engagers))
    actor = np.repeat(engagers, counts)
    weights = np.cumsum(posts.quality[pool])
    post = pool[np.minimum(np.searchsorted(weights, rng.random(len(actor)) * weights[-1]),
                           len(pool) - 1)]
    return actor, post, posts.t[post] + organic_delay(rng, len(actor))
