"""The CrowdTangle / Meta Content Library adapter: historical-data CSVs (Facebook, Instagram, the
old ``Created`` form), Content Library posts (JSON Lines, a response page, a flattened CSV);
exact rows, time zones, recognition, hostile records and a planted link-sharing group."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from shared import found_alone, odd_records_are_handled

import pod_detect
from pod_detect.errors import InputError
from pod_detect.io.platforms import PLATFORMS, sample
from pod_detect.io.platforms import crowdtangle as ct

DATA = Path(__file__).resolve().parents[2] / "data" / "platforms"
HERE = DATA / "crowdtangle"
FACEBOOK, INSTAGRAM = HERE / "facebook_historical.csv", HERE / "instagram_historical.csv"
LIBRARY, PAGE = HERE / "content_library_posts.jsonl", HERE / "content_library_page.json"
FIXTURES = (FACEBOOK, INSTAGRAM, LIBRARY, PAGE)
STARS = Path(__file__).resolve().parents[4] / "shared" / "data" / "github_stars_dev.csv"
TITLE = "CrowdTangle / Meta Content Library CSV"

EDT, EST = timezone(timedelta(hours=-4)), timezone(timedelta(hours=-5))

# pages (Facebook Id)
RIVERSIDE, CIVIC, HARBOR, NEIGHBOURS = (
    "100064512345678", "104872339912345", "273864989376427", "61550123456789")
FLOOD = "https://riversidedaily.example/news/2021/07/06/flood-warning"
BUDGET = "https://example.org/budget-2021"
BUDGET_UTM = "https://example.org/budget-2021?utm_source=facebook&utm_medium=social"
DST = "https://time.example/daylight-saving-2021"
VIDEO = "https://www.facebook.com/HarborWatch/videos/305952311423199/"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
BRIDGE = "https://riversidedaily.example/news/2024/03/05/bridge-closed"
TIDES = "https://harbor.example/tides?week=10"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
       tz: timezone = UTC) -> float:
    """Epoch seconds of a wall-clock time in ``tz``."""
    return datetime(year, month, day, hour, minute, second, tzinfo=tz).timestamp()


def rows(data) -> list[tuple]:
    """(actor, post id, kind, timestamp) of every row, decoded, in the frame's order."""
    frame = data.frame
    return list(zip(data.accounts[frame["actor"]].tolist(), data.posts[frame["post"]].tolist(),
                    frame["kind"].astype(str).tolist(), frame["timestamp"].tolist(), strict=True))


def recognisers(path: Path) -> list[str]:
    """The platforms that recognise the first records of a fixture."""
    name = path.name
    if name.endswith((".csv", ".tsv")):
        delimiter = "\t" if name.endswith(".tsv") else ","
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.DictReader(handle, delimiter=delimiter))
        container = name.rsplit(".", 1)[1]
    else:
        text = path.read_text(encoding="utf-8")
        try:
            document = json.loads(text)
            records, container = (document if isinstance(document, list) else [document]), "json"
        except json.JSONDecodeError:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
            container = "jsonl"
    found = sample(container, records)
    return [key for key, platform in PLATFORMS.items()
            if container in platform.containers and found.records and platform.recognise(found)]


# -- CrowdTangle historical data -------------------------------------------------------------

