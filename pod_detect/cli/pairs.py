"""``pod-detect pairs``: the co-engagement pairs of an export, for comparison with
coordination toolkits (the core is :mod:`pod_detect.report.pairs`)."""

from __future__ import annotations

import os
from typing import Any

import click

from pod_detect import io as podio
from pod_detect.cli.common import InputProblem, emit, parse_mapping, say, user_errors
from pod_detect.cli.options import input_options
from pod_detect.engines import ReadOptions
from pod_detect.model import Interactions
from pod_detect.report import pairs as podpairs
from pod_detect.settings import Settings


@click.command("pairs")
@click.argument("exports", nargs=-1, required=True, metavar="EXPORT...",
                type=click.Path(allow_dash=True))
@input_options
@click.option("--window", type=click.FloatRange(min=0), default=60.0, show_default=True,
              metavar="SECONDS",
              help="Two engagements of one post co-engage when at most this many seconds "
                   "apart (inclusive).")
@click.option("--min-coengaged", type=click.IntRange(min=1), default=2, show_default=True,
              metavar="N", help="Smallest weight a pair needs to be listed.")
@click.option("--weighting", type=click.Choice(podpairs.WEIGHTINGS),
              default=podpairs.DEFAULT_WEIGHTING, show_default=True,
              help="What the weight counts: qut, account_1's engagements with one by "
                   "account_2 of the same post within the window (as the QUT toolkit's "
                   "co_retweet network); count, the distinct posts both engaged "
                   "(docs/co-engagement.md).")
@click.option("--significant", is_flag=True,
              help="Keep only the pairs the scan's null model finds significant at this "
                   "window (--alpha), with their p-value in a pvalue column: the Poisson "
                   "tail of the posts they co-engaged (among each post's first 200 "
                   "engagers) given both accounts' activity.")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=None, metavar="P",
              help=f"With --significant: the significance level [default: "
                   f"{Settings().alpha:g}, the scan's].")
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(podpairs.FORMATS)),
              default="csv", show_default=True,
              help="csv (one row per pair), json (the settings, counts and pairs) or gexf "
                   "(a weighted undirected graph for Gephi).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write the pairs here instead of stdout (- is stdout).")
@click.option("--redact", is_flag=True,
              help="Replace account ids by the stable pseudonyms scan --redact writes "
                   "(the weights stay those of the ids as given).")
@click.option("-q", "--quiet", is_flag=True, help="No messages on stderr.")
def pairs(exports: tuple[str, ...], **opts: Any) -> None:
    """Print the co-engagement pairs of EXPORT: every two accounts that engaged the same
    posts within --window seconds of each other, with how often (the weight), one row
    per pair (account_1 < account_2), heaviest first, then by id.

    EXPORT is read as 'scan' reads it: any format or platform it reads, several EXPORTs,
    quoted glob patterns or directories read as one export, - for stdin. Rows without a
    post or a time are left out.

    With the defaults (--window 60 --min-coengaged 2 --weighting qut) the pairs of the
    Russian co-retweet data are the QUT coordination-network-toolkit 1.5.2's 43, weights
    included (docs/co-engagement.md).

    \b
    Examples:
      pod-detect pairs export.csv
      pod-detect pairs export.csv --window 300 --min-coengaged 3 -o pairs.csv
      pod-detect pairs 'dumps/*.jsonl' --weighting count --significant -f json
      pod-detect pairs export.csv -f gexf --redact -o pairs.gexf
    """
    quiet, output = opts["quiet"], opts["output"]
    if opts["alpha"] is not None and not opts["significant"]:
        raise InputProblem("--alpha applies only with --significant")
    with user_errors():
        data = _read(list(exports), opts)
        table = podpairs.coengagement_pairs(
            data, window=opts["window"], min_weight=opts["min_coengaged"],
            weighting=opts["weighting"], significant=opts["significant"],
            alpha=opts["alpha"])
        if opts["redact"]:
            table = podpairs.redact_pairs(table)
        text = podpairs.render(table, opts["fmt"])
    emit(text, output)
    if not quiet:
        left_out = table.attrs["counts"]["rows_left_out"]
        if left_out:
            say(f"note: {left_out:,} row(s) without a post or a time left out")
        if output != "-":
            say(f"wrote {len(table):,} pair(s) to {output}")


def _read(exports: list[str], opts: dict[str, Any]) -> Interactions:
    """The exports read as ``scan`` reads them (one file with :func:`pod_detect.io.load`,
    several with :func:`pod_detect.io.load_all`)."""
    read = ReadOptions(fmt=opts["input_format"], mapping=parse_mapping(opts["mapping"]),
                       encoding=opts["encoding"], on_bad_rows=opts["on_bad_rows"],
                       max_input_bytes=opts["max_input_bytes"],
                       time_format=opts["time_format"], dayfirst=opts["dayfirst"])
    one = len(exports) == 1 and (exports[0] == "-" or os.path.isfile(exports[0]))
    data = (podio.load(exports[0], **read.options()) if one  # type: ignore[arg-type]
            else podio.load_all(exports, **read.options()))  # type: ignore[arg-type]
    if opts["on_bad_rows"] == "warn" and podio.bad_rows_note(data):
        say(f"warning: {data.source}: {podio.bad_rows_note(data)}")
    return data
