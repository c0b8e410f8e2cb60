"""Each detector on tiny hand-built exports: what it flags and what it must not."""

from __future__ import annotations

import pytest
from conftest import build, fast, organic, outside_rows, round_rows, slow

from pod_detect.detectors import DETECTORS, Context
from pod_detect.pipeline import scan
from pod_detect.reduce import reduce
from pod_detect.settings import Settings


def context(rows, drop=()):
    data = build(rows, drop)
    return Context(data, reduce(data), Settings())


def names(data, members):
    return sorted(str(data.accounts[m]) for m in members)


def test_registry_maps_every_name_to_its_detector():
    assert DETECTORS
    for name, detector in DETECTORS.items():
        assert detector.name == name
        assert detector.requires and detector.description


def test_reciprocal_finds_a_fast_pod_exactly(pod_members):
    ctx = context(organic() + round_rows(pod_members, 6, fast) + outside_rows(pod_members))
    findings = DETECTORS["reciprocal"]().detect(ctx)
    assert [names(ctx.data, f.members) for f in findings] == [sorted(pod_members)]
    (finding,) = findings
    assert finding.evidence["reciprocal_density"] == 1.0
    assert finding.evidence["completed_rounds"] == 36
    assert finding.strength > 0.9


def test_timing_marks_a_fast_pod_and_not_a_slow_one(pod_members):
    fast_ctx = context(organic() + round_rows(pod_members, 6, fast) + outside_rows(pod_members))
    slow_ctx = context(organic() + round_rows(pod_members, 6, slow) + outside_rows(pod_members))
    (quick,) = DETECTORS["timing"]().detect(fast_ctx)
    (unhurried,) = DETECTORS["timing"]().detect(slow_ctx)
    assert quick.strength > 0.8
    assert quick.evidence["baseline"] == "members_outside"
    assert quick.evidence["median_latency_s"] < 600 < quick.evidence["baseline_median_latency_s"]
    assert unhurried.strength == 0.0
    assert unhurried.evidence["timing_pvalue"] > 0.001


def test_timing_falls_back_to_everyone_else_when_members_engage_no_one_else(pod_members):
    ctx = context(organic() + round_rows(pod_members, 6, fast))
    (finding,) = DETECTORS["timing"]().detect(ctx)
    assert finding.evidence["baseline"] == "everyone_else"
    assert finding.strength > 0.8


@pytest.mark.parametrize(
    ("shape", "rows", "at_most"),
    [
        ("friends: reciprocal but partial, organic timing",
         round_rows([f"f{i}" for i in range(6)], 6, slow, share=0.45), "low"),
        ("celebrity's fans: one-way, every post",
         [(f"fan{i}", "celeb", f"c{k}", k * 86400 + 600 + i, k * 86400.0)
          for i in range(40) for k in range(8)], None),
        ("viral post: one burst of strangers, no repetition",
         [(f"v{i}", "o1", "viral", 1000.0 + i, 900.0) for i in range(200)], None),
    ],
    ids=lambda v: v if isinstance(v, str) and ":" in v else "",
)
def test_organic_shapes_are_not_flagged_at_medium(shape, rows, at_most):
    report = scan(build(organic() + rows))
    severities = {g.severity for g in report.groups}
    assert "medium" not in severities and "high" not in severities, shape
    if at_most is None:
        assert not report.groups, shape


def test_without_timestamps_timing_is_skipped_and_said(pod_members):
    rows = organic() + round_rows(pod_members, 6, fast) + outside_rows(pod_members)
    report = scan(build(rows, drop=("timestamp", "post_time")))
    assert any("timing detector not run" in note for note in report.notes)
    (group,) = report.groups
    assert group.severity == "medium"
    assert names(report.interactions, group.members) == sorted(pod_members)
    assert group.detectors == ("reciprocal",)


def test_without_post_ids_rounds_cannot_be_counted(pod_members):
    rows = organic() + round_rows(pod_members, 6, fast) + outside_rows(pod_members)
    report = scan(build(rows, drop=("post_id", "post_time")))
    assert report.signals["coverage"] == "no post_id column"
    for group in report.groups:
        assert group.severity == "low"
        assert "round_completeness" not in group.evidence
