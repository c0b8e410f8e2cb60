"""The verdict: effect and evidence, each band's documented reference points."""

from __future__ import annotations

import math

import pytest

from pod_detect.detectors.base import Finding
from pod_detect.scoring import effect, verdict
from pod_detect.settings import Settings

MEMBERS = frozenset({1, 2, 3, 4, 5})


def shape(strength, log10_p, kind="pod"):
    return Finding("reciprocal", kind, MEMBERS, strength, {}, (), {}, log10_p)


def act(strength, log10_p, name="timing"):
    return Finding(name, "pod", MEMBERS, strength, {}, (), {}, log10_p)


@pytest.mark.parametrize("s,b,band", [
    (0.63, 0.0, "low"),     # two thirds of each other's posts, organic behaviour: friends
    (0.80, 0.0, "medium"),  # rounds at the round share, nothing else known
    (0.92, 0.0, "high"),    # every member's every post: structure alone suffices
    (0.40, 0.9, "medium"),  # half the posts, but fast and templated
    (0.30, 0.0, None),      # a busy community
])
def test_reference_points_of_the_effect(s, b, band):
    assert Settings().severity(effect(s, b)) == band


def test_behaviour_raises_and_never_lowers_the_effect():
    for s in (0.2, 0.5, 0.8):
        assert effect(s, 0.0) <= effect(s, 0.5) <= effect(s, 1.0) <= 1.0


def test_chance_is_not_reported_and_weak_evidence_is_not_high():
    settings = Settings()
    assert verdict([shape(1.0, -2.0)], settings)[0] == 0.0  # p = 0.01 > alpha
    score, numbers, reasons = verdict([shape(1.0, -5.0)], settings)
    assert settings.severity(score) == "medium" and numbers["log10_pvalue"] == -5.0
    assert any("short of what a high verdict needs" in r for r in reasons)
    assert settings.severity(verdict([shape(1.0, -40.0)], settings)[0]) == "high"


def test_a_behaviour_test_that_finds_nothing_lowers_evidence_and_never_vetoes():
    settings = Settings()
    alone, numbers_alone, _ = verdict([shape(0.95, -300.0)], settings)
    with_nothing, numbers, _ = verdict([shape(0.95, -300.0), act(0.0, math.log10(0.9))],
                                       settings)
    assert settings.severity(with_nothing) == settings.severity(alone) == "high"
    assert numbers["log10_pvalue"] > numbers_alone["log10_pvalue"]  # a little less sure
    missing, _, _ = verdict([shape(0.95, -300.0), act(0.0, None)], settings)
    assert missing == alone
