"""Comment text: varied organic sentences and the templated lines pods paste.

Organic comments are assembled from word lists (millions of combinations, so they rarely
repeat); pod comments are a handful of generic templates and near-duplicates of them.
"""

from __future__ import annotations

import numpy as np

# fmt: off
_OPENERS = (
    "Honestly", "Wow", "Haha", "Oh nice", "Totally agree,", "Interesting,", "Hmm", "Ooh",
    "Yes!", "Agreed,", "Not sure but", "Wait,", "Lol", "Okay so", "Funny,", "True,", "I think",
    "Ha,", "So", "Oh man", "Really,", "Huh,", "Nice,", "Well,", "Omg", "To be fair,",
    "Same here,", "No way,", "Right?", "Hey,",
)
_SUBJECTS = (
    "this", "the second photo", "your take on this", "that view", "the last part", "the recipe",
    "this thread", "the ending", "your setup", "the colours", "that idea", "the first slide",
    "this trail", "your garden", "the new layout", "that chart", "the soundtrack",
    "this little guy", "your argument", "the lighting", "the map", "that bread",
    "the old bridge", "your point about pricing", "the bike",
)
_VERBS = (
    "reminds me of", "is exactly like", "makes me think of", "beats", "looks a lot like",
    "sounds like", "brings back", "is better than", "could use", "needs", "goes well with",
    "is nothing like",
)
_OBJECTS = (
    "our trip to Lisbon", "my grandma's kitchen", "last summer", "the old office",
    "that book you lent me", "a Monday morning", "the lake house", "my first job", "the 90s",
    "a rainy Sunday", "my dog", "the market downtown", "school days",
    "the conference in Berlin", "a proper coffee", "the mountains", "my cousin's wedding",
    "the night bus", "a good spreadsheet", "the camping weekend", "a second opinion",
    "more sleep", "the festival", "a bigger table", "my sourdough attempts",
    "the hike last year", "a quiet evening", "the original version", "my commute",
    "the harbour at dusk",
)
_TAILS = (
    "", "", "", "", " Where was this?", " How long did it take?", " Did you use a filter?",
    " Send me the link.", " Can't wait for part two.", " Miss those days.",
    " We should catch up.", " Tell me more.", " Saving this.", " Who took it?",
)
_PUNCT = (
    ".", "!", "...", "", " :)",
)
_EMOJI = (
    "", "", "", "", "", "", " 😂", " 😊", " 🙂", " 🌞", " ❤️", " 🤔",
)
_WORK_OBJECTS = (
    "the Q3 review", "the migration last spring", "our onboarding doc", "the roadmap",
    "the offsite", "the client call on Tuesday", "the hiring plan", "the old dashboard",
    "the release checklist", "the budget sheet", "the retro notes", "the new CRM",
    "the all-hands", "the pilot project", "the vendor shortlist",
)
#: Generic lines engagement pods paste under each other's posts.
POD_TEMPLATES = (
    "Great post! 🔥", "So true 👏", "Love this!!", "Amazing content 💯", "🔥🔥🔥", "👏👏👏", "💯",
    "Well said!", "This is gold 🙌", "Needed this today!", "Awesome 😍", "Nice one 👍",
    "Great insights!", "Keep it up 💪", "🙌🙌", "Spot on!",
)
_POD_TAILS = (
    "", "", "", " 🔥", " 👏", "!", " 💯", " 🙌",
)
# fmt: on


def _pick(rng: np.random.Generator, words: tuple[str, ...], n: int) -> np.ndarray:
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), n)]


def organic(rng: np.random.Generator, n: int, *, work: bool = False) -> np.ndarray:
    """``n`` varied organic comments (``work`` draws from office vocabulary).

    Parameters
    ----------
    rng
        The random stream.
    n
        How many comments.
    work
        Use co-worker topics for the object of the sentence.

    Returns
    -------
    numpy.ndarray
        Object array of strings.
    """
    objects = _WORK_OBJECTS if work else _OBJECTS
    parts = (
        _pick(rng, _OPENERS, n),
        " ",
        _pick(rng, _SUBJECTS, n),
        " ",
        _pick(rng, _VERBS, n),
        " ",
        _pick(rng, objects, n),
        _pick(rng, _PUNCT, n),
        _pick(rng, _TAILS, n),
        _pick(rng, _EMOJI, n),
    )
    text = np.full(n, "", dtype=object)
    for part in parts:
        text = text + part
    return text


def templated(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` pod comments: a template, sometimes with an extra emoji or in lower case.

    Parameters
    ----------
    rng
        The random stream.
    n
        How many comments.

    Returns
    -------
    numpy.ndarray
        Object array of strings.
    """
    text = _pick(rng, POD_TEMPLATES, n) + _pick(rng, _POD_TAILS, n)
    lower = rng.random(n) < 0.15
    text[lower] = np.char.lower(text[lower].astype(str)).astype(object)
    return text
