"""The detector interface: what a detector is given and what it gives back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Literal

import networkx as nx
import numpy as np
import pandas as pd

from pod_detect.graph import Budget, dense_groups, reciprocal_graph
from pod_detect.model import Interactions
from pod_detect.reduce import Reduced
from pod_detect.settings import Settings


@dataclass(frozen=True)
class Finding:
    """One detector's view of one group.

    Attributes
    ----------
    detector
        The detector's ``name``.
    kind
        ``"pod"`` (reciprocal) or ``"lockstep"`` (one-way coordinated).
    members
        Account codes.
    strength
        How strongly this detector's signal marks the group, in [0, 1]; 0 means the
        detector looked and found nothing unusual (its evidence still goes in the report).
    evidence
        The numbers behind the strength (JSON-ready scalars).
    reasons
        Plain-language sentences, each naming its numbers.
    member_evidence
        Per member code, numbers for that account alone.
    """

    detector: str
    kind: Literal["pod", "lockstep"]
    members: frozenset[int]
    strength: float
    evidence: dict[str, Any]
    reasons: tuple[str, ...] = ()
    member_evidence: dict[int, dict[str, Any]] = field(default_factory=dict)


class Context:
    """What every detector may read: the data, its aggregates, the settings and a budget.

    Shared intermediate results (the reciprocal graph and its dense groups) are computed
    once, on first use.
    """

    def __init__(self, data: Interactions, reduced: Reduced, settings: Settings) -> None:
        self.data = data
        self.reduced = reduced
        self.settings = settings
        self.budget = Budget(settings.clique_budget)

    @cached_property
    def reciprocal_graph(self) -> nx.Graph:
        return reciprocal_graph(self.reduced.pairs, self.settings)

    @cached_property
    def reciprocal_groups(self) -> list[frozenset[int]]:
        return dense_groups(self.reciprocal_graph, self.settings, self.budget)

    @cached_property
    def reciprocal_rows(self) -> pd.DataFrame:
        """:meth:`group_rows` of :attr:`reciprocal_groups`."""
        return self.group_rows(self.reciprocal_groups)

    def membership(self, groups: list[frozenset[int]]) -> np.ndarray:
        """Array mapping each account code to its group's index in ``groups``, else -1."""
        index = np.full(len(self.data.accounts) + 1, -1, dtype="int64")
        for i, members in enumerate(groups):
            index[list(members)] = i
        return index

    def group_rows(self, groups: list[frozenset[int]]) -> pd.DataFrame:
        """Rows whose actor is in a group: ``group``, ``inside`` (author in the same group),
        ``actor``, ``author``, ``post`` and ``latency`` (NaN without times)."""
        frame = self.data.frame
        index = self.membership(groups)
        actor_group = index[frame["actor"].to_numpy()]
        author_group = index[frame["author"].to_numpy()]  # -1 (unknown) maps to the sentinel
        mask = actor_group >= 0
        latency = self.reduced.latency
        return pd.DataFrame(
            {
                "group": actor_group[mask],
                "inside": author_group[mask] == actor_group[mask],
                "actor": frame["actor"].to_numpy()[mask],
                "author": frame["author"].to_numpy()[mask],
                "post": frame["post"].to_numpy()[mask],
                "latency": latency[mask] if latency is not None else np.nan,
            }
        )


class Detector(ABC):
    """A detector looks at a :class:`Context` and yields :class:`Finding` objects.

    ``name`` is part of the contract (reports and baselines refer to it): never rename one.
    ``requires`` lists the signals (see :data:`pod_detect.model.SIGNAL_REQUIREMENTS`) that
    must be available for the detector to run.
    """

    name: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]
    description: ClassVar[str]

    @abstractmethod
    def detect(self, context: Context) -> list[Finding]:
        """Return the findings, in a deterministic order."""
