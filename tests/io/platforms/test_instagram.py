"""The Instagram Graph API adapter: media pages with comments and replies expanded (a
document, JSON Lines of pages, media one a line); exact rows, recognition, hostile records
and a planted pod."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import fast, organic, outside_rows, round_rows
from shared import rows_of

import pod_detect
from pod_detect.errors import InputError
from pod_detect.io.platforms import instagram as ig
from pod_detect.io.platforms import sample

DATA = Path(__file__).resolve().parents[2] / "data" / "platforms"
IG = DATA / "instagram"
PAGE, PAGES, MEDIA = IG / "media_page.json", IG / "pages.jsonl", IG / "media.jsonl"

OWNER = "bakery.lumen"
FOCACCIA, STARTER, NEW_YEAR = "17986430147552207", "18017759831039524", "18038884972105416"


def t(iso: str) -> float:
    """Epoch seconds of an Instagram time, computed apart from pod-detect's parser."""
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC).timestamp()


EXPECTED = {
    ("anna.bakes", FOCACCIA, "comment", t("2024-01-05T10:02:41+0000"), OWNER,
     t("2024-01-05T10:00:00+0000"), "That crust!! 😍"),
    ("crumbandco", FOCACCIA, "comment", t("2024-01-05T10:03:09+0000"), OWNER,
     t("2024-01-05T10:00:00+0000"), "Saving this for the weekend"),
    ("joe_doughman", FOCACCIA, "comment", t("2024-01-05T11:47:30+0000"), OWNER,
     t("2024-01-05T10:00:00+0000"), "What hydration do you go for?"),
    # replies: on the comment, whose author is its commenter
    (OWNER, "17915673020812345", "reply", t("2024-01-05T10:15:02+0000"), "anna.bakes",
     t("2024-01-05T10:02:41+0000"), "@anna.bakes thank you! 🙏"),
    (OWNER, "18002741266151342", "reply", t("2024-01-05T12:01:00+0000"), "joe_doughman",
     t("2024-01-05T11:47:30+0000"), "@joe_doughman 80%, overnight in the fridge"),
    ("lilo.kitchen", "18002741266151342", "reply", t("2024-01-05T12:20:16+0000"),
     "joe_doughman", t("2024-01-05T11:47:30+0000"), "@joe_doughman same question here"),
    ("lilo.kitchen", STARTER, "comment", t("2024-01-03T16:34:55+0000"), OWNER,
     t("2024-01-03T16:30:00+0000"), "Bubbles 😂 love it"),
    # the username field not given: from.username names the account
    ("mr.rye", STARTER, "comment", t("2024-01-03T18:02:00+0000"), OWNER,
     t("2024-01-03T16:30:00+0000"), "Rye or wheat starter?"),
    ("anna.bakes", NEW_YEAR, "comment", t("2024-01-01T12:05:03+0000"), OWNER,
     t("2024-01-01T12:00:00+0000"), "Happy new year! 🎉"),
    ("crumbandco", NEW_YEAR, "comment", t("2024-01-01T12:05:40+0000"), OWNER,
     t("2024-01-01T12:00:00+0000"), "Happy new year 🥖"),
}


@pytest.mark.parametrize("path", [PAGE, PAGES, MEDIA], ids=lambda p: p.name)
def test_media_comments_and_replies(path):
    data = pod_detect.load(path)
    assert len(data.frame) == 10
    assert rows_of(data) == EXPECTED
    frame = data.frame
    accounts = {str(data.accounts[a]) for a in set(frame.actor) | set(frame.author)}
    assert accounts == {OWNER, "anna.bakes", "crumbandco", "joe_doughman", "lilo.kitchen",
                        "mr.rye"}  # the comment naming no account is left out, not ""
    assert len(set(frame.post)) == 5  # three media and two comments with replies
    (note,) = [n for n in data.notes if n.startswith("read as Instagram Graph API media")]
    assert "recognised from its fields" in note and "comment 7" in note and "reply 3" in note
    if path == MEDIA:  # the media object without comments
        assert "1 record with no engagement left out" in note


def test_a_json_array_of_media(tmp_path):
    media = [json.loads(line) for line in MEDIA.read_text().splitlines()]
    (tmp_path / "media.json").write_text(json.dumps(media))
    assert rows_of(pod_detect.load(tmp_path / "media.json")) == EXPECTED


