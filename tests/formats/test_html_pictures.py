"""The HTML report's pictures (issue 23): one small network per group in its section, a
one-way group's heatmap against the accounts it boosts, the per-author table from
``analysis.authors``; every SVG well-formed, hostile ids escaped, the same bytes every time."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hostile import IMG, SCRIPT
from hostile import report as hostile_report

import pod_detect
import pod_detect.formats.html as html
from pod_detect.formats import FORMATS, RenderOptions
from pod_detect.report.analysis import (
    GroupPositions,
    authors,
    boosted,
    client_matrix,
    clients,
    picture_edges,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "linkedin_pods.csv"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def example():
    return pod_detect.scan(pod_detect.load(str(EXAMPLE)))


@pytest.fixture(scope="module")
def page(example) -> str:
    return FORMATS["html"](example, RenderOptions())


def lockstep(report):
    return next(g for g in report.groups if g.kind == "lockstep")


def sections(page: str) -> dict[str, str]:
    """Each group section's HTML by group id."""
    found = re.findall(r'<section class="group" id="([^"]+)">(.*?)</section>', page, re.S)
    return dict(found)


def svgs(text: str) -> list[ET.Element]:
    """Every inline SVG of ``text``, parsed as XML (a malformed one raises)."""
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", text, re.S)]


def labelled(text: str, label: str) -> ET.Element:
    [svg] = [s for s in svgs(text) if s.get("aria-label") == label]
    return svg


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def test_every_group_section_has_one_network_of_its_own(example, page):
    found = sections(page)
    assert list(found) == [g.id for g in example.groups]
    for group in example.groups:
        pictures = [s for s in svgs(found[group.id])
                    if s.get("aria-label", "").startswith("network ")]
        assert [p.get("aria-label") for p in pictures] == [f"network {group.id}"]
        circles = list(pictures[0].iter(f"{SVG}circle"))
        names = {example.account_name(m) for m in group.members}
        assert names <= set(texts(pictures[0]))  # every member labelled (all fit: <= 60)
        assert len(circles) <= html.MAX_PICTURE


def test_every_svg_on_the_page_is_well_formed(page):
    found = svgs(page)
    assert len(found) == len(re.findall(r"<svg\b", page)) > 6 * 4


def test_a_pods_picture_holds_its_members_only(example, page):
    pod = example.groups[0]
    assert pod.kind == "pod"
    picture = labelled(sections(page)[pod.id], f"network {pod.id}")
    assert len(list(picture.iter(f"{SVG}circle"))) == len(pod.members)
    assert {c.get("fill") for c in picture.iter(f"{SVG}circle")} == {html._svg.POD}
    assert len(list(picture.iter(f"{SVG}line"))) == len(pod.members) * (len(pod.members) - 1) // 2


def test_the_lockstep_picture_shows_the_accounts_it_boosts(example, page):
    group = lockstep(example)
    section = sections(page)[group.id]
    picture = labelled(section, f"network {group.id}")
    fills = [c.get("fill") for c in picture.iter(f"{SVG}circle")]
    assert fills.count(html._svg.POD) == len(group.members)
    top = boosted(example)[group.id]
    drawn = [n for n, count in top if count >= 0.05 * top[0][1]]  # the farm's clients
    assert fills.count(html._svg.CLIENT) == len(drawn) == 5
    assert set(drawn) <= set(texts(picture))
    assert "15 more with fewer left out" in section


def test_the_lockstep_heatmap_has_the_boosted_accounts_as_columns(example, page):
    group = lockstep(example)
    section = sections(page)[group.id]
    assert "Members (rows) engaging the posts of the accounts they boost (columns)" in section
    assert "Who engaged whom" not in section
    heat = labelled(section, f"boosted accounts matrix {group.id}")
    top = [name for name, _ in boosted(example)[group.id]][: html.MAX_CLIENT_COLUMNS]
    labels = texts(heat)
    members = sorted(example.account_name(m) for m in group.members)
    assert labels[: len(top)] == top  # columns first, then the rows
    assert labels[len(top):] == members
    cells = list(heat.iter(f"{SVG}rect"))
    assert len(cells) == len(members) * len(top)
    assert sum(1 for c in cells if c.get("fill-opacity") != "0.00") > len(members)
    # a pod keeps members against members
    pod = example.groups[0]
    assert "Who engaged whom (row engaged column&#39;s posts)" in sections(page)[pod.id]


