"""The X API v2 adapter: response pages (a document, JSON Lines, an array), twarc2's flattened
tweets and likes pages; exact rows, recognition, hostile records and a planted pod."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import DAY, fast, organic, outside_rows, round_rows
from shared import rows_of

import pod_detect
from pod_detect.errors import InputError
from pod_detect.io.platforms import sample
from pod_detect.io.platforms import twitter as x

DATA = Path(__file__).resolve().parents[2] / "data" / "platforms"
X = DATA / "x"
PAGE, PAGES, FLAT = X / "search_recent.json", X / "pages.jsonl", X / "flattened.jsonl"

# accounts (user ids)
MARIA, JAMAL, PETRA, TOMASZ, KIKO, SUNNY = (
    "1191118452", "2889327044", "143311987", "1412563820485226497", "78331425",
    "1599030112442859520")


def t(iso: str) -> float:
    """Epoch seconds of an ISO time, computed apart from pod-detect's parser."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp()


def engaged(data) -> tuple[set[str], set[str]]:
    """The accounts and posts the rows name."""
    frame = data.frame
    accounts = set(frame.actor) | set(frame.author[frame.author >= 0])
    return {str(data.accounts[a]) for a in accounts}, {str(data.posts[p]) for p in frame.post}


# -- mapping ---------------------------------------------------------------------------------


def test_one_search_page_saved_as_a_document():
    data = pod_detect.load(PAGE)
    assert len(data.frame) == 6
    first = "1743283091441938432"
    assert rows_of(data) == {
        (JAMAL, first, "repost", t("2024-01-05T14:50:34Z"), MARIA, t("2024-01-05T14:47:32Z"),
         None),
        (PETRA, first, "reply", t("2024-01-05T14:53:00Z"), MARIA, t("2024-01-05T14:47:32Z"),
         "@maria_lopez 36 hours! what flour do you use?"),
        (TOMASZ, first, "quote", t("2024-01-05T14:57:26Z"), MARIA, t("2024-01-05T14:47:32Z"),
         "Trying this one this weekend https://t.co/Qm8wZzYk3p"),
        # a reply to a reply: the replied tweet is in data and includes
        (MARIA, "1743284469736292352", "reply", t("2024-01-05T15:07:25Z"), PETRA,
         t("2024-01-05T14:53:00Z"), "@petra_n Type 65 and a little rye"),
        # a retweet of a tweet only includes.tweets has
        (KIKO, "1742993152432353280", "repost", t("2024-01-05T15:17:26Z"), SUNNY,
         t("2024-01-04T19:35:25Z"), None),
        # a reply to a withheld tweet (in errors): its author from in_reply_to_user_id
        (JAMAL, "1742741481101250560", "reply", t("2024-01-05T15:27:26Z"), SUNNY, None,
         "@sunny_days agreed, same here"),
    }
    accounts, posts = engaged(data)
    assert accounts == {MARIA, JAMAL, PETRA, TOMASZ, KIKO, SUNNY}
    assert len(posts) == 4
    assert data.dropped["post_record"] == 9
    (note,) = [n for n in data.notes if "X API v2 responses" in n]
    assert "recognised from its fields" in note and "quote 1" in note