def test_input_format_instagram_and_flat_reading():
    assert rows_of(pod_detect.load(PAGES, fmt="instagram")) == EXPECTED
    assert any("as --input-format asked" in n
               for n in pod_detect.load(PAGE, fmt="instagram").notes)
    for path, fmt in ((PAGE, "json"), (PAGES, "jsonl"), (MEDIA, "jsonl")):
        with pytest.raises(InputError) as caught:
            pod_detect.load(path, fmt=fmt)
        assert "Instagram" not in str(caught.value)
    flat = pod_detect.load(MEDIA, fmt="jsonl", mapping={"actor": "username", "post_id": "id",
                                                        "timestamp": "timestamp"})
    assert not any("Instagram" in n for n in flat.notes) and len(flat.frame) == 4


def test_media_without_username_have_no_known_author(tmp_path):
    media = {"id": "17900000000000001", "media_type": "IMAGE",
             "timestamp": "2024-01-05T10:00:00+0000", "owner": {"id": "17841405822304914"},
             "comments": {"data": [{"id": "17900000000000002", "text": "nice",
                                    "timestamp": "2024-01-05T10:01:00+0000",
                                    "username": "anna.bakes"}]}}
    path = tmp_path / "media.jsonl"
    path.write_text(json.dumps(media) + "\n")
    data = pod_detect.load(path)
    assert rows_of(data) == {("anna.bakes", "17900000000000001", "comment",
                              t("2024-01-05T10:01:00+0000"), None,
                              t("2024-01-05T10:00:00+0000"), "nice")}
    assert list(data.accounts) == ["anna.bakes"]  # the owner's id is not an account


# -- recognition -----------------------------------------------------------------------------


def test_instagram_does_not_recognise_other_exports():
    """(every fixture against every platform: test_recognition.py)"""
    flat = [{"actor": "a", "author": "b", "post_id": "p", "kind": "comment",
             "timestamp": "2024-01-05T10:00:00+0000"}]
    assert not ig.recognise(sample("json", flat))
    # a Facebook Page feed has the same nesting, with message and created_time
    feed = [{"data": [{"id": "104_205", "message": "hello", "created_time":
                       "2024-01-05T10:00:00+0000",
                       "comments": {"data": [{"id": "205_1", "message": "hi",
                                              "created_time": "2024-01-05T10:01:00+0000",
                                              "from": {"name": "A", "id": "1"}}]}}]}]
    assert not ig.recognise(sample("json", feed))
    # comments fetched on their own (/{ig-media-id}/comments) do not name their media
    comments = [{"data": [{"id": "1", "text": "hi", "timestamp": "2024-01-05T10:00:00+0000",
                           "username": "a"}]}]
    assert not ig.recognise(sample("json", comments))


# -- hostile records -------------------------------------------------------------------------


def _media(**fields) -> dict:
    base = {"id": "17900000000000001", "media_type": "IMAGE", "username": "owner",
            "timestamp": "2024-01-05T10:00:00+0000",
            "comments": {"data": [{"id": "17900000000000002", "text": "nice",
                                   "timestamp": "2024-01-05T10:01:00+0000",
                                   "username": "anna"}]}}
    return {**base, **fields}


def _comment(**fields) -> dict:
    return _media(comments={"data": [{"id": "17900000000000002", "text": "nice",
                                      "timestamp": "2024-01-05T10:01:00+0000",
                                      "username": "anna", **fields}]})


@pytest.mark.parametrize(("record", "path"), [
    ({"data": {"id": "1"}}, "data"),
    ({"data": ["media"]}, "data.0"),
    ({"data": [_media(id=None)]}, "data.0.id"),
    ({"data": [_media(id=["1"])]}, "data.0.id"),
    ({"data": [_media(username={"name": "owner"})]}, "data.0.username"),
    ({"data": [_media(timestamp=[2024, 1, 5])]}, "data.0.timestamp"),
    ({"data": [_media(comments="many")]}, "data.0.comments"),
    ({"data": [_media(comments={"data": {"id": "2"}})]}, "data.0.comments.data"),
    ({"data": [_media(comments={"data": [42]})]}, "data.0.comments.data.0"),
    ({"data": [_comment(username=["anna"])]}, "data.0.comments.data.0.username"),
    ({"data": [_comment(username=None, **{"from": "anna"})]},
     "data.0.comments.data.0.from"),
    ({"data": [_comment(timestamp={"t": 1})]}, "data.0.comments.data.0.timestamp"),
    ({"data": [_comment(text={"t": "x"})]}, "data.0.comments.data.0.text"),
    ({"data": [_comment(replies=7)]}, "data.0.comments.data.0.replies"),
    ({"data": [_comment(replies={"data": ["ok"]})]},
     "data.0.comments.data.0.replies.data.0"),
    ({"data": [_comment(id=None, replies={"data": [{"username": "b", "text": "ok"}]})]},
     "data.0.comments.data.0.id"),
    ({"data": [_comment(replies={"data": [{"username": ["b"], "text": "ok"}]})]},
     "data.0.comments.data.0.replies.data.0.username"),
])
def test_a_record_of_the_wrong_shape_is_a_bad_row(tmp_path, record, path):
    file = tmp_path / "pages.jsonl"
    file.write_text(json.dumps({"data": [_media()]}) + "\n" + json.dumps(record) + "\n")
    with pytest.raises(InputError) as caught:
        pod_detect.load(file, fmt="instagram")
    message = str(caught.value)
    assert "\n" not in message and "Instagram Graph API media" in message and path in message
    assert "row 2" in message
    kept = pod_detect.load(file, fmt="instagram", on_bad_rows="skip")
    assert len(kept.frame) == 1 and kept.dropped["bad_row"] == 1


