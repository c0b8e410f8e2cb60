"""X API v2 responses: response pages of the tweet endpoints, as saved from the API or as
twarc2 writes them (one page a line), and twarc2's flattened tweets.

Schema: the X API v2 reference, "Tweet object" and "Expansions" (``data``, ``includes``,
``meta``; ``GET /2/tweets/search/recent``, ``/search/all``, ``/2/users/:id/tweets``,
``/2/tweets``, ``/2/tweets/:id/quote_tweets``, ``/2/users/:id/liked_tweets``,
``/2/tweets/:id/liking_users``), and twarc's ``twarc.expansions.flatten`` for the flattened
form (each tweet with ``author``, ``in_reply_to_user`` and the ``referenced_tweets`` expanded
inline, and the page's ``__twarc`` metadata: ``url``, ``version``, ``retrieved_at``).

Records read:

- a response page ``{"data": [tweets], "includes": {"users": [...], "tweets": [...]},
  "meta": {...}}`` (``data`` may be one tweet, as ``GET /2/tweets/:id`` gives it): a JSON
  document, a JSON array of pages, or JSON Lines (``twarc2 search`` output);
- a tweet, one a line (``twarc2 flatten`` output) or in a JSON array.

What each tweet becomes (``author_id`` is the account that tweeted; ``created_at`` its time):

- every ``referenced_tweets`` entry is an engagement by ``author_id`` at ``created_at`` on the
  tweet ``id`` it names: ``retweeted`` → ``repost`` (no text: a retweet's text is the
  original's), ``quoted`` → ``quote`` and ``replied_to`` → ``reply``, both with the tweet's
  text (``note_tweet.text`` for a long tweet, else ``text``). The engaged tweet's author and
  post time come from the same page's ``includes.tweets`` (or the flattened reference's own
  ``author_id`` and ``created_at``); a reply whose parent is not included (deleted, protected)
  still names its author by ``in_reply_to_user_id``;
- every tweet that is not a retweet, in ``data`` or ``includes.tweets``, is a *post record*
  (author = ``author_id``, time = ``created_at``): the author and post time of that tweet's
  engagements in other pages and files.

Likes: ``GET /2/tweets/:id/liking_users`` answers with the liking accounts only, and
``GET /2/users/:id/liked_tweets`` with the liked tweets only, so neither response names both
sides. twarc2 (``twarc2 liking-users``, ``twarc2 liked-tweets``) keeps the request's URL in
each page's ``__twarc.url``, which names the other side; such pages give ``like`` rows by
each user on the tweet (``liking_users``: the tweet's author and time come from post records
in other files), or by the user on each liked tweet (``liked_tweets``: author ``author_id``,
post time ``created_at``). Neither endpoint says when the like was made: these rows have no
timestamp. Likes saved without that URL are not read.

Accounts are X's numeric user ids, as exact strings (``includes.users`` maps them to
usernames, which their owners can change; ids stay). Left out: ``retweeted_by`` pages (the
retweets themselves, with their times, come from search and timelines), ``errors`` (tweets
and users the API withheld: their references stay, with the author unknown), public metrics
(counts, not engagements), and pages without ``data`` (``"result_count": 0``). A tweet
without ``author_id`` is an error: the request must ask for
``tweet.fields=author_id,created_at,referenced_tweets,in_reply_to_user_id``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pod_detect.io.platforms.base import (
    POST,
    BadRecord,
    Platform,
    Record,
    Row,
    Sample,
    an_object,
    get,
    items,
    moment,
    text,
)

#: ``referenced_tweets[].type`` → the kind of the engagement.
KINDS = {"retweeted": "repost", "quoted": "quote", "replied_to": "reply"}

#: The fields only a v2 tweet has beside ``id`` and ``text``.
_TWEET_FIELDS = ("edit_history_tweet_ids", "referenced_tweets", "conversation_id")

#: Fields a tweet never has: a flat table's, or other platforms' (Instagram media).
_NOT_TWEET = ("actor", "post_id", "media_type", "permalink", "caption", "like_count")

#: ``created_at`` as the v2 API writes it: ``2024-01-05T14:47:32.000Z``.
_V2_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")

#: twarc2's ``__twarc.url`` of a likes page: the tweet liked, or the account liking.
_LIKING_USERS = re.compile(r"/2/tweets/(\d+)/liking_users(?:[/?#]|$)")
_LIKED_TWEETS = re.compile(r"/2/users/(\d+)/liked_tweets(?:[/?#]|$)")

_HINT = (" (request tweet.fields=author_id,created_at,referenced_tweets,in_reply_to_user_id "
         "and expansions=referenced_tweets.id,referenced_tweets.id.author_id)")


# -- recognising ---------------------------------------------------------------------------


def _is_tweet(record: Any) -> bool:
    """A v2 tweet: ``id`` and ``text`` with a field only tweets have, or with ``author_id``
    and a ``created_at`` in the v2 API's own form."""
    if not (isinstance(record, Mapping) and record.get("id") is not None
            and isinstance(record.get("text"), str)
            and not any(name in record for name in _NOT_TWEET)):
        return False
    when = record.get("created_at")
    return (any(name in record for name in _TWEET_FIELDS)
            or ("author_id" in record and isinstance(when, str)
                and _V2_TIME.fullmatch(when) is not None))


