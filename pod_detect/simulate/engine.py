"""Run a simulation: build the platform, plant the groups, export the rows and the truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.errors import ConfigError
from pod_detect.simulate import background
from pod_detect.simulate.export import account_ids, clean, iso, post_ids, to_frame
from pod_detect.simulate.negatives import choose_negatives, negative_rows
from pod_detect.simulate.planted import choose_planted, planted_rows
from pod_detect.simulate.population import Group, Posts, World, build_world, make_posts
from pod_detect.simulate.rows import DAY, Rows, concat
from pod_detect.simulate.world import SimConfig

#: One independent random stream per stage, so switching a kind off leaves the others alike.
STREAMS = ("world", "planted", "negatives", "posts", "organic", "fans", "viral", "groups", "ids")


@dataclass(frozen=True)
class Simulation:
    """A synthetic export and what was planted in it.

    Attributes
    ----------
    frame
        The interactions, string columns (see :func:`simulate`).
    truth
        JSON-ready: ``seed``, ``config``, ``groups`` (``id``, ``kind``, ``label`` of
        ``"pod"``, ``"lockstep"`` or ``"negative"``, sorted ``members``, and ``clients``,
        ``celebrity`` or ``post_id`` where they apply), ``accounts`` (distinct ids in the
        frame), ``rows``, ``start`` and ``end``.
    """

    frame: pd.DataFrame
    truth: dict[str, Any]


def _streams(seed: int) -> dict[str, np.random.Generator]:
    return {
        name: np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(i,))))
        for i, name in enumerate(STREAMS)
    }


def simulate(config: SimConfig | None = None) -> Simulation:
    """Generate a synthetic interactions export with planted pods and negatives.

    Parameters
    ----------
    config
        Options; the defaults (2000 accounts, 14 days) give roughly 100k rows.

    Returns
    -------
    Simulation
        The frame (columns ``actor``, ``author``, ``post_id``, ``kind``, ``timestamp``,
        ``post_time``, ``text``, minus those the ``without_*`` options drop), sorted by
        timestamp, actor and post id; and the truth. The same config always gives the
        same bytes.

    Raises
    ------
    ConfigError
        When the groups asked for need more accounts than there are.
    """
    config = config or SimConfig()
    rng = _streams(config.seed)
    world = build_world(rng["world"], config)
    planted = choose_planted(rng["planted"], world, config)
    negatives = choose_negatives(rng["negatives"], world, config)
    posts = make_posts(rng["posts"], world, config.days)
    if not len(posts):
        raise ConfigError("the simulation made no posts: raise accounts, days or posts_per_day")
    batches, listed = _engagements(rng, world, posts, planted + negatives, config)
    rows = clean(concat(batches), posts, config.days)
    numbers, ids = account_ids(rng["ids"], world.n)
    frame = to_frame(rows, posts, numbers, ids, config)
    truth = _truth(config, planted + negatives + listed, rows, posts, ids)
    return Simulation(frame=frame, truth=truth)


def _engagements(
    rng: dict[str, np.random.Generator],
    world: World,
    posts: Posts,
    groups: list[Group],
    config: SimConfig,
) -> tuple[list[Rows], list[Group]]:
    weights = background.post_weights(rng["posts"], posts, world)
    sampler = background.PostSampler.build(posts, world, weights)
    popular = background.PostSampler.build(
        posts, world, weights * world.popularity[posts.author] ** 0.5
    )
    batches = [background.organic(rng["organic"], world, posts, sampler, config)]
    fan_rows, fan_groups = background.fans(rng["fans"], world, posts, config)
    viral_rows, viral_groups = background.viral(rng["viral"], world, posts, config)
    batches += [fan_rows, viral_rows]
    for group in groups:
        if group.label == "negative":
            batches.append(negative_rows(rng["groups"], world, posts, group, config))
        else:
            batches.append(planted_rows(rng["groups"], world, posts, popular, group, config))
    return batches, fan_groups + viral_groups


def _truth(
    config: SimConfig, groups: list[Group], rows: Rows, posts: Posts, ids: np.ndarray
) -> dict[str, Any]:
    present = np.union1d(rows.actor, posts.author[rows.post])
    return {
        "seed": config.seed,
        "config": config.to_dict(),
        "groups": [_group_entry(g, posts, ids) for g in groups],
        "accounts": int(len(present)),
        "rows": int(len(rows)),
        "start": str(iso(config.start, np.array([0]))[0]),
        "end": str(iso(config.start, np.array([config.days * DAY]))[0]),
    }


def _group_entry(group: Group, posts: Posts, ids: np.ndarray) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": group.id,
        "kind": group.kind,
        "label": group.label,
        "members": sorted(str(ids[m]) for m in group.members),
    }
    if "clients" in group.extra:
        entry["clients"] = sorted(str(ids[m]) for m in group.extra["clients"])
    if "celebrity" in group.extra:
        entry["celebrity"] = str(ids[group.extra["celebrity"]])
    if "post" in group.extra:
        entry["post_id"] = str(post_ids(len(posts))[group.extra["post"]])
    return entry


def truth_json(sim: Simulation) -> str:
    """The truth as JSON text: sorted keys, indent 2, ending in a newline.

    Parameters
    ----------
    sim
        A simulation.

    Returns
    -------
    str
        Deterministic JSON text.
    """
    return json.dumps(sim.truth, sort_keys=True, indent=2) + "\n"
