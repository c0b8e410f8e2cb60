"""``--format table``: rich tables for a person at a terminal."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pod_detect.formats._common import (
    accounts_text,
    boosts_label,
    boosts_list,
    expired_sentence,
    other_notes,
    shown,
)
from pod_detect.formats.base import RenderOptions
from pod_detect.model import Report
from pod_detect.report import author_figures, group_boosts, input_summary, summary
from pod_detect.text import visible

STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def render(report: Report, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=options.width, force_terminal=options.color,
        no_color=not options.color, highlight=False, emoji=False, soft_wrap=False,
    )
    for part in (_input(report), _expired(report, options), _groups(report, options),
                 _accounts(report, options),
                 _authors(report, options), _posts(report, options), _notes(report),
                 _verdict(report)):
        if part is not None:
            console.print(part)
    return buffer.getvalue()


def _input(report: Report) -> Table:
    info = input_summary(report)
    table = Table(title="Input", box=box.SIMPLE, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    dropped = ", ".join(f"{n} {why.replace('_', ' ')}" for why, n in info["dropped"].items() if n)
    table.add_row("source", shown(info["source"]))
    table.add_row("rows", f"{info['rows']:,} read, {info['rows_used']:,} used"
                  + (f" ({dropped} dropped)" if dropped else ""))
    table.add_row("accounts", accounts_text(info))
    table.add_row("posts", f"{info['posts']:,}")
    if info["start"]:
        table.add_row("time span", f"{info['start']} to {info['end']}")
    table.add_row("signals available", ", ".join(info["signals"]) or "none")
    for signal, why in info["signals_unavailable"].items():
        table.add_row(f"not used: {signal}", shown(why))
    return table


def _expired(report: Report, options: RenderOptions) -> Text | None:
    """A warning line per expired baseline entry (the first ``top``, then a count): the
    group it accepted is reported again."""
    if not report.expired:
        return None
    lines = [f"warning: {visible(expired_sentence(e))}" for e in report.expired[: options.top]]
    if len(report.expired) > options.top:
        lines.append(f"warning: and {len(report.expired) - options.top} more expired "
                     "baseline entries (-f json lists them all)")
    return Text("\n".join(lines), style="yellow")


def _groups(report: Report, options: RenderOptions) -> Group | Text:
    if not report.groups:
        return Text("No pods or coordinated groups found.", style="green")
    boosts = group_boosts(report)
    panels = []
    for g in report.groups:
        names = [report.account_name(m) for m in g.members]
        listed = ", ".join(shown(n) for n in names[: options.top * 2])
        more = f" and {len(names) - options.top * 2} more" if len(names) > options.top * 2 else ""
        body = Text.from_markup(f"[bold]members ({len(names)}):[/] {listed}{more}")
        clients = boosts.get(g.id)
        if clients:
            body.append_text(Text.from_markup(
                f"\n[bold]{boosts_label(clients)}:[/] {boosts_list(clients, name=shown)}"))
        for reason in g.reasons:
            body.append(f"\n- {visible(reason)}")
        title = Text.assemble(
            (f"{g.id}", "bold"), f"  {g.kind}  ", (g.severity.upper(), STYLE[g.severity]),
            f"  score {g.score:.2f}",
        )
        panels.append(Panel(body, title=title, title_align="left", box=box.ROUNDED))
    return Group(Text(f"Groups ({len(report.groups)})", style="bold"), *panels)


def _accounts(report: Report, options: RenderOptions) -> Table | None:
    if not report.accounts:
        return None
    table = Table(title="Most involved accounts", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("account", "group", "severity", "score", "why"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for a in report.accounts[: options.top]:
        why = "; ".join(a.reasons[1:3])
        table.add_row(shown(report.account_name(a.account)), a.group,
                      Text(a.severity, style=STYLE[a.severity]), f"{a.score:.2f}", shown(why))
    return table


def _authors(report: Report, options: RenderOptions) -> Table | None:
    """The most inflated authors: what they received, how much was authentic, and from
    which groups the rest came."""
    rows = author_figures(report)
    if not rows:
        return None
    table = Table(title="Most inflated authors", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("author", "engagements", "from pods", "from one-way", "authentic",
                   "supplied by"):
        table.add_column(column, justify="left" if column in ("author", "supplied by")
                         else "right")
    for r in rows[: options.top]:
        groups = ", ".join(f"{shown(g['id'])} ({g['engagements']})" for g in r["groups"][:3])
        more = f", +{len(r['groups']) - 3} more" if len(r["groups"]) > 3 else ""
        table.add_row(shown(r["author"]), str(r["engagements"]), str(r["from_pods"]),
                      str(r["from_one_way"]), f"{r['authentic']} ({r['authentic_share']:.0%})",
                      groups + more)
    return table


def _posts(report: Report, options: RenderOptions) -> Table | None:
    if not report.posts:
        return None
    table = Table(title="Most inflated posts", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("post", "author", "engagements", "from pods", "from one-way", "authentic"):
        table.add_column(column, justify="left" if column in ("post", "author") else "right")
    for p in report.posts[: options.top]:
        table.add_row(shown(report.post_name(p.post)), shown(report.account_name(p.author)),
                      str(p.engagements), str(p.from_pods), str(p.from_one_way),
                      f"{p.authentic} ({p.authentic / p.engagements:.0%})")
    return table


def _notes(report: Report) -> Text | None:
    notes = other_notes(report)  # an expired entry's is a warning at the top
    if not notes:
        return None
    return Text("\n".join(f"note: {visible(n)}" for n in notes), style="dim")


def _verdict(report: Report) -> Text:
    s = summary(report)
    bands = ", ".join(f"{n} {sev}" for sev, n in reversed(s["by_severity"].items()) if n)
    return Text(
        f"{s['groups']} group(s){f' ({bands})' if bands else ''}; "
        f"{s['flagged_accounts']} account(s) flagged; "
        f"{s['pod_engagements'] + s['one_way_engagements']} engagement(s) on "
        f"{s['inflated_posts']} post(s) came from flagged groups ({s['pod_engagements']} from "
        f"pods, {s['one_way_engagements']} from one-way groups)."
    )
