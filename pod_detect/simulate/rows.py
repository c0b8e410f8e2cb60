"""Engagement rows as numpy arrays, and the clocks that time them.

Times are integer seconds since the start of the window, UTC. An account's local time is
its UTC time plus ``tz`` hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

LIKE, COMMENT, SHARE = 0, 1, 2
KIND_NAMES = np.array(["like", "comment", "share"])

HOUR = 3600
DAY = 86400
MINUTE = 60
#: Cap of every response delay: nobody answers a post more than a week later.
MAX_DELAY = 7 * DAY

#: Relative activity by local hour of day: quiet at night, peaks at lunch and evening.
# fmt: off
DIURNAL = np.array([
    0.35, 0.2, 0.12, 0.08, 0.08, 0.12, 0.3, 0.6, 0.9, 1.0, 1.0, 1.1,
    1.3, 1.2, 1.0, 1.0, 1.1, 1.3, 1.6, 1.9, 2.0, 1.8, 1.2, 0.65,
])
# fmt: on


@dataclass(frozen=True)
class Rows:
    """A batch of engagements: parallel arrays, one item per row."""

    actor: np.ndarray
    post: np.ndarray
    kind: np.ndarray
    time: np.ndarray
    text: np.ndarray

    def __len__(self) -> int:
        return len(self.actor)

    def take(self, keep: np.ndarray) -> Rows:
        """The rows selected by a boolean mask or an index array."""
        return Rows(*(a[keep] for a in self._arrays()))

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return self.actor, self.post, self.kind, self.time, self.text


def make_rows(
    actor: ArrayLike,
    post: ArrayLike,
    kind: ArrayLike,
    time: ArrayLike,
    text: ArrayLike | None = None,
) -> Rows:
    """Rows from array-likes; ``text`` defaults to empty strings."""
    actor = np.asarray(actor, dtype=np.int64)
    n = len(actor)
    text = np.full(n, "", dtype=object) if text is None else np.asarray(text, dtype=object)
    kind = np.broadcast_to(np.asarray(kind, dtype=np.int8), (n,)).copy()
    return Rows(
        actor, np.asarray(post, dtype=np.int64), kind, np.asarray(time, dtype=np.int64), text
    )


def concat(batches: list[Rows]) -> Rows:
    """All batches as one."""
    if not batches:
        return make_rows([], [], [], [])
    return Rows(
        *(np.concatenate(parts) for parts in zip(*(b._arrays() for b in batches), strict=True))
    )


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """``n`` lognormal delays in seconds with the given median, capped at :data:`MAX_DELAY`."""
    return np.minimum(median * np.exp(sigma * rng.standard_normal(n)), MAX_DELAY)


def diurnal_times(rng: np.random.Generator, days: int, tz: np.ndarray) -> np.ndarray:
    """One time per item of ``tz``: a random day, an hour drawn from :data:`DIURNAL`."""
    n = len(tz)
    day = rng.integers(0, days, n)
    hour = rng.choice(24, size=n, p=DIURNAL / DIURNAL.sum())
    local = day * DAY + hour * HOUR + rng.integers(0, HOUR, n)
    return local - tz * HOUR


def sleep_shift(
    rng: np.random.Generator, time: np.ndarray, tz: np.ndarray, share: float = 0.75
) -> np.ndarray:
    """Move ``share`` of the times that fall in the local night (1-7 h) to the morning."""
    local = time + tz * HOUR
    hour = (local // HOUR) % 24
    asleep = (hour >= 1) & (hour < 7) & (rng.random(len(time)) < share)
    morning = (local // DAY) * DAY + 7 * HOUR + rng.exponential(HOUR, len(time)).astype(np.int64)
    return np.where(asleep, morning - tz * HOUR, time)


def work_shift(
    rng: np.random.Generator, time: np.ndarray, tz: np.ndarray, start_weekday: int
) -> np.ndarray:
    """Move times outside local working hours (9-18 h, Monday-Friday) to the next ones."""
    local = time + tz * HOUR
    day, second = local // DAY, local % DAY
    day = np.where(second >= 18 * HOUR, day + 1, day)
    late_or_early = (second >= 18 * HOUR) | (second < 9 * HOUR)
    for _ in range(2):
        weekend = (day + start_weekday) % 7 >= 5
        day = np.where(weekend, day + 1, day)
    moved = (day * DAY != local // DAY * DAY) | late_or_early
    opening = day * DAY + 9 * HOUR + rng.exponential(1.5 * HOUR, len(time)).astype(np.int64)
    return np.where(moved, opening, local) - tz * HOUR
