"""reduce -> candidate graph -> detectors -> score: the whole scan as one function."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pod_detect.candidates.cograph import coengagement_graph
from pod_detect.candidates.context import Context
from pod_detect.detectors import DETECTORS, Detector, Finding
from pod_detect.engines import StageHook
from pod_detect.engines.frames import is_lazy
from pod_detect.model import Group, Interactions, Report
from pod_detect.reduce import post_times, reduce
from pod_detect.scoring import (
    STRUCTURE,
    effect,
    fill,
    score_accounts,
    score_groups,
    score_posts,
    select,
)
from pod_detect.settings import Settings
from pod_detect.stats.templates import COMPARED, comment_templates
from pod_detect.text import scale


def coverage_notes(data: Interactions, signals: dict[str, str | None]) -> list[str]:
    """Say where a signal runs on part of the data, or on a stand-in for a missing column."""
    notes = []
    facts = data.facts
    rows = facts.rows
    if signals["reciprocity"] is None and rows:
        known = facts.author_known
        if known < rows:
            notes.append(
                f"the post author is known for {known:,} of {rows:,} rows ({known / rows:.0%}); "
                "reciprocity, coverage and timing use those rows only"
            )
    if signals["coengagement"] is None and not data.has_timestamps:
        notes.append(
            "no timestamps: co-engagement counts posts two accounts engaged at any time, "
            "not within a window"
        )
    elif data.has_timestamps and rows:
        untimed = rows - facts.timed
        if untimed:
            notes.append(
                f"{untimed:,} of {rows:,} rows ({untimed / rows:.0%}) have no timestamp: "
                "co-engagement pairs them at any time with the other untimed rows of their "
                "post; timing uses the timed rows only"
            )
    if signals["timing"] is None and "post_time" not in data.columns:
        notes.append(
            "no post_time column: latency is measured from each post's first engagement "
            "in the export"
        )
    return notes


def scale_notes(context: Context) -> list[str]:
    """What the co-engagement graph found at each time scale, and the budgets it hit
    (engagers paired per busy post, windows too costly to test)."""
    if not context.made("coengagement"):
        return []
    counts = context.coengagement.counts
    notes = []
    if counts.get("timed") and counts.get("scales", 1) > 1:
        found = ", ".join(f"{scale(float(w))}: {n:,}"
                          for w, n in counts["significant_by_scale"].items())
        notes.append(
            f"co-engagement tested at {counts['scales']} time scales, each pair at its most "
            f"significant (corrected for the scales tried); significant pairs by scale: "
            f"{found}")
    if counts.get("capped_posts"):
        notes.append(
            f"budget hit: co-engagement paired only the first {context.settings.max_engagers} "
            f"engagers of {counts['capped_posts']:,} busy posts (max_engagers), so a group "
            "that engages such a post late is seen there only through its other posts")
    if counts.get("skipped_scales"):
        left = ", ".join(scale(float(w)) + (f" ({n:,} row pairs)" if n >= 0 else "")
                         for w, n in counts["skipped_scales"].items())
        notes.append(
            f"budget hit: co-engagement not tested at {left}, over the budget of "
            f"{context.settings.scale_budget:,} row pairs a scale (busy posts pair nearly "
            "everyone at those scales); --window tests one scale of your choice")
    return notes


def campaign_notes(context: Context, groups: list[Group]) -> list[str]:
    """Say when most of the export's engagement comes from flagged accounts: then
    "everyone else", the baseline of the timing and comments tests, is not organic (an
    investigator's export of a campaign), and a test that found nothing says little."""
    given = context.activity()
    total = float(given.sum())
    members = [m for g in groups for m in g.members]
    share = float(given[members].sum()) / total if total and members else 0.0
    if share < 0.5:
        return []
    return [f"{share:.0%} of the engagements in this export are by flagged accounts: "
            "everyone else is not an organic baseline, so a timing or comments test that "
            "finds nothing against them says little (it lowers a group's evidence, never "
            "vetoes it)"]


def comment_notes(context: Context) -> list[str]:
    """A note when comments longer than :data:`~pod_detect.stats.templates.COMPARED`
    characters were compared with templates by their opening only."""
    if not context.made("comment_templates"):
        return []
    found = context.memo("comment_templates", lambda: None)
    if found is None or not found.top or found.longest <= COMPARED:
        return []
    return [f"comments longer than {COMPARED} characters were compared with the templates "
            f"by their first {COMPARED} (the longest has {found.longest})"]


def runnable_detectors(
    names: tuple[str, ...], signals: dict[str, str | None], notes: list[str]
) -> list[Detector]:
    """The detectors whose signals the export supports; a note for each of the others."""
    runnable = []
    for name in names:
        detector = DETECTORS[name]()
        missing = [s for s in detector.requires if signals.get(s)]
        if missing:
            notes.append(f"{name} detector not run: {signals[missing[0]]}")
        else:
            runnable.append(detector)
    return runnable


def find_groups(context: Context, runnable: list[Detector], stage: StageHook,
                pool: ThreadPoolExecutor | None = None) -> list[Group]:
    """Examine every candidate list, settle overlaps, re-examine what overlaps left over.

    With a ``pool``, the first list (the reciprocal groups, which need no co-engagement
    graph) is examined there as soon as the other thread is free, while this one finds the
    co-engagement communities and examines them (numpy, pyarrow and rapidfuzz leave the
    interpreter lock). The results are gathered in list order, so the report does not
    depend on which thread finishes first.
    """

    def examine(groups: list[frozenset[int]], hook: StageHook = stage) -> list[Group]:
        return score_groups(context, examine_groups(context, runnable, groups, hook))

    if pool is None:
        found = [examine(groups) for groups in context.candidate_sets()]
    else:
        first = pool.submit(examine, context.reciprocal_groups, lambda name: None)
        _, *others = context.candidate_sets()
        found = [examine(groups) for groups in others]
        found.insert(0, first.result())
    scored = [group for groups in found for group in groups]
    taken: set[int] = set()
    min_size = context.settings.min_group_size
    accepted, residual = select(scored, taken, min_size)
    if residual:
        accepted += select(examine(residual), taken, min_size)[0]
        accepted += fill(scored, taken)
    return sorted(accepted, key=lambda g: (-g.score, g.id))


def examine_groups(
    context: Context, runnable: list[Detector], groups: list[frozenset[int]],
    stage: StageHook | None = None,
) -> list[Finding]:
    """Every runnable detector's findings on ``groups``, in the detectors' order.

    The structure detectors look at every group; the behaviour detectors only at the groups
    whose structure could reach the ``low`` band with the strongest behaviour
    (:func:`pod_detect.scoring.effect` of it and 1), so the others would be dropped whatever
    their behaviour: skipping them changes no report and keeps hundreds of organic
    communities from costing a timing and a comments test each.
    """
    stage = stage or (lambda name: None)
    found: dict[str, list[Finding]] = {}
    for detector in runnable:
        if detector.name in STRUCTURE:
            stage(detector.name)
            found[detector.name] = detector.detect(context, groups)
    strongest: dict[frozenset[int], float] = {}
    for finding in (f for fs in found.values() for f in fs):
        strongest[finding.members] = max(strongest.get(finding.members, 0.0), finding.strength)
    low = context.settings.low
    promising = [i for i, g in enumerate(groups)
                 if round(effect(strongest.get(g, 0.0), 1.0), 4) >= low]
    for detector in runnable:
        if detector.name not in STRUCTURE:
            stage(detector.name)
            found[detector.name] = (
                detector.detect(context, groups, promising) if promising else [])
    return [f for detector in runnable for f in found[detector.name]]


class Overlap:
    """The scan's one other thread, and everything it overlaps (numpy, pyarrow and
    rapidfuzz leave the interpreter lock while they work):

    - :meth:`start` (before the reduce step): the frame-wide work that does not need it,
      the co-engagement graph and the comment templates;
    - :meth:`use_the_wait` (after it): while the co-engagement graph is still being built,
      the reciprocal groups and each detector's :meth:`~Detector.prepare` on this thread;
    - :attr:`pool` for :func:`find_groups`: the reciprocal groups examined there while this
      thread finds and examines the co-engagement communities.

    Every result is kept for when it is needed and gathered in a fixed order, so the
    report is the same whichever thread finishes first. A Dask frame gets no thread: its
    scheduler runs things side by side already. Use as a context manager: on leaving, the
    work not started is dropped and the work running is not waited for.
    """

    def __init__(self, data: Interactions, settings: Settings, runnable: list[Detector]) -> None:
        self.data, self.settings, self.runnable = data, settings, runnable
        self.pool = (None if is_lazy(data.frame) else
                     ThreadPoolExecutor(max_workers=1, thread_name_prefix="pod-detect"))
        self.ahead: dict[str, Future[Any]] = {}

    def __enter__(self) -> Overlap:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def start(self) -> dict[str, Future[Any]]:
        """Start the work that does not need the reduce step; its futures by
        :meth:`Context.memo` name."""
        if self.pool is None:
            return {}
        names = {d.name for d in self.runnable}
        data = self.data
        if "coengagement" in names:
            self.ahead["coengagement"] = self.pool.submit(
                coengagement_graph, data.frame, self.settings, len(data.accounts))
        if "comments" in names:
            self.ahead["comment_templates"] = self.pool.submit(comment_templates, data.frame)
        return self.ahead

    def use_the_wait(self, context: Context) -> None:
        """Find the reciprocal groups and prepare the detectors while the co-engagement graph
        is still being built, instead of waiting idle."""
        pending = self.ahead.get("coengagement")
        if pending is None:
            return
        context.reciprocal_groups  # noqa: B018  (a cached property: computed now, kept)
        for detector in self.runnable:
            if pending.done():
                return
            detector.prepare(context)


def scan(
    data: Interactions,
    settings: Settings | None = None,
    *,
    detectors: tuple[str, ...] | None = None,
    on_stage: StageHook | None = None,
) -> Report:
    """Run the pipeline on loaded interactions.

    Parameters
    ----------
    data
        The canonical table, e.g. from :func:`pod_detect.io.load`.
    settings
        Thresholds; the defaults when omitted.
    detectors
        Names from :data:`pod_detect.detectors.DETECTORS` to run; all when omitted.
    on_stage
        Told ``"reduce"``, ``"candidates"``, each detector's name as it runs, ``"score"``.

    Returns
    -------
    Report
        Groups, accounts and posts, with the signals that ran and notes on what did not.
    """
    settings = settings or Settings()
    stage = on_stage or (lambda name: None)
    signals = data.signals()
    notes = list(data.notes) + coverage_notes(data, signals)
    runnable = runnable_detectors(detectors or tuple(DETECTORS), signals, notes)
    with Overlap(data, settings, runnable) as overlap:
        ahead = overlap.start()
        stage("reduce")
        context = Context(data, reduce(data), settings, ahead)
        stage("candidates")
        overlap.use_the_wait(context)
        groups = find_groups(context, runnable, stage, overlap.pool)
    stage("score")
    notes += scale_notes(context) + campaign_notes(context, groups) + comment_notes(context)
    for what in context.budget.exhausted + context.merging.exhausted:
        notes.append(
            f"budget hit: {what}; groups in the densest parts of the graph may be incomplete"
        )
    return Report(
        interactions=data,
        settings=settings.to_dict(),
        signals=signals,
        groups=tuple(groups),
        accounts=tuple(score_accounts(groups)),
        posts=tuple(score_posts(data, context.reduced.posts, groups, settings.inflating)),
        notes=tuple(notes),
        post_times=post_times(context.reduced.posts),
    )