def test_the_lockstep_card_names_the_accounts_it_boosts(example, page):
    group = lockstep(example)
    section = sections(page)[group.id]
    top = boosted(example)[group.id]
    card = re.search(r'<p class="boosts">(.*?)</p>', section, re.S).group(1)
    for name, count in top[: html.CARD_CLIENTS]:
        assert f"<code>{name}</code>&nbsp;({count})" in card
    rest = top[html.CARD_CLIENTS:]
    assert f"and {len(rest)} more accounts ({sum(n for _, n in rest)})" in card
    assert f"{sum(n for _, n in top)} engagements" in card
    assert all('<p class="boosts">' not in sections(page)[g.id]
               for g in example.groups if g.kind == "pod")


def test_clients_count_as_boosted_does(example):
    group = lockstep(example)
    at = GroupPositions(example)
    got = clients(example, group, at)
    assert [(example.account_name(int(c)), int(n)) for c, n in got.items()] == \
        boosted(example)[group.id]
    assert got.equals(clients(example, group))  # with or without the positions
    columns = [int(c) for c in got.index[:7]]
    matrix = client_matrix(example, group, columns, at)
    assert matrix.equals(client_matrix(example, group, columns))
    assert matrix.sum(axis=0).tolist() == got.iloc[:7].tolist()
    assert list(matrix.index) == sorted(group.members, key=example.account_name)
    edges = picture_edges(example, group, sorted(group.members) + columns, at)
    assert edges.equals(picture_edges(example, group, sorted(group.members) + columns))
    assert set(edges["author"]) <= set(columns) | set(group.members)
    assert set(edges["actor"]) <= set(group.members)