def _is_user(record: Any) -> bool:
    return (isinstance(record, Mapping) and record.get("id") is not None
            and isinstance(record.get("username"), str) and "text" not in record)


def _likes_url(record: Mapping[str, Any]) -> str | None:
    """twarc2's URL of a ``liking_users`` request, which names the tweet liked."""
    url = get(record, "__twarc.url")
    return url if isinstance(url, str) and _LIKING_USERS.search(url) else None


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data[:5]
    return [data] if isinstance(data, Mapping) else []


def _is_page(record: Any) -> bool:
    """A response page of tweets, or twarc2's page of the users who liked a tweet."""
    if not isinstance(record, Mapping) or "data" not in record:
        return False
    items = _items(record["data"])
    if not items:
        return False
    if _likes_url(record):
        return all(_is_user(item) for item in items)
    return all(_is_tweet(item) for item in items)


def _is_empty_page(record: Any) -> bool:
    """A page the search answered with nothing: ``{"meta": {"result_count": 0}}``."""
    return (isinstance(record, Mapping) and "data" not in record
            and isinstance(record.get("meta"), Mapping) and "result_count" in record["meta"])


def recognise(sample: Sample) -> bool:
    def found(record: Record) -> bool:
        return (_is_page(record) or _is_tweet(record)
                or (_is_user(record) and _likes_url(record) is not None))

    return (sample.share(lambda r: found(r) or _is_empty_page(r)) >= 0.8
            and sample.share(found) > 0)


# -- reading ---------------------------------------------------------------------------------


def _id(record: Mapping[str, Any], name: str, path: str) -> str:
    value = text(get(record, name), path + name)
    if value is None:
        raise BadRecord(f"has no {path}{name}", path + name)
    return value


#: What is known of a tweet: its author and its time.
Known = dict[str, tuple[str | None, Any]]


def _known(tweets: list[Any], path: str) -> Known:
    """The author and time of each tweet in ``includes.tweets`` (or ``data``)."""
    known: Known = {}
    for i, tweet in enumerate(tweets):
        where = f"{path}.{i}."
        tweet = an_object(tweet, where[:-1])
        known[_id(tweet, "id", where)] = (
            text(get(tweet, "author_id"), where + "author_id"),
            moment(get(tweet, "created_at"), where + "created_at"))
    return known


def _is_retweet(tweet: Mapping[str, Any]) -> bool:
    refs = get(tweet, "referenced_tweets")
    return isinstance(refs, list) and any(
        isinstance(ref, Mapping) and ref.get("type") == "retweeted" for ref in refs)


