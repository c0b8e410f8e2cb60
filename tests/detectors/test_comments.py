"""Comment style and the comments detector on hand-built comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import organic, round_rows, slow

from pod_detect.candidates.context import Context
from pod_detect.detectors import DETECTORS
from pod_detect.io import parse
from pod_detect.reduce import reduce
from pod_detect.settings import Settings
from pod_detect.stats.templates import comment_style, normalise


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Great post! 🔥", "great post"),
        ("  GREAT   post!!! ", "great post"),
        ("👏👏👏", ""),
        ("see https://x.example/a @bob now", "see now"),
    ],
)
def test_normalise(text, words):
    assert normalise(pd.Series([text])).iloc[0] == words


def test_templates_need_several_writers_and_catch_variations():
    actors = np.array([0, 1, 2, 3, 4, 5, 6])
    texts = pd.Series([
        "Great post! 🔥",            # 0: template (3 writers)
        "great post",                # 1: template
        "Great post!!",              # 2: template
        "Great postt",               # 3: near-duplicate of the template
        "🔥🔥",                      # 4: emoji only
        "I tried this recipe with oat milk and it curdled, any idea why?",  # 5: organic
        "I tried this recipe with oat milk and it curdled, any idea why?",  # 6: 2 writers
    ])
    style = comment_style(actors, texts)
    assert style.templated.tolist() == [True, True, True, True, True, False, False]
    assert style.emoji_only.tolist() == [False, False, False, False, True, False, False]


def test_missing_and_blank_comments_are_not_comments():
    style = comment_style(np.array([0, 1, 2]), pd.Series(["ok then", None, "  "]))
    assert style.rows.tolist() == [0]


TEMPLATES = ["Great post! 🔥", "So true 👏", "Love this!!", "💯", "Amazing content 💯"]


def with_text(rows, texts, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rows, columns=["actor", "author", "post_id", "timestamp", "post_time"])
    frame["text"] = [texts(rng, i) for i in range(len(frame))]
    for column in ("timestamp", "post_time"):
        frame[column] = frame[column].round(3).astype(str)
    return parse(frame, source="test.csv")


def organic_text(rng, i):
    words = ["trail", "recipe", "chart", "Berlin", "coffee", "deadline", "sourdough", "bike"]
    return f"the {rng.choice(words)} reminds me of {rng.choice(words)} #{i}"


def test_a_slow_pod_with_templated_comments_is_marked_and_friends_are_not():
    pod = [f"pod{i}" for i in range(6)]
    friends = [f"f{i}" for i in range(6)]
    rows = organic() + round_rows(pod, 6, slow) + round_rows(friends, 6, slow, share=0.9,
                                                              seed=5, prefix="x")
    names = set(pod)
    data = with_text(rows, lambda rng, i: (
        rng.choice(TEMPLATES) if rows[i][0] in names else organic_text(rng, i)))
    context = Context(data, reduce(data), Settings())
    findings = {
        frozenset(str(data.accounts[m]) for m in f.members): f
        for f in DETECTORS["comments"]().detect(context, context.reciprocal_groups)
    }
    assert findings[frozenset(pod)].strength > 0.9
    assert findings[frozenset(friends)].strength == 0.0


def test_rows_classified_from_the_kept_codes_as_from_their_texts():
    from pod_detect.stats.templates import templates_arrays, templates_frames

    texts = ["Great post! 🔥", "great post", "GREAT POST!!", "Great posts", "so true 👏",
             "So true", "so true!", "👏👏", "   ", None, "a thought of my own", "",
             "another one entirely", "Great  post 🔥🔥"]
    rng = np.random.default_rng(3)
    picked = [texts[i] for i in rng.integers(0, len(texts), 300)]
    picked[::10] = [f"what I thought of part {i} of the talk" for i in range(30)]  # once each
    frame = pd.DataFrame({"actor": rng.integers(0, 9, 300).astype("int32"),
                          "text": pd.Series(picked, dtype="str")})
    found = templates_arrays(frame)
    assert found == templates_frames(frame)  # the same templates either way
    rows = rng.permutation(300)[:120]
    want = found.classify(frame["text"].iloc[rows].reset_index(drop=True))
    assert np.array_equal(found.classify_rows(rows), want)
    assert set(want.tolist()) == {-1, 0, 1}


def test_normalising_in_two_threads_gives_the_same_words(monkeypatch):
    import pyarrow as pa

    from pod_detect.stats import templates as comments

    texts = pa.array([f"Great post #{i}! 🔥 @user{i} https://x.example/{i}" for i in range(50)]
                     + ["  So TRUE  ", "👏👏", ""], type=pa.large_string())
    whole = comments._words(texts)
    monkeypatch.setattr(comments, "_SPLIT", 10)
    assert comments._words(texts).equals(whole)
    assert whole[0].as_py() == "great post 0"


def _every_run(texts):
    """The normalisation by :data:`_NOISE` itself: every run of noise replaced."""
    import pyarrow.compute as pc

    from pod_detect.stats import templates as comments

    return pc.replace_substring_regex(pc.utf8_lower(texts), comments._NOISE, " ")


def _runs_that_change(texts):
    import pyarrow.compute as pc

    from pod_detect.stats import templates as comments

    return pc.replace_substring_regex(pc.utf8_lower(texts), comments._NOISE_RUNS, " ")


def test_the_fast_noise_pattern_equals_the_definition_on_every_code_point():
    """Each code point alone, beside a space, doubled, between spaces, before and after a
    link and a mention: replacing only the runs that are not one plain space gives what
    replacing every run gives."""
    import pyarrow as pa

    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    texts = pa.array([f"a{c}b {c} c{c}{c}d  {c}e {c}  f{c} @x{c}y https://z{c} g{c}_ h"
                      for c in points], type=pa.large_string())
    assert _runs_that_change(texts).equals(_every_run(texts))


_PIECES = [" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u2028", ",", "!", "_", "-",
           "🔥", "👏", "é", "Ж", "字", "7", "a", "Bob", "@bob", "@", "https://x.example/a?b=1",
           "http://", "http", "\u200b", "\x85", "\x0b", "#tag"]


@pytest.mark.parametrize("seed", range(3))
def test_the_fast_noise_pattern_equals_the_definition_on_random_texts(seed):
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    texts = pa.array(["".join(rng.choice(_PIECES, int(rng.integers(0, 14))))
                      for _ in range(20_000)], type=pa.large_string())
    assert _runs_that_change(texts).equals(_every_run(texts))


def test_two_threads_classifying_with_one_template_set_agree_with_one_thread():
    """The near-duplicate answers are shared by the scan's two threads (see _SEEN_LOCK)."""
    from concurrent.futures import ThreadPoolExecutor

    from pod_detect.stats.templates import templates_arrays

    rng = np.random.default_rng(11)
    words = ["great", "post", "so", "true", "love", "this", "amazing", "work", "nice", "shot"]
    texts = [" ".join(rng.choice(words, int(rng.integers(2, 6)))) + "!" for _ in range(4000)]
    frame = pd.DataFrame({"actor": rng.integers(0, 40, 4000).astype("int32"),
                          "text": pd.Series(texts, dtype="str")})
    batches = [rng.permutation(4000)[:1500] for _ in range(8)]
    alone = templates_arrays(frame)
    want = [alone.classify_rows(b) for b in batches]
    shared = templates_arrays(frame)
    with ThreadPoolExecutor(max_workers=2) as pool:
        got = list(pool.map(shared.classify_rows, batches))
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize("n", [0, 3, 499, 500, 501, 5000])
def test_the_most_written_templates_are_those_of_a_full_sort(n):
    """Only the texts that can reach the top are sorted: the same list as sorting them all."""
    from pod_detect.stats.templates import MAX_TEMPLATES, _most_written

    rng = np.random.default_rng(n)
    texts = [f"text {rng.integers(0, 10**6)}" for _ in range(n)]
    writers = rng.integers(3, 12, n)  # many ties, broken by the text
    ranked = sorted(range(n), key=lambda i: (-writers[i], texts[i]))
    assert _most_written(texts, writers) == [texts[i] for i in ranked[:MAX_TEMPLATES]]


