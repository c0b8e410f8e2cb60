"""``explain`` answers for an author as for a member: how much of the engagement it received
is authentic, and which groups and accounts supplied the rest (issue 23)."""

from __future__ import annotations

from pathlib import Path

import pytest

import pod_detect
from pod_detect.report.analysis import authors
from pod_detect.report.explain import explain

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "linkedin_pods.csv"


@pytest.fixture(scope="module")
def report():
    return pod_detect.scan(pod_detect.load(EXAMPLE))


def test_an_author_boosted_by_a_farm_is_explained_as_an_author(report):
    farm = next(g for g in report.groups if g.kind == "lockstep")
    frame = report.interactions.frame
    boosted = frame[frame["actor"].isin(list(farm.members))]["author"]
    client = int(boosted.value_counts().index[0])  # the account the farm boosts most
    name = report.account_name(client)
    info = explain(report, name)
    author = info["as_author"]
    received = frame[frame["author"] == client]
    from_farm = int(received["actor"].isin(list(farm.members)).sum())
    assert author["engagements"] == len(received)
    assert author["from_one_way"] == from_farm > 0
    assert author["authentic"] == len(received) - author["from_pods"] - from_farm
    assert author["groups"][0]["group"] == farm.id
    assert {s["group"] for s in author["suppliers"]} == {farm.id}
    # the same figures as the HTML report's per-author table
    row = authors(report).loc[client]
    assert (int(row["engagements"]), int(row["authentic"])) == (author["engagements"],
                                                                author["authentic"])
    # its engaged-by table names the farm members' group
    farm_names = {report.account_name(m) for m in farm.members}
    for r in info["engaged_by"]:
        assert (r["group"] == farm.id) == (r["account"] in farm_names)


def test_an_account_no_one_engaged_has_no_author_side(report):
    frame = report.interactions.frame
    never = next(int(a) for a in frame["actor"].unique() if not (frame["author"] == a).any())
    assert explain(report, report.account_name(never))["as_author"] is None


def test_every_format_with_records_carries_the_per_author_figures(report):
    from pod_detect.formats import FORMATS
    from pod_detect.formats.base import RenderOptions
    from pod_detect.report import to_dict

    document = to_dict(report)
    rows = document["authors"]
    assert rows and rows == sorted(rows, key=lambda r: (r["authentic"] - r["engagements"],
                                                        r["author"]))
    for row in rows[:5]:  # the same figures explain gives for the author
        side = explain(report, row["author"])["as_author"]
        assert {k: side[k] for k in ("engagements", "posts", "from_pods", "from_one_way",
                                     "authentic", "authentic_share")} == {
            k: row[k] for k in ("engagements", "posts", "from_pods", "from_one_way",
                                "authentic", "authentic_share")}
        assert [g["id"] for g in row["groups"]] == [g["group"] for g in side["groups"]]
    import json

    lines = [json.loads(line) for line in FORMATS["ndjson"](report, RenderOptions()).splitlines()]
    assert [r["author"] for r in lines if r["type"] == "author"] == [r["author"] for r in rows]
    table = FORMATS["table"](report, RenderOptions(color=False, width=160))
    assert "Most inflated authors" in table and rows[0]["author"] in table


def test_explain_lists_the_co_engagement_partners_as_pairs_would(report):
    from pod_detect.report.pairs import coengagement_pairs

    farm = next(g for g in report.groups if g.kind == "lockstep")
    member = report.account_name(min(farm.members))
    found = explain(report, member)["coengagement"]
    assert found["window_s"] == farm.evidence["scale_s"]
    # every pair of the whole export's pairs at that window that names the member
    pairs = coengagement_pairs(report.interactions, window=found["window_s"], min_weight=2,
                               weighting="count")
    mine = pairs[(pairs["account_1"] == member) | (pairs["account_2"] == member)]
    assert found["partners_total"] == len(mine)
    names = {report.account_name(m) for m in farm.members} - {member}
    top = found["partners"]
    assert top and all(p["same_group"] == (p["account"] in names) for p in top)
    assert top[0]["same_group"] and top[0]["posts"] == int(mine["posts"].max())


def test_the_authors_csv_is_the_json_figures_row_for_row(report):
    import csv
    import io

    from pod_detect.formats import FORMATS
    from pod_detect.formats.base import RenderOptions
    from pod_detect.report import to_dict

    text = FORMATS["csv-authors"](report, RenderOptions())
    assert text.endswith("\r\n")
    header, *cells = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["author", "engagements", "posts", "authentic", "authentic_share",
                      "from_pods", "from_one_way", "groups"]
    rows = to_dict(report)["authors"]
    assert len(cells) == len(rows) > 0
    frame = report.interactions.frame
    for line, row in zip(cells, rows, strict=True):
        assert line[0] == row["author"]
        numbers = [int(line[1]), int(line[2]), int(line[3]), int(line[5]), int(line[6])]
        assert numbers == [row[k] for k in ("engagements", "posts", "authentic", "from_pods",
                                            "from_one_way")]
        assert float(line[4]) == pytest.approx(row["authentic_share"], abs=5e-5)
        assert line[7] == "; ".join(f"{g['id']} ({g['engagements']})" for g in row["groups"])
        # the engagements and the split add up on the rows themselves
        received = frame[frame["author"] == report.interactions.accounts.tolist().index(
            line[0])]
        assert int(line[1]) == len(received)
        assert int(line[3]) + int(line[5]) + int(line[6]) == int(line[1])


def test_the_posts_split_adds_up_to_the_authors_split(report):
    """A farm's likes are never counted as a pod's, on a post or on its author: the posts'
    figures add up to the authors' (the terminal table showed a farm client's posts as 32
    "from pods" beside its author row's 0 from pods)."""
    from collections import defaultdict

    from pod_detect.report import to_dict

    document = to_dict(report)
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for post in document["posts"]:
        assert post["authentic"] == (post["engagements"] - post["from_pods"]
                                     - post["from_one_way"])
        sums[post["author"]][0] += post["from_pods"]
        sums[post["author"]][1] += post["from_one_way"]
    assert {r["author"]: [r["from_pods"], r["from_one_way"]] for r in document["authors"]} == {
        k: v for k, v in sums.items()}
    farm_clients = {r["author"] for r in document["authors"] if r["from_one_way"]}
    assert farm_clients and all(sums[a][1] > 0 for a in farm_clients)
    summary = document["summary"]
    assert summary["one_way_engagements"] == sum(v[1] for v in sums.values()) > 0
    assert summary["pod_engagements"] == sum(v[0] for v in sums.values()) > 0