def test_twarc2_pages_with_likes_pages():
    data = pod_detect.load(PAGES)
    p1, p2, p3 = "1743558018463125508", "1743542918968725509", "1743391924024725505"
    at_p1, at_p2, at_p3 = (t("2024-01-06T09:00:00Z"), t("2024-01-06T08:00:00Z"),
                           t("2024-01-05T22:00:00Z"))
    assert len(data.frame) == 12
    assert rows_of(data) == {
        (MARIA, p2, "repost", t("2024-01-06T08:02:10Z"), KIKO, at_p2, None),
        (SUNNY, p3, "reply", t("2024-01-06T08:30:00Z"), JAMAL, at_p3,
         "@dev_jamal number 4 is so true"),
        # one tweet both quoting and replying: two engagements
        (TOMASZ, p3, "quote", t("2024-01-06T08:45:00Z"), JAMAL, at_p3,
         "@kiko_art pairs well with this thread https://t.co/Zk2o0hQm1b"),
        (TOMASZ, p2, "reply", t("2024-01-06T08:45:00Z"), KIKO, at_p2,
         "@kiko_art pairs well with this thread https://t.co/Zk2o0hQm1b"),
        (PETRA, p1, "repost", t("2024-01-06T09:01:15Z"), MARIA, at_p1, None),
        (JAMAL, p1, "quote", t("2024-01-06T09:04:30Z"), MARIA, at_p1,
         "This is what 36 hours gets you https://t.co/7uYbQh2Lxa"),
        (TOMASZ, p1, "reply", t("2024-01-06T09:12:00Z"), MARIA, at_p1,
         "@maria_lopez beautiful, what hydration?"),
        # twarc2 liking-users: the tweet from __twarc.url, its author from the post records
        (JAMAL, p1, "like", None, MARIA, at_p1, None),
        (PETRA, p1, "like", None, MARIA, at_p1, None),
        (SUNNY, p1, "like", None, MARIA, at_p1, None),
        # twarc2 liked-tweets: the liking account from __twarc.url
        (PETRA, p2, "like", None, KIKO, at_p2, None),
        (PETRA, p3, "like", None, JAMAL, at_p3, None),
    }
    accounts, posts = engaged(data)
    assert accounts == {MARIA, JAMAL, PETRA, TOMASZ, KIKO, SUNNY} and posts == {p1, p2, p3}
    assert any(n.startswith("read as X API v2 responses") and "like 5" in n for n in data.notes)


def test_twarc2_flattened_tweets():
    data = pod_detect.load(FLAT)
    p4, gone = "1743965704811925507", "1743955638482325507"
    at_p4 = t("2024-01-07T12:00:00Z")
    long_text = json.loads(FLAT.read_text().splitlines()[3])["note_tweet"]["text"]
    assert len(long_text) > 280
    assert rows_of(data) == {
        (MARIA, p4, "repost", t("2024-01-07T12:03:00Z"), SUNNY, at_p4, None),
        (JAMAL, p4, "reply", t("2024-01-07T12:06:30Z"), SUNNY, at_p4,
         "@sunny_days mine is in the oven now"),
        (PETRA, p4, "quote", t("2024-01-07T13:15:00Z"), SUNNY, at_p4, long_text),
        # the parent is gone (flattened as {type, id}): in_reply_to_user_id names its author
        (TOMASZ, gone, "reply", t("2024-01-07T14:00:00Z"), KIKO, None,
         "@kiko_art it was a great one"),
    }
    assert any(n.startswith("read as X API v2 responses") for n in data.notes)


def test_twarc2_flattened_likes_pages(tmp_path):
    # twarc2 flatten copies each page's __twarc onto its users and tweets
    pages = [json.loads(line) for line in PAGES.read_text().splitlines()]
    items = [{**item, "__twarc": page["__twarc"]} for page in pages[2:] for item in page["data"]]
    path = tmp_path / "likes.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    p1, p2, p3 = "1743558018463125508", "1743542918968725509", "1743391924024725505"
    assert rows_of(pod_detect.load(path)) == {
        (JAMAL, p1, "like", None, None, None, None),
        (PETRA, p1, "like", None, None, None, None),
        (SUNNY, p1, "like", None, None, None, None),
        (PETRA, p2, "like", None, KIKO, t("2024-01-06T08:00:00Z"), None),
        (PETRA, p3, "like", None, JAMAL, t("2024-01-05T22:00:00Z"), None),
    }


def test_a_json_array_of_pages_and_of_tweets(tmp_path):
    pages = [json.loads(line) for line in PAGES.read_text().splitlines()]
    (tmp_path / "pages.json").write_text(json.dumps(pages))
    assert rows_of(pod_detect.load(tmp_path / "pages.json")) == rows_of(pod_detect.load(PAGES))
    tweets = [json.loads(line) for line in FLAT.read_text().splitlines()]
    (tmp_path / "tweets.json").write_text(json.dumps(tweets))
    assert rows_of(pod_detect.load(tmp_path / "tweets.json")) == rows_of(pod_detect.load(FLAT))


