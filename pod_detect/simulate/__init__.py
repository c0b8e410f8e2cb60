"""Synthetic interaction exports with planted pods, like-farms and look-alike negatives.

The background is an organic platform (communities, heavy-tailed activity and popularity,
celebrities and their fans, a daily rhythm, response delays of hours with a long tail,
viral bursts); on top of it come planted groups of the kinds in :data:`PLANTED_KINDS`
and authentic groups that resemble them (:data:`NEGATIVE_KINDS`). The truth says who is who.

Modules: :mod:`~.config` (options), :mod:`~.population` (accounts and posts),
:mod:`~.background` (organic engagement), :mod:`~.planted` (pods and farms),
:mod:`~.negatives` (friends, co-workers), :mod:`~.comments` (text), :mod:`~.export`
(the table) and :mod:`~.engine` (the run).
"""

from __future__ import annotations

from pod_detect.simulate.engine import Simulation, simulate, truth_json
from pod_detect.simulate.world import (
    NEGATIVE_KINDS,
    PLANTED_KINDS,
    SimConfig,
    config_from_options,
)

__all__ = [
    "NEGATIVE_KINDS",
    "PLANTED_KINDS",
    "SimConfig",
    "Simulation",
    "config_from_options",
    "simulate",
    "truth_json",
]
