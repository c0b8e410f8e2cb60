"""Which files a scan of several inputs reads: paths, glob patterns and directories (a Parquet
dataset, or a folder of exports) expanded to a list of readable files, each once."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence

from pod_detect.errors import InputError

#: What a path's name may end with to be read (the formats of :mod:`pod_detect.io`).
READABLE = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".parquet", ".pq", ".tab")


def expand(source: str | Sequence[str], *, stdin: bool = False) -> list[str]:
    """The files a source names: paths, glob patterns and directories (every readable file
    below, e.g. a Parquet dataset, sorted), in the order given, each once; ``"-"`` (standard
    input) too when ``stdin`` allows it (once).

    Raises
    ------
    InputError
        When a path does not exist, a pattern matches nothing, or nothing readable is found.
    """
    sources = [source] if isinstance(source, str) else list(source)
    found: list[str] = []
    for item in map(os.fspath, sources):
        if item == "-":
            if not stdin:
                raise InputError("the Dask engine reads files, not standard input", source="-")
            if "-" in found:
                raise InputError("standard input can be read only once", source="-")
            found.append(item)
            continue
        if os.path.isdir(item):
            found += _below(item)
        elif any(c in item for c in "*?["):
            matched = sorted(glob.glob(item, recursive=True))
            if not matched:
                raise InputError("matches no file", source=item)
            found += [m for p in matched for m in (_below(p) if os.path.isdir(p) else [p])]
        elif os.path.exists(item):
            found.append(item)
        else:
            raise InputError("no such file", source=item)
    files = list(dict.fromkeys(found))
    if not files:
        raise InputError("holds no file pod-detect reads (" + ", ".join(READABLE) + ")",
                         source=", ".join(sources))
    return files


def _below(directory: str) -> list[str]:
    paths = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            bare = name[:-3] if name.endswith((".gz", ".zst")) else name
            if bare.lower().endswith(READABLE) and not name.startswith((".", "_")):
                paths.append(os.path.join(root, name))
    return sorted(paths)


