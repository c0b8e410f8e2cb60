"""Every threshold the pipeline uses, in one frozen dataclass that the report echoes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from pod_detect.errors import ConfigError
from pod_detect.model import SEVERITIES
from pod_detect.stats.evidence import FIVE_SIGMA


@dataclass(frozen=True)
class Settings:
    """Thresholds and budgets of a scan.

    Attributes
    ----------
    min_posts
        Distinct posts one account must engage of another's, in each direction, before the
        pair counts as repeated (a single co-occurrence is never evidence).
    alpha
        Significance level of the popularity null model for a pair, and of the timing test.
    min_group_size
        Smallest group reported.
    round_share
        Share of the other members that must engage a member's post for that post to count
        as a completed "round" of the group.
    density
        Share of a group's member pairs that must be reciprocal when a group grows around
        a clique (quasi-clique expansion).
    min_baseline
        Engagements of members with outsiders needed to use them as the timing baseline;
        with fewer, everyone else's engagements are the baseline.
    clique_budget
        Maximal cliques enumerated at most; past it the report says the budget was hit.
    window
        Seconds within which two accounts' engagements of one post count as co-engagement;
        ``None`` (the default) tests every one of ``windows`` instead.
    windows
        The time scales co-engagement is tested at when ``window`` is not set: each pair
        keeps its most significant scale, its p-value corrected for the scales tried
        (Simes' method), so that trying several costs no false alarms. Campaigns act at every
        scale: a pod within minutes of a post, a bought-star farm over a day or a week.
        No hour: on a busy platform most organic engagement comes within hours of a post,
        so an hour's window pairs the organic notification burst (10,000 organic pairs at
        an hour against 30-40 at a minute on the simulated platforms), and those pairs
        merged a planted rotating pod into an organic community.
    min_coengaged
        Posts two accounts must co-engage before the pair counts (repetition, not one burst).
    max_engagers
        Engagers of one post paired at most for co-engagement (the first ones); bounds the
        work a viral post can cause.
    max_edges
        Co-engagement edges given to community detection at most (the heaviest).
    wide_from
        Windows longer than this (seconds) count only on the posts whose engagement times
        spread (standard deviation) at least as long as the window: on a post that gets
        all its engagement within a day, engaging it "within a day of each other" says no
        more than engaging it at all (a brand's staff, a celebrity's fans); on a
        repository starred over years it is a burst. Windows up to it count on every post.
    scale_budget
        Row pairs a co-engagement count at one of ``windows`` may build; a wider scale
        that would build more (the hours and days of a busy platform, where everyone
        engages everyone's posts within a day) is not tested, and the report says so.
        The shortest scale is always tested; ``window`` is always tested.
    high_alpha
        The combined evidence a ``high`` verdict needs (p-value, corrected): five sigma.
        A group whose evidence is weaker is capped just below ``high``; one weaker than
        ``alpha`` is not reported.
    low, medium, high
        Score at or above which a group gets that severity; below ``low`` it is not reported.
    inflating
        Severity from which a group's engagement of its own members' posts counts as
        inflation rather than authentic engagement in the per-post figures.
    """

    min_posts: int = 2
    alpha: float = 0.001
    min_group_size: int = 3
    round_share: float = 0.8
    density: float = 0.6
    min_baseline: int = 20
    clique_budget: int = 100_000
    window: float | None = None
    windows: tuple[float, ...] = (60.0, 900.0, 86400.0, 604800.0)
    min_coengaged: int = 3
    max_engagers: int = 200
    max_edges: int = 2_000_000
    wide_from: float = 900.0
    scale_budget: int = 10_000_000
    high_alpha: float = FIVE_SIGMA
    low: float = 0.2
    medium: float = 0.4
    high: float = 0.75
    inflating: str = "medium"

    def __post_init__(self) -> None:
        if self.min_posts < 1:
            raise ConfigError("min_posts must be at least 1")
        if not 0 < self.alpha < 1:
            raise ConfigError("alpha must be between 0 and 1")
        if not 0 < self.high_alpha < 1:
            raise ConfigError("high_alpha must be between 0 and 1")
        if self.min_group_size < 2:
            raise ConfigError("min_group_size must be at least 2")
        for name in ("round_share", "density"):
            if not 0 < getattr(self, name) <= 1:
                raise ConfigError(f"{name} must be in (0, 1]")
        if self.clique_budget < 1:
            raise ConfigError("clique_budget must be at least 1")
        if not 0 <= self.low <= self.medium <= self.high <= 1:
            raise ConfigError("severity thresholds must satisfy 0 <= low <= medium <= high <= 1")
        if self.window is not None and not self.window >= 0:
            raise ConfigError("window must be a number of seconds >= 0")
        object.__setattr__(self, "windows", tuple(float(w) for w in self.windows))
        if not self.windows or any(not w >= 0 for w in self.windows):
            raise ConfigError("windows must be one or more numbers of seconds >= 0")
        if self.inflating not in SEVERITIES:
            raise ConfigError(f"inflating must be one of {', '.join(SEVERITIES)}")

    def severity(self, score: float) -> str | None:
        """The severity band of ``score``, or ``None`` below ``low``."""
        band = None
        for name in SEVERITIES:
            if score >= getattr(self, name):
                band = name
        return band

    @property
    def scales(self) -> tuple[float, ...]:
        """The co-engagement windows tested: ``window`` alone when set, else ``windows``."""
        return (float(self.window),) if self.window is not None else tuple(
            sorted({float(w) for w in self.windows}))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given fields replaced; unknown names raise :class:`ConfigError`."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        return replace(self, **overrides)
