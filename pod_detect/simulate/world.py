"""The options of a simulation: one frozen dataclass with defaults, and a parser for them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from pod_detect.errors import ConfigError

#: Planted kinds, in the order they are generated, and the truth label of each.
PLANTED_KINDS: dict[str, str] = {
    "classic": "pod",
    "window": "pod",
    "slow": "pod",
    "rotating": "pod",
    "camouflage": "pod",
    "likefarm": "lockstep",
}

#: Negative kinds (groups a detector must not flag), in the order they are listed.
NEGATIVE_KINDS: tuple[str, ...] = ("friends", "coworkers", "fans", "viral")

Range = tuple[int, int]


@dataclass(frozen=True)
class SimConfig:
    """Options of :func:`~pod_detect.simulate.simulate`.

    Attributes
    ----------
    seed
        Seed of every random stream (numpy PCG64).
    accounts
        Organic (background) accounts; like-farm accounts come on top.
    days
        Length of the export window in days.
    start
        First day of the window (UTC, YYYY-MM-DD).
    communities
        Communities of the background; 0 picks accounts / 100 (at least 1).
    activity
        Median organic engagements per account per day (lognormal across accounts).
    posts_per_day
        Median posts per account per day (lognormal across accounts).
    delay_hours
        Median organic response delay in hours (lognormal, long tail up to days).
    celebrities
        Accounts with a large one-way fan base.
    fan_share
        Share of the accounts that are fans of each celebrity.
    viral
        Viral posts: one burst of many strangers, listed as negatives.
    classic, window, slow, rotating, camouflage, likefarm
        Planted groups of this kind (0 switches it off).
    classic_size, window_size, slow_size, rotating_size, camouflage_size, likefarm_size
        Member count range (low, high) of this planted kind, inclusive.
    window_minutes
        Minutes after the post within which window pods engage.
    rotating_subset
        Members of a rotating pod that engage each post (low, high).
    likefarm_clients
        Clients of each like-farm (low, high).
    friends, coworkers, fans
        Negative groups listed in the truth (fans: that many celebrities' fan sets).
    friends_size, coworkers_size
        Member count range of friend groups and co-worker circles.
    without_timestamps, without_text, without_post_ids
        Drop the timestamp and post_time columns, the text column, the post_id column.
    """

    seed: int = 0
    accounts: int = 2000
    days: int = 14
    start: str = "2026-03-01"
    communities: int = 0
    activity: float = 1.2
    posts_per_day: float = 0.3
    delay_hours: float = 1.5
    celebrities: int = 5
    fan_share: float = 0.08
    viral: int = 3
    classic: int = 2
    classic_size: Range = (8, 15)
    window: int = 1
    window_size: Range = (8, 15)
    window_minutes: int = 60
    slow: int = 1
    slow_size: Range = (6, 12)
    rotating: int = 1
    rotating_size: Range = (60, 120)
    rotating_subset: Range = (20, 30)
    camouflage: int = 1
    camouflage_size: Range = (8, 15)
    likefarm: int = 1
    likefarm_size: Range = (20, 40)
    likefarm_clients: Range = (1, 3)
    friends: int = 4
    friends_size: Range = (4, 8)
    coworkers: int = 2
    coworkers_size: Range = (8, 15)
    fans: int = 1
    without_timestamps: bool = False
    without_text: bool = False
    without_post_ids: bool = False

    def __post_init__(self) -> None:
        _check_counts(self)
        _check_ranges(self)
        try:
            np.datetime64(self.start, "D")
        except ValueError as exc:
            raise ConfigError(f"start must be a date like 2026-03-01, not {self.start!r}") from exc

    @property
    def n_communities(self) -> int:
        """Communities actually used (``communities`` or the automatic choice)."""
        return self.communities or max(1, self.accounts // 100)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready options (ranges as two-item lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def _check_counts(config: SimConfig) -> None:
    positive = ("accounts", "days", "window_minutes")
    for name in positive:
        if getattr(config, name) < 1:
            raise ConfigError(f"{name} must be at least 1")
    counts = ("communities", "celebrities", "viral", "friends", "coworkers", "fans")
    for name in (*counts, *PLANTED_KINDS):
        if getattr(config, name) < 0:
            raise ConfigError(f"{name} must not be negative")
    for name in ("activity", "posts_per_day", "delay_hours"):
        if getattr(config, name) <= 0:
            raise ConfigError(f"{name} must be positive")
    if not 0 <= config.fan_share <= 0.5:
        raise ConfigError("fan_share must be between 0 and 0.5")
    if config.fans > config.celebrities:
        raise ConfigError("fans cannot exceed celebrities (each fan group is one celebrity's)")


def _check_ranges(config: SimConfig) -> None:
    for f in fields(config):
        value = getattr(config, f.name)
        if not isinstance(value, tuple):
            continue
        low, high = value
        least = 1 if f.name in ("rotating_subset", "likefarm_clients", "likefarm_size") else 2
        if not least <= low <= high:
            raise ConfigError(f"{f.name} must be a range low-high with {least} <= low <= high")


def _parse_range(name: str, value: Any) -> Range:
    """``"8-15"``, ``8``, ``(8, 15)`` or ``[8, 15]`` as a ``(low, high)`` tuple."""
    if isinstance(value, str):
        parts = value.replace(",", "-").split("-")
        try:
            numbers = [int(p) for p in parts if p.strip()]
        except ValueError as exc:
            raise ConfigError(f"{name} must look like 8-15, not {value!r}") from exc
    elif isinstance(value, int):
        numbers = [value]
    else:
        numbers = [int(v) for v in value]
    if len(numbers) == 1:
        numbers = numbers * 2
    if len(numbers) != 2:
        raise ConfigError(f"{name} must look like 8-15, not {value!r}")
    return numbers[0], numbers[1]


def config_from_options(**options: Any) -> SimConfig:
    """Build a :class:`SimConfig` from loosely typed options (CLI flags, JSON).

    Parameters
    ----------
    **options
        Field names of :class:`SimConfig`. ``None`` means "use the default"; ranges
        may be written ``"8-15"``, a single number or a pair.

    Returns
    -------
    SimConfig
        The validated configuration.

    Raises
    ------
    ConfigError
        For an unknown option or a value out of range.
    """
    known = {f.name: f for f in fields(SimConfig)}
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ConfigError(f"unknown simulation option(s): {', '.join(unknown)}")
    defaults = SimConfig()
    values: dict[str, Any] = {}
    for name, value in options.items():
        if value is None:
            continue
        values[name] = _convert(name, getattr(defaults, name), value)
    return SimConfig(**values)


def _convert(name: str, default: Any, value: Any) -> Any:
    """``value`` as the type of ``default``."""
    if isinstance(default, tuple):
        return _parse_range(name, value)
    if isinstance(default, bool):
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    try:
        return type(default)(value)
    except (TypeError, ValueError) as exc:
        kind = type(default).__name__
        raise ConfigError(
            f"{name} must be {'a number' if kind == 'float' else 'an ' + kind}, not {value!r}"
        ) from exc