def test_facebook_export_gives_one_share_per_linked_post():
    data = pod_detect.load(FACEBOOK)
    assert len(data.frame) == 10  # 12 posts, a status update and a photo without a link left out
    assert sorted(data.accounts) == sorted([RIVERSIDE, CIVIC, HARBOR, NEIGHBOURS])
    assert sorted(data.posts) == sorted([FLOOD, BUDGET, BUDGET_UTM, DST, VIDEO, YOUTUBE])
    assert data.columns == {"actor", "post_id", "kind", "timestamp"}
    (note,) = data.notes
    assert note.startswith(f"read as {TITLE} (recognised from its fields)")
    assert "12 records; engagements by kind: share 10" in note
    assert "2 records with no engagement left out" in note
    got = rows(data)
    assert set(data.frame["kind"].astype(str)) == {"share"}
    assert (data.frame["author"] == -1).all()  # whose link it is, is not in the export
    assert data.frame["post_time"].isna().all() and data.frame["text"].isna().all()
    # Final Link (shortener followed) over Link; the time's EDT read as -04:00
    assert (RIVERSIDE, FLOOD, "share", at(2021, 7, 6, 16, 45, 20, tz=EDT)) in got
    # no Final Link: Link; seconds after the first
    assert (CIVIC, FLOOD, "share", at(2021, 7, 6, 16, 45, 31, tz=EDT)) in got
    assert (HARBOR, FLOOD, "share", at(2021, 7, 6, 20, 45, 44)) in got
    # winter: EST is -05:00; links are kept as written (utm parameters and all)
    assert (RIVERSIDE, BUDGET_UTM, "share", at(2021, 2, 1, 12, 34, 56, tz=EST)) in got
    # a page without a User Name is its Facebook Id all the same
    assert (NEIGHBOURS, BUDGET, "share", at(2021, 2, 1, 17, 35, 4)) in got
    # surrounding whitespace stripped, nothing else
    assert (HARBOR, BUDGET, "share", at(2021, 2, 1, 12, 35, 9, tz=EST)) in got
    # across the change to summer time: two seconds apart, not an hour
    dst = sorted(t for actor, post, _, t in got if post == DST)
    assert dst == [at(2021, 3, 14, 6, 59, 59), at(2021, 3, 14, 7, 0, 1)]
    # a native video's link and a YouTube link are links like any other
    assert (HARBOR, VIDEO, "share", at(2021, 7, 6, 18, 10, 0, tz=EDT)) in got
    assert (NEIGHBOURS, YOUTUBE, "share", at(2021, 7, 6, 19, 30, 0, tz=EDT)) in got


def test_instagram_export_skips_links_to_the_post_itself():
    data = pod_detect.load(INSTAGRAM)
    assert rows(data) == [("riversidedaily", FLOOD, "share", at(2021, 7, 7, 9, 15, 0, tz=EDT)),
                          ("civicpulse", FLOOD, "share", at(2021, 7, 7, 9, 15, 21, tz=EDT))]
    assert ("5 records; engagements by kind: share 2; 3 records with no engagement left out"
            in data.notes[0])


def test_the_platform_can_be_asked_for_and_a_container_reads_it_flat():
    asked = pod_detect.load(FACEBOOK, fmt="crowdtangle")
    assert rows(asked) == rows(pod_detect.load(FACEBOOK))
    assert "as --input-format asked" in asked.notes[0]
    # flat: "User Name" is the actor by its alias, and a Page without one is an empty actor
    with pytest.raises(InputError, match="row 7, column 'User Name'"):
        pod_detect.load(FACEBOOK, fmt="csv")
    with pytest.raises(InputError, match="missing required column 'actor'"):
        pod_detect.load(LIBRARY, fmt="jsonl")