def test_a_from_object_without_username_is_no_account(tmp_path):
    record = _comment(username=None, **{"from": {"id": "17841400000000000"}})
    file = tmp_path / "media.jsonl"
    file.write_text(json.dumps(_media()) + "\n" + json.dumps(record) + "\n")
    data = pod_detect.load(file)
    assert len(data.frame) == 1  # the second comment names no account: left out
    assert "1 record with no engagement left out" in data.notes[0]


# -- a planted pod ---------------------------------------------------------------------------

START = datetime(2024, 1, 1, tzinfo=UTC).timestamp()


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(START + seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _media_pages(rows: list[tuple], members: set[str], per_page: int = 25) -> list[dict]:
    """Media pages of the engagements ``rows`` (actor, author, post, time, post time): each
    post a media object of its author, each engagement a comment; authors reply to some."""
    rng = np.random.default_rng(5)
    words = ["love", "this", "so", "good", "where", "is", "that", "the", "light", "colour",
             "wow", "nice", "shot", "recipe", "please", "need", "try", "weekend"]
    ids = iter(range(17_900_000_000_000_000, 18_000_000_000_000_000, 7919))
    media: dict[str, dict] = {}
    for actor, author, post, when, posted in sorted(rows, key=lambda r: r[3]):
        if post not in media:
            media[post] = {"id": str(next(ids)), "caption": f"post {post}", "media_type": "IMAGE",
                           "timestamp": _iso(posted), "username": author,
                           "permalink": f"https://www.instagram.com/p/{post}/",
                           "comments_count": 0, "like_count": int(rng.integers(5, 500)),
                           "comments": {"data": []}}
        said = ("🔥🔥 amazing post!" if actor in members
                else " ".join(rng.choice(words, size=4)))
        comment = {"id": str(next(ids)), "text": said, "timestamp": _iso(when),
                   "username": actor, "from": {"id": str(abs(hash(actor)) % 10**16),
                                               "username": actor}}
        if rng.random() < 0.1:  # the author thanks a few commenters
            comment["replies"] = {"data": [{"id": str(next(ids)), "text": f"@{actor} thanks!",
                                            "timestamp": _iso(when + 3600), "username": author}]}
        media[post]["comments"]["data"].append(comment)
        media[post]["comments_count"] += 1
    listed = sorted(media.values(), key=lambda m: m["timestamp"], reverse=True)
    return [{"data": listed[i:i + per_page], "paging": {"cursors": {"after": str(i)}}}
            for i in range(0, len(listed), per_page)]


def test_a_planted_pod_in_instagram_media_is_found(tmp_path):
    pod = [f"pod{i}" for i in range(7)]
    rows = (organic(n_accounts=240, posts_each=4, seed=21) + round_rows(pod, 6, fast, seed=22)
            + outside_rows(pod, 240, seed=23))
    path = tmp_path / "media.jsonl"
    path.write_text("".join(json.dumps(page, ensure_ascii=False) + "\n"
                            for page in _media_pages(rows, set(pod))))
    data = pod_detect.load(path)
    assert any(n.startswith("read as Instagram Graph API media") for n in data.notes)
    report = pod_detect.scan(data)
    flagged = [g for g in report.groups if g.severity in ("medium", "high")]
    found = [{report.account_name(m) for m in g.members} for g in flagged]
    assert set(pod) in found
    assert not any(name.startswith("o") for members in found for name in members)