def test_a_single_tweet_lookup_page(tmp_path):
    page = {"data": {"id": "20", "text": "just setting up my twttr", "author_id": "12",
                     "created_at": "2006-03-21T20:50:14.000Z",
                     "referenced_tweets": [{"type": "quoted", "id": "19"}]},
            "includes": {"tweets": [{"id": "19", "text": "hello", "author_id": "13",
                                     "created_at": "2006-03-21T20:40:00.000Z"}]}}
    path = tmp_path / "lookup.json"
    path.write_text(json.dumps(page))
    assert rows_of(pod_detect.load(path)) == {
        ("12", "19", "quote", t("2006-03-21T20:50:14Z"), "13", t("2006-03-21T20:40:00Z"),
         "just setting up my twttr")}


def test_ids_stay_exact_strings_when_given_as_numbers(tmp_path):
    big = 1743283091441938432  # over 2**53: a float would change it
    line = {"id": big + 1, "text": "RT", "author_id": 1412563820485226497,
            "created_at": "2024-01-05T10:00:00.000Z",
            "referenced_tweets": [{"type": "retweeted", "id": big}]}
    path = tmp_path / "tweets.jsonl"
    path.write_text(json.dumps(line) + "\n")
    data = pod_detect.load(path)
    assert list(data.posts[data.frame.post]) == [str(big)]
    assert list(data.accounts[data.frame.actor]) == ["1412563820485226497"]


def test_input_format_x_and_flat_reading():
    assert rows_of(pod_detect.load(PAGES, fmt="x")) == rows_of(pod_detect.load(PAGES))
    assert any("as --input-format asked" in n for n in pod_detect.load(PAGE, fmt="x").notes)
    # a container format reads the file flat: no adapter, so no actor column
    for path, fmt in ((PAGE, "json"), (PAGES, "jsonl"), (FLAT, "jsonl")):
        with pytest.raises(InputError) as caught:
            pod_detect.load(path, fmt=fmt)
        assert "X API" not in str(caught.value)
    mapping = {"actor": "author_id", "author": "in_reply_to_user_id",
               "post_id": "conversation_id", "timestamp": "created_at"}
    flat = pod_detect.load(FLAT, fmt="jsonl", mapping=mapping)
    assert not any("X API" in n for n in flat.notes) and len(flat.frame) > 0
    # a mapping alone turns recognition off as well
    mapped = pod_detect.load(FLAT, mapping=mapping)
    assert not any("X API" in n for n in mapped.notes)


def test_likes_in_one_file_take_their_authors_from_another(tmp_path):
    lines = PAGES.read_text().splitlines()
    likes, search = tmp_path / "likes.jsonl", tmp_path / "search.jsonl"
    likes.write_text(lines[2] + "\n")
    search.write_text("\n".join(lines[:2]) + "\n")
    alone = pod_detect.load(likes)
    assert (alone.frame.author < 0).all()
    both = pod_detect.load([likes, search])
    liked = both.frame[both.frame.kind == "like"]
    assert len(liked) == 3 and {str(both.accounts[a]) for a in liked.author} == {MARIA}


# -- recognition -----------------------------------------------------------------------------


def test_x_does_not_recognise_other_exports():
    """(every fixture against every platform: test_recognition.py)"""
    flat = [{"actor": "a", "author": "b", "post_id": "p", "kind": "like",
             "timestamp": "2024-01-05T10:00:00Z"}]
    assert not x.recognise(sample("json", flat))
    assert not x.recognise(sample("csv", [{k: str(v) for k, v in r.items()} for r in flat]))
    # Twitter v1.1 tweets are another schema (user, id_str), not read as v2
    v1 = [{"created_at": "Wed Oct 10 20:19:24 +0000 2018", "id": 1050118621198921728,
           "id_str": "1050118621198921728", "text": "To make room for more expression",
           "user": {"id": 783214, "screen_name": "Twitter"}}]
    assert not x.recognise(sample("jsonl", v1))
    # a flat export that happens to name its columns id, text, author_id
    generic = [{"id": "1", "text": "nice", "author_id": "u1", "created_at": "2024-01-05"}]
    assert not x.recognise(sample("jsonl", generic))
    assert not x.recognise(sample("jsonl", [{**generic[0], "post_id": "p",
                                             "conversation_id": "c"}]))
    # ...while a tweet of 2021 (before edit_history_tweet_ids) still is one
    old = [{"id": "1400000000000000000", "text": "hi", "author_id": "12",
            "created_at": "2021-06-02T10:00:00.000Z"}]
    assert x.recognise(sample("jsonl", old))
    # a users page without a likes URL (followers) is not an engagement export
    users = [{"data": [{"id": "12", "name": "jack", "username": "jack"}], "meta": {}}]
    assert not x.recognise(sample("json", users))