def test_the_old_export_names_the_time_created(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("User Name,Facebook Id,Likes at Posting,Created,Type,URL,Message,Link,"
                    "Final Link\n"
                    "RiversideDaily,100064512345678,15230,2020-11-03 07:00:00 EST,Link,"
                    "https://www.facebook.com/1/posts/2,Vote,https://vote.example/,\n",
                    encoding="utf-8")
    data = pod_detect.load(path)
    assert rows(data) == [(RIVERSIDE, "https://vote.example/", "share", at(2020, 11, 3, 12))]


@pytest.mark.parametrize(("given", "written"), [
    ("2021-07-06 16:45:20 EDT", "2021-07-06 16:45:20-04:00"),
    ("2021-01-06 16:45:20 EST", "2021-01-06 16:45:20-05:00"),
    ("2021-07-06 16:45:20 pdt", "2021-07-06 16:45:20-07:00"),
    ("2021-07-06 16:45:20 CEST", "2021-07-06 16:45:20+02:00"),
    ("2021-07-06 16:45:20 UTC", "2021-07-06 16:45:20 UTC"),
    ("2021-07-06 4:45:20 PM", "2021-07-06 4:45:20 PM"),
    ("2021-07-06 16:45:20", "2021-07-06 16:45:20"),
    ("2021-07-06T16:45:20Z", "2021-07-06T16:45:20Z"),
])
def test_zone_abbreviations_become_offsets(given, written):
    assert ct._offset(given, ct.CREATED) == written


def test_a_zone_that_cannot_be_placed_names_the_row_and_column(tmp_path):
    path = tmp_path / "ist.csv"
    path.write_text("Facebook Id,User Name,Post Created,Link\n"
                    "1,a,2021-07-06 16:45:20 EDT,https://x.example/1\n"
                    "2,b,2021-07-06 16:45:20 IST,https://x.example/1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column 'Post Created'.*zone 'IST'"):
        pod_detect.load(path)


# -- Meta Content Library ---------------------------------------------------------------------

def test_content_library_posts_give_the_owner_sharing_the_link():
    data = pod_detect.load(LIBRARY)
    assert sorted(rows(data), key=lambda r: r[3]) == [
        ("1100220033004401", BRIDGE, "share", at(2024, 3, 5, 14, 2, 11)),
        ("1100220033004402", BRIDGE, "share", at(2024, 3, 5, 14, 2, 19)),
        # a profile's post in a group: the owner shared it (the group is where), link stripped
        ("1100220033004403", BRIDGE, "share", at(2024, 3, 5, 14, 3, 2)),
        # the data dictionary's spellings: post_owner.data.id, link_attachment_fields.link
        ("1100220033004404", TIDES, "share", at(2024, 3, 6, 9, 0, 0)),
        ("1100220033004405", TIDES, "share", at(2024, 3, 6, 9, 0, 4)),
    ]
    # two text posts and a reshare (its post_owner is the reshared post's) left out
    assert ("8 records; engagements by kind: share 5; 3 records with no engagement left out"
            in data.notes[0])


def test_a_content_library_response_page_is_read_item_by_item():
    data = pod_detect.load(PAGE)
    school = "https://valleyvoice.example/2024/03/07/school-board"
    assert sorted(rows(data)) == [("1100220033004406", school, "share", at(2024, 3, 7, 8, 30)),
                                  ("1100220033004407", school, "share", at(2024, 3, 7, 8, 30, 9))]


def test_content_library_posts_flattened_to_a_csv(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        "id,creation_time,post_owner.id,post_owner.name,link_attachment.link,shared_post_id\n"
        "11,2024-03-05T14:02:11+0000,900,Riverside Daily,https://a.example/x,\n"
        "12,2024-03-05T14:02:15+0000,901,Civic Pulse,https://a.example/x,\n"
        "13,2024-03-05T14:09:00+0000,901,Civic Pulse,https://a.example/x,11\n"
        "14,2024-03-05T15:00:00+0000,900,Riverside Daily,,\n", encoding="utf-8")
    data = pod_detect.load(path)
    link = "https://a.example/x"
    assert sorted(rows(data)) == [("900", link, "share", at(2024, 3, 5, 14, 2, 11)),
                                  ("901", link, "share", at(2024, 3, 5, 14, 2, 15))]


def test_several_exports_read_as_one():
    data = pod_detect.load([FACEBOOK, LIBRARY])
    assert len(data.frame) == 15
    assert len(data.notes) == 2 and all(TITLE in note for note in data.notes)


# -- recognition ------------------------------------------------------------------------------

def test_other_exports_are_not_recognised_as_crowdtangle(tmp_path):
    """(every fixture against every platform, and flat exports: test_recognition.py)"""
    plain = tmp_path / "plain.csv"  # plain English column names, as another tool may write
    plain.write_text("User Name,Created,Link\nann,2021-07-06,https://x.example/1\n",
                     encoding="utf-8")
    assert recognisers(plain) == []


# -- hostile records --------------------------------------------------------------------------

GOOD = {"id": "1", "creation_time": "2024-03-05T14:02:11+0000",
        "post_owner": {"id": "900", "name": "Riverside Daily", "type": "page"},
        "link_attachment": {"link": "https://a.example/x"}}


@pytest.mark.parametrize(("bad", "column"), [
    ({**GOOD, "post_owner": {"id": ["900"]}}, "post_owner.id"),
    ({**GOOD, "post_owner": {"id": {"x": 1}}}, "post_owner.id"),
    ({**GOOD, "post_owner": "900"}, "post_owner.id"),
    ({**GOOD, "link_attachment": {"link": ["https://a.example/x"]}}, "link_attachment.link"),
    ({**GOOD, "creation_time": {"t": 1}}, "creation_time"),
    ({**GOOD, "creation_time": ["2024-03-05T14:02:11+0000"]}, "creation_time"),
    ({k: v for k, v in GOOD.items() if k != "creation_time"}, "creation_time"),
    ({"data": [GOOD, "not a post"]}, "data.1"),
    ({"data": [GOOD, {**GOOD, "post_owner": {"id": [1]}}]}, "data.1.post_owner.id"),
])
def test_a_bad_content_library_record_is_a_one_line_error(tmp_path, bad, column):
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (*[GOOD] * 9, bad, GOOD)) + "\n")
    with pytest.raises(InputError) as caught:
        pod_detect.load(path)
    message = str(caught.value)
    assert "row 10" in message and f"column '{column}'" in message and "\n" not in message
    skipped = pod_detect.load(path, on_bad_rows="skip")
    assert skipped.dropped["bad_row"] == 1