def test_the_author_table_comes_from_analysis_authors(example, page):
    table = re.search(r'<table id="authors".*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", table, re.S)
    figures = authors(example)
    assert len(rows) == len(figures)
    group = lockstep(example)
    first = figures.iloc[0]
    name, cells = rows[0]
    assert name == example.account_name(int(figures.index[0]))
    numbers = re.findall(r'<td class="n"[^>]*>([^<]*)</td>', cells)
    assert numbers[2:6] == [str(first.engagements), str(first.from_pods),
                            str(first.from_one_way), str(first.authentic)]
    assert first.from_one_way > 0 and first.from_pods == 0  # the farm's client, not a pod's
    assert f'<a href="#{group.id}">{group.id}</a> ({first.groups[group.id]})' in cells


def test_the_posts_table_splits_pods_from_one_way_groups(example, page):
    table = re.search(r'<table id="posts".*?</table>', page, re.S).group(0)
    one_way = pods = 0
    for cells in re.findall(r"<tr><td>.*?</tr>", table):
        numbers = [int(n) for n in re.findall(r'<td class="n">(\d+)</td>', cells)]
        engagements, from_pods, from_one_way, authentic = numbers
        assert from_pods + from_one_way + authentic == engagements
        one_way += from_one_way
        pods += from_pods
    figures = authors(example)
    assert one_way == figures["from_one_way"].sum() and pods == figures["from_pods"].sum()


def test_the_overview_pictures_the_groups_and_their_clients(example, page):
    overview = labelled(page, "network of the flagged groups")
    fills = [c.get("fill") for c in overview.iter(f"{SVG}circle")]
    assert len(fills) == sum(len(g.members) for g in example.groups) + html.OVERVIEW_CLIENTS
    assert fills.count(html._svg.CLIENT) == html.OVERVIEW_CLIENTS
    assert not texts(overview)  # unlabelled: the labels are in the sections


def test_one_group_has_no_overview_its_own_picture_says_it_all():
    page = FORMATS["html"](hostile_report(), RenderOptions())
    assert "network of the flagged groups" not in page
    assert len([s for s in svgs(page) if s.get("aria-label", "").startswith("network ")]) == 1


def test_hostile_ids_are_escaped_in_the_pictures():
    report = hostile_report()
    page = FORMATS["html"](report, RenderOptions())
    group = report.groups[0]
    for payload in (SCRIPT, IMG, "<img", "<script>alert"):
        assert payload not in page
    picture = labelled(page, f"network {group.id}")
    labels = texts(picture)
    assert SCRIPT[:18] in labels and IMG[:18] in labels  # drawn as text, not markup
    tips = [t.text for t in picture.iter(f"{SVG}title")]
    assert any(SCRIPT in (t or "") for t in tips) and any(IMG in (t or "") for t in tips)
    assert not [e for e in picture.iter() if e.tag.split("}")[-1] in ("script", "img")]


def test_same_bytes_every_time(example, page):
    assert FORMATS["html"](example, RenderOptions()) == page
    html._spring.cache_clear()
    assert FORMATS["html"](example, RenderOptions()) == page
    code = ("import sys, pod_detect; from pod_detect.formats import FORMATS, RenderOptions; "
            f"r = pod_detect.scan(pod_detect.load({str(EXAMPLE)!r})); "
            "sys.stdout.buffer.write(FORMATS['html'](r, RenderOptions()).encode())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           timeout=300)
    assert other.stdout.decode() == page  # another process: another hash seed


def test_each_picture_is_capped_and_says_what_it_left_out(example, monkeypatch):
    monkeypatch.setattr(html, "MAX_PICTURE", 8)
    page = FORMATS["html"](example, RenderOptions())
    found = sections(page)
    for group in example.groups:
        picture = labelled(found[group.id], f"network {group.id}")
        assert len(list(picture.iter(f"{SVG}circle"))) == 8
    pod = example.groups[0]
    assert (f"the 8 busiest of {len(pod.members)} members ({len(pod.members) - 8} left out)"
            in found[pod.id])
    group = lockstep(example)
    assert (f"the 3 busiest of {len(group.members)} members "
            f"({len(group.members) - 3} left out)") in found[group.id]


def test_a_large_pod_is_drawn_on_a_circle(example, monkeypatch):
    monkeypatch.setattr(html, "SPRING_NODES", 5)
    pod = example.groups[0]
    page = FORMATS["html"](example, RenderOptions())
    picture = labelled(sections(page)[pod.id], f"network {pod.id}")
    xy = np.array([(float(c.get("cx")), float(c.get("cy")))
                   for c in picture.iter(f"{SVG}circle")])
    radius = np.hypot(*(xy - xy.mean(axis=0)).T)
    assert radius.std() < 0.05 * radius.mean()


def test_a_coordinated_group_is_drawn_one_way_without_lines_between_members(example):
    pod = example.groups[0]
    groups = (dataclasses.replace(pod, kind="coordinated"), *example.groups[1:])
    report = dataclasses.replace(example, groups=groups)
    section = sections(FORMATS["html"](report, RenderOptions()))[pod.id]
    assert "no lines between members (" in section
    assert "Members (rows) engaging the posts of the accounts they boost" in section
    svgs(section)  # well-formed


def test_many_groups_get_a_picture_per_section_and_no_more(monkeypatch):
    """Many groups (tests/report/test_many_groups.py times 1,500): one picture per section,
    none for the groups past MAX_SECTIONS, and the overview."""
    import pandas as pd

    from pod_detect.io import parse
    from pod_detect.pipeline import scan

    rng = np.random.default_rng(3)
    rows = [(f"g{g}m{a}", f"g{g}m{b}", f"g{g}m{b}/p{p}", 1.6e9 + g * 600 + rng.uniform(0, 60))
            for g in range(40) for a in range(6) for b in range(6) if a != b for p in range(2)]
    frame = pd.DataFrame(rows, columns=["actor", "author", "post_id", "timestamp"])
    report = scan(parse(frame.astype({"timestamp": str})))
    assert len(report.groups) == 40
    monkeypatch.setattr(html, "MAX_SECTIONS", 12)
    page = FORMATS["html"](report, RenderOptions())
    pictures = [s for s in svgs(page) if s.get("aria-label", "").startswith("network ")]
    assert len(pictures) == 12 + 1
