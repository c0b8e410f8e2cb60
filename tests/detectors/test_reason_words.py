"""The words of each kind of reason say what was measured (issue 23): reciprocity counts the
pairs that reciprocate and, apart, those beyond chance; a one-way group is written as one-way,
in its reasons and its members'; latencies say what they are measured from."""

from __future__ import annotations

from conftest import build, farm_rows, fast, organic, outside_rows, round_rows

import pod_detect

POD = [f"pod{i}" for i in range(6)]
FARM = [f"farm{i}" for i in range(12)]
CLIENTS = ["client0", "client1"]


def group_of(report, members):
    (group,) = [g for g in report.groups
                if {report.account_name(m) for m in g.members} == set(members)]
    return group


def test_a_pod_that_reciprocates_in_full_says_so_beside_what_is_beyond_chance():
    # every pair engages each other's posts on every post: all 15 pairs reciprocate,
    # whatever share of them the popularity null model calls significant
    report = pod_detect.scan(build(organic() + round_rows(POD, 10, fast)
                                   + outside_rows(POD)))
    pod = group_of(report, POD)
    (reason,) = [r for r in pod.reasons if "pairs of members who post" in r]
    assert reason.startswith("15 of the 15 pairs of members who post engage each other's "
                             "posts repeatedly, both ways; ")
    linked = int(reason.split("; ")[1].split()[0])
    assert 0 < linked <= 15 and "more than their popularity predicts" in reason


def test_a_like_farm_is_written_as_one_way():
    report = pod_detect.scan(build(organic() + farm_rows(FARM, CLIENTS)))
    farm = group_of(report, FARM)
    assert farm.kind == "lockstep"
    assert not any("engage each other" in r for r in farm.reasons), farm.reasons
    assert any("the posts of the accounts they boost" in r for r in farm.reasons)
    members = [a for a in report.accounts if a.group == farm.id]
    assert {a.score for a in members} == {farm.score}  # no rounds to fall short of
    for account in members:
        text = " ".join(account.reasons)
        assert "engages and is engaged by" not in text and "members' posts" not in text
        assert text.startswith(f"member of lockstep group (one-way: a like-farm's pattern) "
                               f"{farm.id}")
        assert "engaged the same posts as " in text and " of the 11 other members" in text


def test_latencies_without_post_times_are_from_the_first_engagement():
    rows = organic() + round_rows(POD, 10, fast) + outside_rows(POD)
    timed = pod_detect.scan(build(rows))
    untimed = pod_detect.scan(build(rows, drop=("post_time",)))
    for report, since in ((timed, "after the post ("),
                          (untimed, "after the post's first engagement in the export (")):
        pod = group_of(report, POD)
        (reason,) = [r for r in pod.reasons if r.startswith("members engage")]
        assert since in reason, reason
        assert "the middle half spread over" in reason
        for account in (a for a in report.accounts if a.group == pod.id):
            latency = [r for r in account.reasons if r.startswith("median ")]
            assert all(since.rstrip(" (") in r for r in latency), latency
    assert group_of(untimed, POD).evidence["latency_from"] == "first_engagement"
