"""``pod-detect explain`` for people: one account's story
(:func:`pod_detect.report.explain.explain`) as rich tables, plain text without colour; every
string from the export escaped."""

from __future__ import annotations

import io
import json
from typing import Any

from pod_detect.formats._common import shown
from pod_detect.model import KIND_NAMES
from pod_detect.text import json_text


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def explanation_json(info: dict[str, Any]) -> str:
    """The explanation as indented JSON: the exact ids, with the characters a terminal acts
    on written as ``\\u`` escapes (:func:`pod_detect.text.json_text`), as in the report."""
    return json_text(json.dumps(info, indent=2, ensure_ascii=False)) + "\n"


def render_explanation(info: dict[str, Any], color: bool, width: int) -> str:
    """The explanation as rich tables (plain text when ``color`` is false)."""
    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, force_terminal=color, no_color=not color, width=width,
                      highlight=False, emoji=False)
    group = info["group"]
    console.print(f"[bold]{shown(info['account'])}[/]: gives {info['engagements_given']} "
                  f"engagements, receives {info['engagements_received']}")
    if group:
        kind = KIND_NAMES.get(group["kind"], group["kind"])
        console.print(f"member of {kind} {shown(group['id'])} ({group['severity']}, "
                      f"score {group['score']:.2f}, {group['size']} members)")
        own = (info["account_score"] or {}).get("reasons", [])
        own = own[1:] if own and own[0].startswith("member of ") else own  # said just above
        for reason in own + group["reasons"]:
            console.print(f"  - {shown(reason)}")
    else:
        console.print("not a member of any reported group")
    _as_author(console, info.get("as_author"))
    for key, title in (("engages", "Engages"), ("engaged_by", "Engaged by")):
        if not info[key]:
            console.print(f"{title}: no account")
            continue
        table = Table(title=f"{title} ({info[key + '_total']} accounts, top {len(info[key])})")
        for column in ("account", "engagements", "posts", "back", "reciprocal", "group"):
            table.add_column(column)
        for r in info[key]:
            in_group = r.get("group")
            mark = "" if not in_group else shown(in_group) + (" (its own)" if r["same_group"]
                                                              else "")
            table.add_row(shown(r["account"]), str(r["engagements"]), str(r["posts"]),
                          str(r["back"]), "yes" if r["reciprocal"] else "no", mark)
        console.print(table)
    _partners(console, info.get("coengagement"))
    lat = info["latency"]
    table = Table(title="Latency after the post")
    for column in ("who", "n", "q1", "median", "q3"):
        table.add_column(column)
    for who, q in (("this account", lat["account"]), ("everyone else", lat["everyone_else"])):
        table.add_row(who, str(q["n"]), _duration(q["q1"]), _duration(q["median"]),
                      _duration(q["q3"]))
    console.print(table)
    c = info["comments"]
    console.print(f"comments: {c['comments']}, templated {c['templated']}, matching the "
                  f"group's templates {c['group_templates']}")
    for e in c["examples"]:
        flag = "group template" if e["group_template"] else "templated" if e["templated"] else ""
        console.print(f"  {shown(repr(e['text']))} {flag}")
    table = Table(title="Posts where it took part with its group")
    for column in ("post", "author", "time", "latency", "members engaged"):
        table.add_column(column)
    for p in info["posts_with_group"]:
        table.add_row(shown(p["post_id"]), shown(p["author"]), p["time"] or "-",
                      _duration(p["latency_s"]), str(p["group_members_engaged"]))
    console.print(table)
    return out.getvalue()


def _as_author(console: Any, author: dict[str, Any] | None) -> None:
    """How much of the engagement the account received is authentic, and who supplied the
    rest (nothing when no one engaged its posts)."""
    if not author:
        return
    console.print(
        f"as an author: {author['engagements']} engagements on {author['posts']} posts, "
        f"{author['authentic']} authentic ({author['authentic_share']:.0%}); "
        f"{author['from_pods']} from pods, {author['from_one_way']} from one-way or "
        "coordinated groups")
    for g in author["groups"]:
        console.print(f"  - {g['engagements']} from {shown(g['group'])} ({g['kind']}, "
                      f"{g['severity']})")
    if author["suppliers"]:
        from rich.table import Table

        table = Table(title=f"Flagged accounts that engaged it ({author['suppliers_total']} "
                            f"accounts, top {len(author['suppliers'])})")
        for column in ("account", "engagements", "group"):
            table.add_column(column)
        for r in author["suppliers"]:
            table.add_row(shown(r["account"]), str(r["engagements"]), shown(r["group"]))
        console.print(table)


def _partners(console: Any, found: dict[str, Any] | None) -> None:
    """The accounts that engaged the same posts as this one within the window, twice or more."""
    if not found or not found["partners"]:
        return
    from rich.table import Table

    table = Table(title=f"Co-engaged the same posts within {_duration(found['window_s'])} "
                        f"({found['partners_total']} accounts, top {len(found['partners'])})")
    for column in ("account", "posts", "group"):
        table.add_column(column)
    for r in found["partners"]:
        mark = "" if not r["group"] else shown(r["group"]) + (" (its own)" if r["same_group"]
                                                              else "")
        table.add_row(shown(r["account"]), str(r["posts"]), mark)
    console.print(table)
