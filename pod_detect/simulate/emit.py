"""Turn (actor, post, time) triples into rows: organic kinds and text, or a pod's routine."""

from __future__ import annotations

import numpy as np

from pod_detect.simulate import comments
from pod_detect.simulate.population import World
from pod_detect.simulate.rows import COMMENT, LIKE, MINUTE, SHARE, Rows, concat, make_rows


def organic_rows(
    rng: np.random.Generator,
    world: World,
    actor: np.ndarray,
    post: np.ndarray,
    time: np.ndarray,
    *,
    work: bool = False,
) -> Rows:
    """One row per triple; its kind drawn from the actor's own comment and share habits.

    Parameters
    ----------
    rng
        The random stream.
    world
        The accounts (for ``comment_p`` and ``share_p``).
    actor, post, time
        Parallel arrays of the engagements.
    work
        Comments use co-worker topics.

    Returns
    -------
    Rows
        Likes, shares, and comments with varied organic text.
    """
    draw = rng.random(len(actor))
    comment_p = world.comment_p[actor]
    kind = np.where(
        draw < comment_p, COMMENT, np.where(draw < comment_p + world.share_p[actor], SHARE, LIKE)
    )
    text = np.full(len(actor), "", dtype=object)
    is_comment = kind == COMMENT
    text[is_comment] = comments.organic(rng, int(is_comment.sum()), work=work)
    return make_rows(actor, post, kind, time, text)


def pod_rows(
    rng: np.random.Generator,
    actor: np.ndarray,
    post: np.ndarray,
    time: np.ndarray,
    *,
    comment_p: float,
    share_p: float = 0.03,
) -> Rows:
    """A pod member's routine on each post: a like, often a templated comment, rarely a share.

    Parameters
    ----------
    rng
        The random stream.
    actor, post, time
        Parallel arrays: who engages which post, and when the like lands.
    comment_p
        Chance of a templated comment (a minute or two after the like).
    share_p
        Chance of a share.

    Returns
    -------
    Rows
        The likes, comments and shares.
    """
    likes = make_rows(actor, post, LIKE, time)
    said = rng.random(len(actor)) < comment_p
    later = time[said] + rng.exponential(2 * MINUTE, int(said.sum())).astype(np.int64)
    text = comments.templated(rng, int(said.sum()))
    said_rows = make_rows(actor[said], post[said], COMMENT, later, text)
    shared = rng.random(len(actor)) < share_p
    shares = make_rows(actor[shared], post[shared], SHARE, time[shared] + MINUTE)
    return concat([likes, said_rows, shares])