def test_two_threads_never_compare_a_text_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from pod_detect.stats import templates as comments

    compared: list[str] = []
    real = comments._near_texts

    def slow_compare(texts: list[str], templates: list[str]) -> set[str]:
        compared.extend(texts)
        time.sleep(0.05)  # long enough for the other thread to arrive meanwhile
        return real(texts, templates)

    monkeypatch.setattr(comments, "_near_texts", slow_compare)
    templates = ["great post love this", "so true thanks for sharing"]
    first = pd.Series(["great post love this!!", "so true thanks for sharin", "a b c", "x"])
    second = pd.Series(["so true thanks for sharin", "x", "great post love thi", "zzz"])
    seen: dict = {}
    out: dict[str, np.ndarray] = {}

    def run(name: str, words: pd.Series, delay: float) -> None:
        time.sleep(delay)
        out[name] = comments._near(words, np.zeros(len(words), dtype=bool), templates, seen)

    threads = [threading.Thread(target=run, args=("first", first, 0.0)),
               threading.Thread(target=run, args=("second", second, 0.01))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(compared) == sorted(set(first) | set(second))
    assert out["first"].tolist() == [True, True, False, False]
    assert out["second"].tolist() == [True, False, True, False]
    assert all(isinstance(answer, bool) for answer in seen.values())
    alone = comments._near(second, np.zeros(4, dtype=bool), templates)
    assert alone.tolist() == out["second"].tolist()


def test_normalising_each_text_codes_as_normalising_the_distinct_ones() -> None:
    import pyarrow as pa

    from pod_detect.stats import templates as comments

    rng = np.random.default_rng(5)
    pool = ["Great post! 🔥", "great post", "  ", "", "So TRUE 👏👏", "so true",
            "see https://x.y/z @bob", "👍", "Ünïcode wörds", "a  b\tc", None]
    texts = pa.array([pool[i] for i in rng.integers(0, len(pool), 2_000)], pa.large_string())
    each = comments._encode_each(texts)
    distinct = comments._encode_unsorted(texts)
    np.testing.assert_array_equal(each[0], distinct[0])
    assert each[1].to_pylist() == distinct[1].to_pylist()
    np.testing.assert_array_equal(each[2], distinct[2])


def test_long_comments_are_compared_by_their_opening_and_the_notes_say_so():
    from pod_detect.pipeline import scan
    from pod_detect.stats import templates

    rng = np.random.default_rng(12)
    letters = np.array(list("abcdefghij klmnop qrstuv wxyz "))

    def text(n: int) -> str:
        return "".join(rng.choice(letters, size=n))

    stock = text(1000)
    # the first 280 characters decide: one differing only after them is a near-duplicate
    same_opening = stock[:280] + text(720)
    other_opening = text(280) + stock[280:]
    hits = templates._near_texts([same_opening, other_opening], [stock])
    assert hits == {same_opening}
    members = [f"m{i}" for i in range(6)]  # a pod posting a long stock comment
    rows = []
    for a in members:
        for k in range(3):
            start = 3600.0 * (10 * members.index(a) + k)
            rows += [(b, a, f"{a}/{k}", start + rng.uniform(10, 120), start, stock)
                     for b in members if b != a]
    for i in range(200):  # and a crowd that comments in its own words, hours later
        start = 3600.0 * i
        rows += [(f"o{(i + j) % 60}", f"o{(i + 30) % 60}", f"o{(i + 30) % 60}/{i}",
                  start + rng.uniform(1, 9) * 3600, start, text(40)) for j in range(3)]
    frame = pd.DataFrame(rows, columns=["actor", "author", "post_id", "timestamp",
                                        "post_time", "text"])
    report = scan(parse(frame.astype({"timestamp": str, "post_time": str})))
    assert any("compared with the templates by their first 280" in n for n in report.notes)
