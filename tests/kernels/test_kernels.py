"""The one key packer and the fast-path registry."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import build, organic
from hypothesis import given
from hypothesis import strategies as st

from pod_detect.kernels import fast_paths
from pod_detect.kernels.keys import Key

PACKAGE = Path(__file__).resolve().parents[2] / "pod_detect"


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2**20), st.integers(0, 1)),
                min_size=1, max_size=50))
def test_keys_sort_as_the_columns_and_give_them_back(rows):
    columns = [np.array(c, dtype=np.int32) for c in zip(*rows, strict=True)]
    key = Key(7, 2**20 + 1, 2)
    packed = key.pack(*columns)
    assert packed.dtype == np.int64 and (packed >= 0).all()
    for i, column in enumerate(columns):
        assert np.array_equal(key.field(packed, i), column)
    assert np.array_equal(np.argsort(packed, kind="stable"),
                          np.lexsort(columns[::-1]))
    assert np.array_equal(key.prefix(packed, 2), Key(7, 2**20 + 1).pack(*columns[:2]))
    assert (packed < key.bound).all()


def test_a_key_that_would_wrap_refuses():
    key = Key(2**40, 2**30)
    assert not key.fits
    with pytest.raises(OverflowError):
        key.pack(np.array([1]), np.array([1]))
    assert Key(2**31, 2**31, 2).fits  # int32 codes, two of them and a flag


def test_every_registered_fast_path_is_consulted_and_every_consulted_one_registered():
    source = "\n".join(p.read_text() for p in PACKAGE.rglob("*.py"))
    asked = set(re.findall(r'fast_paths\.enabled\("(\w+)"\)', source))
    assert asked == set(fast_paths.FAST_PATHS)
    with pytest.raises(KeyError):
        fast_paths.enabled("nonsense")


def test_general_paths_turn_a_fast_path_off_and_give_the_same_tables(monkeypatch):
    from pod_detect import reduce as reducing

    data = build(organic(40, 4, seed=3))
    before = fast_paths.enabled("reduce")  # off already under --general-paths
    fast = reducing.reduce(data)
    with fast_paths.general_paths("reduce"):
        assert not fast_paths.enabled("reduce")
        monkeypatch.setattr(reducing, "reduce_arrays", lambda data: pytest.fail("fast path ran"))
        general = reducing.reduce(data)
    monkeypatch.undo()
    assert fast_paths.enabled("reduce") == before
    for name in ("posts", "pairs", "accounts"):
        a, b = getattr(fast, name), getattr(general, name)
        assert list(a.columns) == list(b.columns)
        assert np.allclose(a.to_numpy(dtype="float64"), b.to_numpy(dtype="float64"),
                           equal_nan=True)