# -- hostile records -------------------------------------------------------------------------


def _page(**tweet) -> dict:
    base = {"id": "2", "text": "@a hi", "author_id": "11",
            "created_at": "2024-01-05T10:00:00.000Z",
            "referenced_tweets": [{"type": "replied_to", "id": "1"}]}
    return {"data": [{**base, **tweet}], "includes": {"tweets": []}}


@pytest.mark.parametrize(("record", "path"), [
    ({"data": "tweets"}, "data"),
    ({"data": [["not", "a", "tweet"]]}, "data.0"),
    (_page(author_id=["11"]), "data.0.author_id"),
    (_page(author_id=None), "data.0.author_id"),
    (_page(id={"id": "2"}), "data.0.id"),
    (_page(id=None), "data.0.id"),
    (_page(referenced_tweets={"type": "replied_to", "id": "1"}), "data.0.referenced_tweets"),
    (_page(referenced_tweets=[7]), "data.0.referenced_tweets.0"),
    (_page(referenced_tweets=[{"type": ["replied_to"], "id": "1"}]),
     "data.0.referenced_tweets.0.type"),
    (_page(referenced_tweets=[{"type": "quoted"}]), "data.0.referenced_tweets.0.id"),
    (_page(created_at={"$date": 1}), "data.0.created_at"),
    (_page(text=["a", "b"]), "data.0.text"),
    (_page(in_reply_to_user_id=[1]), "data.0.in_reply_to_user_id"),
    ({**_page(), "includes": ["tweets"]}, "includes"),
    ({**_page(), "includes": {"tweets": "1"}}, "includes.tweets"),
    ({**_page(), "includes": {"tweets": [5]}}, "includes.tweets.0"),
    ({**_page(), "includes": {"tweets": [{"id": "1", "author_id": {"a": 1}}]}},
     "includes.tweets.0.author_id"),
])
def test_a_record_of_the_wrong_shape_is_a_bad_row(tmp_path, record, path):
    good = _page()
    file = tmp_path / "pages.jsonl"
    file.write_text(json.dumps(good) + "\n" + json.dumps(record) + "\n")
    with pytest.raises(InputError) as caught:
        pod_detect.load(file, fmt="x")
    message = str(caught.value)
    assert "\n" not in message and "X API v2 responses" in message and path in message
    assert "2" in message  # the row
    kept = pod_detect.load(file, fmt="x", on_bad_rows="skip")
    assert len(kept.frame) == 1 and kept.dropped["bad_row"] == 1


def test_records_that_are_not_objects_or_say_nothing(tmp_path):
    file = tmp_path / "pages.jsonl"
    file.write_text("\n".join(json.dumps(r) for r in (
        _page(), [1, 2], "text", {"meta": {"result_count": 0}},
        {"errors": [{"title": "Not Found Error"}]})) + "\n")
    with pytest.raises(InputError, match="row 2"):
        pod_detect.load(file, fmt="x")
    data = pod_detect.load(file, fmt="x", on_bad_rows="skip")
    assert len(data.frame) == 1 and data.dropped["bad_row"] == 2
    assert any("2 records with no engagement left out" in n for n in data.notes)


def test_a_tweet_without_author_id_says_what_to_request(tmp_path):
    file = tmp_path / "page.json"
    file.write_text(json.dumps({"data": [{"id": "2", "text": "hi",
                                          "edit_history_tweet_ids": ["2"]}]}))
    with pytest.raises(InputError, match="tweet.fields=author_id"):
        pod_detect.load(file)


