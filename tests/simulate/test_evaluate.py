"""Scoring a report against the truth, on hand-built reports with known answers."""

from __future__ import annotations

import json

import pytest

from pod_detect.errors import ConfigError, InputError
from pod_detect.simulate.evaluate import evaluate, jaccard


def pod(id_, members, severity="high", kind="pod"):
    return {"id": id_, "kind": kind, "severity": severity, "score": 0.9, "members": members}


def group(id_, kind, label, members, **extra):
    return {"id": id_, "kind": kind, "label": label, "members": members, **extra}


# Truth: a classic pod a-d, a like-farm f1-f3, friends x-z, a viral burst v1-v4 (+ x).
TRUTH = {
    "groups": [
        group("classic-1", "classic", "pod", ["a", "b", "c", "d"]),
        group("likefarm-1", "likefarm", "lockstep", ["f1", "f2", "f3"], clients=["k"]),
        group("friends-1", "friends", "negative", ["x", "y", "z"]),
        group("viral-1", "viral", "negative", ["v1", "v2", "v3", "v4", "x"], post_id="p1"),
    ]
}


def test_precision_recall_exact():
    # predicted {a, b, c, x, y, f1}: 4 of 6 are positives; 4 of 7 positives found
    report = {"pods": [pod("g1", ["a", "b", "c"]), pod("g2", ["x", "y", "f1"], "medium")]}
    ev = evaluate(report, TRUTH)
    assert (ev.positives, ev.predicted, ev.true_positives) == (7, 6, 4)
    assert ev.precision == pytest.approx(4 / 6)
    assert ev.recall == pytest.approx(4 / 7)
    assert ev.f1 == pytest.approx(2 * (4 / 6) * (4 / 7) / (4 / 6 + 4 / 7))


def test_precision_two_thirds():
    ev = evaluate({"pods": [pod("g1", ["a", "b", "x"])]}, TRUTH)
    assert ev.precision == 2 / 3
    assert ev.recall == 2 / 7


def test_best_match_by_jaccard_and_kind():
    report = {
        "pods": [
            pod("g1", ["a", "b"]),  # 2/4 with classic-1
            pod("g2", ["a", "b", "c", "d", "e"]),  # 4/5 with classic-1
            pod("g3", ["f1", "f2", "f3"], kind="pod"),  # right members, wrong kind
        ]
    }
    ev = evaluate(report, TRUTH)
    classic, farm = ev.groups
    assert (classic.id, classic.match, classic.jaccard) == ("classic-1", "g2", 0.8)
    assert classic.kind_match and classic.found and classic.flagged == 4
    assert (farm.match, farm.jaccard, farm.reported_kind) == ("g3", 1.0, "pod")
    assert not farm.kind_match


def test_ties_go_to_the_smaller_id():
    ev = evaluate({"pods": [pod("g9", ["a", "b"]), pod("g1", ["c", "d"])]}, TRUTH)
    assert ev.groups[0].match == "g1" and ev.groups[0].jaccard == 0.5


def test_missed_group_has_no_match():
    ev = evaluate({"pods": [pod("g1", ["a", "b", "c", "d"])]}, TRUTH)
    farm = ev.groups[1]
    assert farm.match is None and farm.jaccard == 0.0 and farm.reported_kind is None
    assert not farm.kind_match and not farm.found and farm.flagged == 0


@pytest.mark.parametrize(
    ("min_severity", "counted", "predicted"),
    [("low", 3, 7), ("medium", 2, 5), ("high", 1, 3)],
)
def test_severity_filter(min_severity, counted, predicted):
    report = {
        "pods": [
            pod("g1", ["a", "b", "c"], "high"),
            pod("g2", ["f1", "f2"], "medium"),
            pod("g3", ["x", "y"], "low"),
        ]
    }
    ev = evaluate(report, TRUTH, min_severity=min_severity)
    assert (ev.reported, ev.counted, ev.predicted) == (3, counted, predicted)


def test_unmatched_groups():
    report = {
        "pods": [
            pod("g1", ["a", "b", "c", "d"]),
            pod("g2", ["x", "y", "z"]),  # a negative: matches no planted group
            pod("g3", ["a", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10"]),
            pod("g0", ["a", "q1", "q2"]),  # 1/6 with classic-1: above 0.1, matched
        ]
    }
    ev = evaluate(report, TRUTH)
    assert ev.unmatched == ("g2", "g3")  # g3: 1/14 < 0.1


def test_negatives_flagged():
    report = {"pods": [pod("g1", ["x", "y", "a"]), pod("g2", ["v1", "v2"]), pod("g3", ["b"])]}
    ev = evaluate(report, TRUTH)
    friends, viral = ev.negatives
    assert (friends.id, friends.size, friends.flagged, friends.groups) == (
        "friends-1",
        3,
        2,
        ("g1",),
    )
    assert (viral.flagged, viral.groups) == (3, ("g1", "g2"))  # x is in both negatives
    assert ev.negatives_flagged == 5


def test_per_kind_recall():
    ev = evaluate({"pods": [pod("g1", ["a", "b", "c"]), pod("g2", ["f1"], kind="lockstep")]}, TRUTH)
    kinds = {k.kind: k for k in ev.kinds}
    assert list(kinds) == ["classic", "likefarm"]
    assert kinds["classic"].recall == 3 / 4 and kinds["classic"].found == 1
    assert kinds["likefarm"].recall == 1 / 3 and kinds["likefarm"].found == 0


def test_empty_report():
    ev = evaluate({"pods": []}, TRUTH)
    assert (ev.precision, ev.recall, ev.f1) == (0.0, 0.0, 0.0)
    assert ev.unmatched == () and all(n.flagged == 0 for n in ev.negatives)
    assert evaluate({}, TRUTH).counted == 0


def test_empty_report_and_no_positives():
    truth = {"groups": [group("friends-1", "friends", "negative", ["x", "y"])]}
    ev = evaluate({"pods": []}, truth)
    assert (ev.precision, ev.recall) == (1.0, 1.0)
    assert ev.groups == () and ev.kinds == ()


def test_flagging_with_no_positives_has_zero_precision():
    truth = {"groups": [group("friends-1", "friends", "negative", ["x", "y"])]}
    ev = evaluate({"pods": [pod("g1", ["x", "y"])]}, truth)
    assert (ev.precision, ev.recall) == (0.0, 1.0)
    assert ev.unmatched == ("g1",)


def test_to_dict_is_json_ready_and_stable():
    report = {"pods": [pod("g1", ["a", "b", "c"]), pod("g2", ["x", "y"], "medium")]}
    out = evaluate(report, TRUTH).to_dict()
    text = json.dumps(out)
    assert json.loads(text) == out
    assert json.dumps(evaluate(report, TRUTH).to_dict()) == text
    assert out["groups_found"] == 1 and out["negatives_flagged"] == 3  # x counts twice
    assert out["negatives"][0]["groups"] == ["g2"]
    assert set(out["kinds"]) == {"classic", "likefarm"}
    assert out["kinds"]["classic"]["recall"] == 0.75


def test_bad_severity():
    with pytest.raises(ConfigError):
        evaluate({"pods": []}, TRUTH, min_severity="severe")
    with pytest.raises(InputError):
        evaluate({"pods": [pod("g1", ["a"], severity="extreme")]}, TRUTH)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({"a", "b"}, {"b", "c"}, 1 / 3),
        (set(), set(), 0.0),
        ({"a"}, {"a"}, 1.0),
        ({"a"}, set(), 0.0),
    ],
)
def test_jaccard(a, b, expected):
    assert jaccard(frozenset(a), frozenset(b)) == expected
