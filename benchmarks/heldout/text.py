"""Comment text: organic word salad, friends' banter, pod templates, giveaway mentions.

Everything draws from a :class:`numpy.random.Generator`, so a seed fixes every string.
"""

from __future__ import annotations

import numpy as np

WORDS = (
    "the", "this", "that", "really", "so", "much", "just", "love", "like", "great", "day", "today",
    "night", "week", "photo", "view", "trip", "coffee", "food", "city", "beach", "light", "colour",
    "color", "mood", "morning", "finally", "again", "always", "never", "still", "looks", "feels",
    "amazing", "lovely", "funny", "weird", "wild", "quiet", "busy", "tired", "happy", "proud",
    "cute", "nice", "good", "bad", "new", "old", "first", "last", "best", "worst", "big", "little",
    "long", "short", "home", "work", "team", "project", "launch", "idea", "plan", "story", "book",
    "song", "music", "movie", "game", "run", "ride", "walk", "hike", "gym", "class", "lesson",
    "talk", "meeting", "results", "numbers", "data", "thanks", "thank", "you", "me", "we", "they",
    "what", "when", "where", "why", "how", "who", "agree", "disagree", "point", "fair", "honestly",
    "maybe", "definitely", "probably", "wow", "omg", "lol", "haha", "yes", "no", "miss", "want",
    "need", "wish", "hope", "try", "made", "make", "took", "take", "saw", "see", "went", "go",
    "come", "back", "soon", "later",
)
NAMES = (
    "ana", "ben", "carla", "dan", "eva", "finn", "gina", "hugo", "iris", "jonas", "kim", "leo",
    "mara", "nico", "olga", "pablo", "quinn", "rosa", "sam", "tara", "uma", "vik", "wen", "xavi",
    "yara", "zoe",
)
EMOJI = ("🔥", "💯", "🙌", "👏", "😍", "❤️", "✨", "💪", "🚀", "👍", "😂", "🙏")
#: Short generic comments ordinary people write too (a share of every organic comment).
GENERIC = (
    "nice", "love it", "wow", "so good", "beautiful", "amazing", "cute", "yes!", "lovely",
    "great shot", "so cool", "stunning", "love this", "perfect", "gorgeous", "haha",
)
#: Generic comments an engagement pod's rules accept; each pod uses a few of them.
POD_TEMPLATES = (
    "Great post", "Love this", "So inspiring", "Amazing content", "Needed this today",
    "This is gold", "Totally agree", "Great insights, thanks for sharing", "Well said",
    "So true", "Keep it up", "Awesome", "Love your feed", "Beautiful shot", "Great tips",
    "This is so helpful", "Couldn't agree more", "Fantastic", "Nailed it", "Goals",
)


def organic(rng: np.random.Generator, n: int, generic: float = 0.2) -> list[str]:
    """``n`` organic comments: a ``generic`` share of short generic ones ("love it 😍",
    "🔥🔥"), the rest free-form, 3-14 words, some with an emoji.

    Parameters
    ----------
    rng
        Random generator.
    n
        Number of comments.
    generic
        Share of short generic comments, as people write under any post.

    Returns
    -------
    list of str
        The comments (the free-form ones are random words; near-duplicates are rare).
    """
    lengths = rng.integers(3, 15, n)
    words = rng.integers(0, len(WORDS), lengths.sum())
    emoji = rng.random(n) < 0.3
    marks = rng.choice(np.array(["", ".", "!", "?", "!!", " :)"]), n)
    out, start = [], 0
    for i, k in enumerate(lengths):
        text = " ".join(WORDS[w] for w in words[start:start + k]).capitalize() + marks[i]
        start += k
        out.append(f"{text} {EMOJI[words[start - 1] % len(EMOJI)]}" if emoji[i] else text)
    short = np.flatnonzero(rng.random(n) < generic)
    for i, text in zip(short, _generic(rng, len(short)), strict=True):
        out[i] = text
    return out


def _generic(rng: np.random.Generator, n: int) -> list[str]:
    """Short generic comments: a phrase, a phrase and emoji, or emoji alone."""
    phrase = rng.choice(np.array(GENERIC), n)
    emoji = rng.integers(0, len(EMOJI), n)
    style = rng.integers(0, 3, n)
    return [phrase[i] if style[i] == 0 else f"{phrase[i]} {EMOJI[emoji[i]]}" if style[i] == 1
            else EMOJI[emoji[i]] * 2 for i in range(n)]


def friendly(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` comments between friends or co-workers: a name or an aside, then free words."""
    openers = np.array(["haha", "omg", "ok but", "congrats", "miss you", "so proud",
                        "told you", "wait", "lol", "yes", "same", "this is so"])
    name = rng.choice(np.array(NAMES), n)
    opener = rng.choice(openers, n)
    body = organic(rng, n)
    style = rng.integers(0, 3, n)
    return [f"{opener[i]} {name[i]}! {body[i]}" if style[i] == 0
            else f"{opener[i]}, {body[i].lower()}" if style[i] == 1
            else body[i] for i in range(n)]


def templated(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> list[str]:
    """``n`` comments from a pod's templates, with the usual emoji and ``!`` variations."""
    base = rng.integers(0, len(pool), n)
    emoji = rng.integers(0, len(EMOJI), n)
    style = rng.integers(0, 4, n)
    forms = ("{t}!", "{t} {e}", "{t}!! {e}{e}", "{e}{e}{e}")
    return [forms[s].format(t=pool[b], e=EMOJI[e]) for b, e, s in zip(base, emoji, style,
                                                                          strict=True)]


def pod_pool(rng: np.random.Generator, size: int = 6) -> tuple[str, ...]:
    """The few templates one pod's members use."""
    return tuple(np.array(POD_TEMPLATES)[rng.choice(len(POD_TEMPLATES), size, replace=False)])


def mentions(rng: np.random.Generator, n: int) -> list[str]:
    """Giveaway entries: tag two or three friends, sometimes with "done" or an emoji."""
    tags = rng.choice(np.array(NAMES), (n, 3))
    three = rng.random(n) < 0.4
    lead = rng.choice(np.array(["", "done ", "Done! ", "entered ", "🙏 ", "pick me "]), n)
    out = []
    for i in range(n):
        people = tags[i] if three[i] else tags[i, :2]
        suffix = rng.integers(1, 999, len(people))
        out.append(lead[i] + " ".join(f"@{p}{s}" for p, s in zip(people, suffix, strict=True)))
    return out


def fan(rng: np.random.Generator, n: int) -> list[str]:
    """What fans write under a celebrity's post: emoji runs and a few words."""
    short = np.array(["queen", "legend", "love you", "omg", "icon", "so beautiful", "goat"])
    word = rng.choice(short, n)
    emoji = rng.integers(0, len(EMOJI), n)
    count = rng.integers(1, 5, n)
    words = rng.random(n) < 0.5
    return [(f"{word[i]} " if words[i] else "") + EMOJI[emoji[i]] * count[i] for i in range(n)]
