"""The detector interface: what a detector is given and what it gives back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from pod_detect.candidates.context import Context
from pod_detect.model import Kind


@dataclass(frozen=True)
class Finding:
    """One detector's view of one group.

    Attributes
    ----------
    detector
        The detector's ``name``.
    kind
        ``"pod"`` (reciprocal), ``"lockstep"`` (one-way) or ``"coordinated"`` (engaging
        the same posts together, whose posts not known; :data:`pod_detect.model.Kind`).
        A group takes the kind of its strongest structure finding.
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
    log10_p
        ``log10`` of the finding's p-value: for a structure finding, the improbability of
        the group's structure under the null model, corrected for every group of its size
        the search could have returned (:mod:`pod_detect.stats.evidence`); for a behaviour
        finding, its test's p-value. ``None`` when the detector ran no test.
    worded
        Per group kind, the reasons to give instead of ``reasons`` when the group is
        reported as that kind (a detector that does not decide the kind words its reasons
        for a pod; a ``coordinated`` group's may not say whose posts they were).
    """

    detector: str
    kind: Kind
    members: frozenset[int]
    strength: float
    evidence: dict[str, Any]
    reasons: tuple[str, ...] = ()
    member_evidence: dict[int, dict[str, Any]] = field(default_factory=dict)
    log10_p: float | None = None
    worded: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def reasons_for(self, kind: str) -> tuple[str, ...]:
        """The reasons for a group reported as ``kind`` (see ``worded``)."""
        return self.worded.get(kind, self.reasons)


def selected(groups: list[frozenset[int]], only: Sequence[int] | None) -> list[int]:
    """The indexes of ``groups`` a detector is asked to examine (``only``, or all)."""
    return list(range(len(groups))) if only is None else sorted(only)


def per_group(rows: pd.DataFrame, n_groups: int) -> list[pd.DataFrame]:
    """``rows`` split by their ``group`` column into ``n_groups`` frames (one pass)."""
    empty = rows.iloc[:0]
    parts = {int(key): part for key, part in rows.groupby("group", sort=True)}
    return [parts.get(i, empty) for i in range(n_groups)]


class Detector(ABC):
    """A detector looks at a :class:`Context` and yields :class:`Finding` objects.

    ``name`` is part of the contract (reports and baselines refer to it): never rename one.
    ``requires`` lists the signals (see :data:`pod_detect.model.SIGNAL_REQUIREMENTS`) that
    must be available for the detector to run.
    """

    name: ClassVar[str]
    requires: ClassVar[tuple[str, ...]]
    description: ClassVar[str]

    def prepare(self, context: Context) -> None:  # noqa: B027  (most have nothing to do)
        """Compute, ahead of :meth:`detect`, what it needs of the whole frame whatever the
        groups; called only on a pandas frame, while the scan waits for other work."""

    @abstractmethod
    def detect(
        self, context: Context, groups: list[frozenset[int]], only: Sequence[int] | None = None
    ) -> list[Finding]:
        """Examine ``groups`` (disjoint candidates); return findings, in group order.

        ``only`` lists the indexes of the groups to examine (all when ``None``); the others
        still count as candidates, e.g. they are not "everyone else" in a baseline.
        """
