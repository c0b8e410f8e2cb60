"""``--redact``: the same report with account and post ids replaced by stable pseudonyms.

A pseudonym is ``acct-`` (or ``post-``) and the first ten hex digits of the SHA-256 of
:data:`SALT` and the id joined by a newline: the same id always gives the same pseudonym,
across runs and machines, so redacted reports can still be compared. (It is a pseudonym, not
encryption: anyone holding a candidate id can check it.) Comment text is dropped. Group ids
are recomputed from the pseudonyms, since the original ids derive from the member names;
reasons naming the old group id are rewritten to the new one. The accounts a one-way group
boosts are named from the renamed accounts, so they are pseudonyms too; an expired baseline
entry's members get the same pseudonyms as the accounts (an id gives one pseudonym
wherever it appears) and its id, when it names a group of the report, the new group id.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd

from pod_detect.model import Group, Report, group_id

#: Fixed salt, so pseudonyms are stable across runs; documented in docs/report.md.
SALT = "pod-detect redact v1"


def pseudonym(value: str, prefix: str = "acct") -> str:
    """``prefix-`` and ten hex digits of SHA-256(SALT + newline + value)."""
    digest = hashlib.sha256(f"{SALT}\n{value}".encode()).hexdigest()
    return f"{prefix}-{digest[:10]}"


def _names(ids: np.ndarray, prefix: str) -> np.ndarray:
    return np.array([pseudonym(str(v), prefix) for v in ids], dtype=object)


def redact(report: Report) -> Report:
    """A copy of ``report`` with pseudonymous ids and no comment text.

    Parameters
    ----------
    report
        A scan's report.

    Returns
    -------
    Report
        Accounts and posts renamed (codes unchanged), the ``text`` column emptied, group
        ids recomputed from the pseudonyms and every mention of an old group id replaced,
        the members of expired baseline entries renamed.
    """
    data = report.interactions
    frame = data.frame.assign(text=pd.Series(pd.NA, index=data.frame.index, dtype="string"))
    accounts = _names(data.accounts, "acct")
    data = replace(data, frame=frame, accounts=accounts, posts=_names(data.posts, "post"))
    ids = {g.id: group_id(g.kind, [accounts[m] for m in g.members]) for g in report.groups}
    ids |= {s.group.id: group_id(s.group.kind, [accounts[m] for m in s.group.members])
            for s in report.suppressed}

    def rename(text: str) -> str:
        for old, new in ids.items():
            text = text.replace(old, new)
        return text

    def regroup(g: Group) -> Group:
        return replace(g, id=ids[g.id], reasons=tuple(rename(r) for r in g.reasons))

    return replace(
        report, interactions=data,
        groups=tuple(regroup(g) for g in report.groups),
        accounts=tuple(replace(a, group=ids.get(a.group, a.group),
                               reasons=tuple(rename(r) for r in a.reasons))
                       for a in report.accounts),
        suppressed=tuple(replace(s, group=regroup(s.group), entry=rename(s.entry))
                         for s in report.suppressed),
        notes=tuple(rename(n) for n in report.notes),
        expired=tuple(replace(e, id=rename(e.id),
                              members=tuple(sorted(pseudonym(m) for m in e.members)))
                      for e in report.expired),
    )
