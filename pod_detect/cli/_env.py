"""Process settings the command line makes before numpy is imported.

numpy asks the kernel for transparent huge pages for each large array (``madvise``). Where
the kernel answers by compacting memory at page faults (its ``defrag`` setting ``madvise``,
the usual default), a scan pays for that in system time, more than twice as much on a large
export (benchmarks/README.md, measurements behind the code). So the command line turns it
off, unless ``NUMPY_MADVISE_HUGEPAGE`` is already set (numpy's own documented switch): a user
who measured otherwise keeps the say.

pyarrow allocates from its own heap (mimalloc) unless told otherwise, beside the C library's
that numpy uses; memory one frees the other cannot reuse, so each touches fresh pages the
kernel must clear. A scan's memory goes back and forth between the two (arrow strings and
codes, numpy keys and sorts), so the command line gives pyarrow the C library's allocator
too, unless ``ARROW_DEFAULT_MEMORY_POOL`` (pyarrow's documented switch) is set: a few per
cent faster, the same peak memory.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