def _tweet(tweet: Any, path: str, known: Known) -> Iterator[Row]:
    """A tweet's engagements, and its post record unless it is a retweet."""
    where = path + "." if path else ""
    tweet = an_object(tweet, path or "the record")
    tweet_id = _id(tweet, "id", where)
    actor = text(get(tweet, "author_id"), where + "author_id")
    if actor is None:
        raise BadRecord(f"has no {where}author_id{_HINT}", where + "author_id")
    when = moment(get(tweet, "created_at"), where + "created_at")
    words = text(get(tweet, "note_tweet.text"), where + "note_tweet.text") or text(
        get(tweet, "text"), where + "text")
    replied_to = text(get(tweet, "in_reply_to_user_id"), where + "in_reply_to_user_id")
    refs = items(get(tweet, "referenced_tweets"), where + "referenced_tweets")
    for j, ref in enumerate(refs):
        at = f"{where}referenced_tweets.{j}."
        ref = an_object(ref, at[:-1])
        kind = KINDS.get(text(get(ref, "type"), at + "type") or "")
        if kind is None:
            continue
        post = _id(ref, "id", at)
        # a flattened reference carries the tweet; a page's includes name it
        author = carried = text(get(ref, "author_id"), at + "author_id")
        post_time = moment(get(ref, "created_at"), at + "created_at")
        if author is None or post_time is None:
            author_known, time_known = known.get(post, (None, None))
            author = author or author_known
            post_time = post_time if post_time is not None else time_known
        if author is None and kind == "reply":
            author = replied_to
        yield Row(actor, post, kind, when, author=author, post_time=post_time,
                  text=None if kind == "repost" else words)
        if carried is not None:  # flattened: a record of the engaged tweet
            yield Row(carried, post, POST, post_time, author=carried)
    if not _is_retweet(tweet):
        yield Row(actor, tweet_id, POST, when, author=actor)


def _likers(users: list[Any], tweet_id: str, path: str = "data") -> Iterator[Row]:
    """twarc2's ``liking_users`` page: each user liked the tweet its URL names."""
    for i, user in enumerate(users):
        where = f"{path}.{i}." if path else ""
        user = an_object(user, where[:-1] or "the record")
        yield Row(_id(user, "id", where), tweet_id, "like")


def _liked(tweets: list[Any], user_id: str, known: Known, path: str = "data") -> Iterator[Row]:
    """twarc2's ``liked_tweets`` page: the user its URL names liked each tweet."""
    for i, tweet in enumerate(tweets):
        where = f"{path}.{i}." if path else ""
        tweet = an_object(tweet, where[:-1] or "the record")
        yield Row(user_id, _id(tweet, "id", where), "like",
                  author=text(get(tweet, "author_id"), where + "author_id"),
                  post_time=moment(get(tweet, "created_at"), where + "created_at"))
        yield from _tweet(tweet, where[:-1], known)


def _page(record: Mapping[str, Any]) -> Iterator[Row]:
    data = record["data"]
    if data is None:
        return
    if isinstance(data, Mapping):
        data = [data]
    elif not isinstance(data, list):
        raise BadRecord("holds no list at data", "data")
    includes = get(record, "includes", {})
    includes = an_object(includes, "includes")
    included = items(get(includes, "tweets"), "includes.tweets")
    known = _known(included, "includes.tweets")
    url = get(record, "__twarc.url")
    url = url if isinstance(url, str) else ""
    liking, liked = _LIKING_USERS.search(url), _LIKED_TWEETS.search(url)
    if liking:
        yield from _likers(data, liking.group(1))
        return
    if liked:
        yield from _liked(data, liked.group(1), known)
    else:
        for i, tweet in enumerate(data):
            if not _is_user(tweet):  # a users page (followers, retweeted_by): no engagement
                yield from _tweet(tweet, f"data.{i}", known)
    for tweet_id, (author, when) in known.items():
        if author is not None:
            yield Row(author, tweet_id, POST, when, author=author)


def rows(record: Record) -> Iterator[Row]:
    if "data" in record:
        yield from _page(record)
        return
    if "id" not in record:
        return  # an empty page ({"meta": {"result_count": 0}}) or an error page
    # a flattened tweet or user: the page's __twarc.url came along
    url = get(record, "__twarc.url")
    url = url if isinstance(url, str) else ""
    liking, liked = _LIKING_USERS.search(url), _LIKED_TWEETS.search(url)
    if liking:
        yield from _likers([record], liking.group(1), "")
    elif liked:
        yield from _liked([record], liked.group(1), {}, "")
    elif not _is_user(record):  # a user (a users page flattened) is no engagement
        yield from _tweet(record, "", {})


PLATFORM = Platform(
    name="x",
    title="X API v2 responses",
    schema="X API v2 reference: Tweet object and expansions (GET /2/tweets/search/recent, "
           "/2/tweets/search/all, /2/users/:id/tweets, /2/tweets/:id/liking_users, "
           "/2/users/:id/liked_tweets), and twarc2's flattened tweets "
           "(twarc.expansions.flatten)",
    provides=frozenset({"actor", "post_id", "kind", "timestamp", "author", "post_time", "text"}),
    recognise=recognise,
    rows=rows,
)