@pytest.mark.parametrize(("cells", "column"), [
    (("", "", "2021-07-06 16:45:20 EDT", "https://x.example/1"), "Facebook Id"),
    (("3", "c", "", "https://x.example/1"), "Post Created"),
    (("3", "c", "2021-07-06 16:45:20 XYZ", "https://x.example/1"), "Post Created"),
])
def test_a_bad_crowdtangle_row_is_a_one_line_error(tmp_path, cells, column):
    path = tmp_path / "posts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Facebook Id", "User Name", "Post Created", "Link"])
        writer.writerow(["1", "a", "2021-07-06 16:45:20 EDT", "https://x.example/1"])
        writer.writerow(cells)
    with pytest.raises(InputError, match=rf"row 2, column '{column}'"):
        pod_detect.load(path)


def test_records_of_the_wrong_types_never_raise_anything_else():
    """Recognition and rows over odd records: False, rows or BadRecord, nothing else."""
    odd = [{}, {"data": "x"}, {"data": [1, None]}, {"data": {"id": 1}},
           {"creation_time": 5, "id": 1, "post_owner": 7}, {"Post Created": ["x"], "Link": 1},
           {"Facebook Id": {"a": 1}, "Post Created": "2021-07-06 16:45:20 EDT", "Link": "x"},
           {"User Name": None, "Created": None, "Link": None},
           {"id": 1, "creation_time": None, "post_owner": {"data": [1]}, "link_attachment": 3}]
    odd_records_are_handled(ct, odd)


# -- a planted link-sharing group -------------------------------------------------------------

def link_world(path: Path, seed: int = 7) -> tuple[list[str], list[str]]:
    """A CrowdTangle export: 300 pages sharing random links (of 2,000) at random times over
    a month; six pages sharing the same 15 links within 30 seconds of each other, and a few
    random links each as well."""
    rng = np.random.default_rng(seed)
    start, span = at(2021, 7, 1), 30 * 86_400
    pool = [f"https://news{k % 40}.example/story/{k}" for k in range(2000)]
    background = [str(100_000_000_000_000 + 7919 * i) for i in range(300)]
    ring = [str(555_000_000_000_000 + i) for i in range(6)]
    posts = [(page, pool[rng.integers(len(pool))], start + rng.uniform(0, span))
             for page in background for _ in range(rng.poisson(10) + 1)]
    for k in range(15):
        pushed = start + rng.uniform(0, span)
        posts += [(page, f"https://ring.example/push/{k}", pushed + rng.uniform(0, 30))
                  for page in ring]
    posts += [(page, pool[rng.integers(len(pool))], start + rng.uniform(0, span))
              for page in ring for _ in range(5)]
    order = rng.permutation(len(posts))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Page Name", "User Name", "Facebook Id", "Post Created", "Type", "URL",
                         "Message", "Link", "Final Link"])
        for n in order:
            page, link, when = posts[n]
            local = datetime.fromtimestamp(when, EDT).strftime("%Y-%m-%d %H:%M:%S EDT")
            writer.writerow([f"Page {page}", f"page{page}", page, local, "Link",
                             f"https://www.facebook.com/{page}/posts/{n}", "", link, ""])
    return ring, background


def test_a_planted_link_sharing_group_is_found(tmp_path):
    path = tmp_path / "historical.csv"
    ring, background = link_world(path)
    data = pod_detect.load(path)
    assert TITLE in data.notes[0]
    group = found_alone(pod_detect.scan(data), ring, background)
    assert group.kind == "coordinated"  # whose links they are is not in the export