def test_unknown_authors_stay_unknown_not_one_account(tmp_path):
    # quotes of tweets the API withheld: no includes, no in_reply_to_user_id
    lines = [{"id": str(100 + i), "text": "look", "author_id": str(10 + i),
              "created_at": "2024-01-05T10:00:00.000Z",
              "referenced_tweets": [{"type": "quoted", "id": str(50 + i)}],
              "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent"}}
             for i in range(3)]
    file = tmp_path / "flat.jsonl"
    file.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    data = pod_detect.load(file)
    assert (data.frame.author == -1).all()
    assert sorted(data.accounts) == ["10", "11", "12"]


# -- a planted pod ---------------------------------------------------------------------------

START = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
EPOCH_MS = 1288834974657
REFERENCES = ("replied_to", "retweeted", "quoted")


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(START + seconds, UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _snowflakes():
    counter = itertools.count()

    def make(seconds: float) -> str:
        ms = int((START + seconds) * 1000)
        return str(((ms - EPOCH_MS) << 22) | (next(counter) % 4096))
    return make


def _x_pages(rows: list[tuple], per_page: int = 100) -> list[dict]:
    """Search pages of the engagements ``rows`` (actor, author, post, time, post time): each
    post an original tweet, each engagement a reply, retweet or quote of it."""
    rng = np.random.default_rng(7)
    names = sorted({r[0] for r in rows} | {r[1] for r in rows})
    user = {name: str(10**9 + 7919 * i) for i, name in enumerate(names)}
    snowflake = _snowflakes()
    originals: dict[str, dict] = {}
    tweets = []
    for actor, author, post, when, posted in rows:
        if post not in originals:
            originals[post] = {"id": snowflake(posted), "text": f"post {post}",
                               "author_id": user[author], "created_at": _iso(posted),
                               "edit_history_tweet_ids": []}
            tweets.append(originals[post])
        kind = REFERENCES[int(rng.integers(3))]
        tweet = {"id": snowflake(when), "author_id": user[actor], "created_at": _iso(when),
                 "text": "great post" if kind != "retweeted" else f"RT {post}",
                 "referenced_tweets": [{"type": kind, "id": originals[post]["id"]}],
                 "edit_history_tweet_ids": []}
        if kind == "replied_to":
            tweet["in_reply_to_user_id"] = user[author]
        tweets.append(tweet)
    for tweet in tweets:
        tweet["edit_history_tweet_ids"] = [tweet["id"]]
    tweets.sort(key=lambda tw: tw["created_at"], reverse=True)
    by_id = {tw["id"]: tw for tw in originals.values()}
    pages = []
    for start in range(0, len(tweets), per_page):
        data = tweets[start:start + per_page]
        referenced = {ref["id"] for tw in data for ref in tw.get("referenced_tweets", [])}
        pages.append({"data": data,
                      "includes": {"tweets": [by_id[i] for i in sorted(referenced)],
                                   "users": [{"id": user[n], "username": n} for n in names]},
                      "meta": {"result_count": len(data)}})
    return pages, user


def test_a_planted_pod_in_x_pages_is_found(tmp_path):
    pod = [f"pod{i}" for i in range(7)]
    background = organic(n_accounts=240, posts_each=4, seed=11)
    rows = background + round_rows(pod, 6, fast, seed=12) + outside_rows(pod, 240, seed=13)
    assert max(r[3] for r in rows) < 20 * DAY
    pages, user = _x_pages(rows)
    path = tmp_path / "search.jsonl"
    path.write_text("".join(json.dumps(page) + "\n" for page in pages))
    data = pod_detect.load(path)
    assert any(n.startswith("read as X API v2 responses") for n in data.notes)
    report = pod_detect.scan(data)
    planted = {user[name] for name in pod}
    flagged = [g for g in report.groups if g.severity in ("medium", "high")]
    found = [{report.account_name(m) for m in g.members} for g in flagged]
    assert planted in found
    organic_ids = {user[name] for name in user if not name.startswith("pod")}
    assert not any(members & organic_ids for members in found)
