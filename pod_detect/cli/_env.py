"""Process settings the command line makes before numpy is imported.

numpy asks the kernel for transparent huge pages for each large array (``madvise``). Where
the kernel answers by compacting memory at page faults (its ``defrag`` setting ``madvise``,
the usual default), a scan pays for that in system time: on the benchmark machine 9.6 s of
system time for a 4M-row scan, against 4 s without (wall 24.6 s against 20.8 s; see
benchmarks/README.md). So the command line turns it off, unless ``NUMPY_MADVISE_HUGEPAGE``
is already set (numpy's own documented switch): a user who measured otherwise keeps the say.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
