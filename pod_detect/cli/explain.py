"""``pod-detect explain ACCOUNT EXPORT``: everything about one account, as tables or JSON."""

from __future__ import annotations

import shutil
from typing import Any

import click

from pod_detect.cli.common import emit, use_color, user_errors
from pod_detect.cli.options import input_options, threshold_options
from pod_detect.cli.scan import _run
from pod_detect.formats.explain import explanation_json, render_explanation
from pod_detect.report.redact import pseudonym, redact


@click.command("explain")
@click.argument("account")
@click.argument("exports", nargs=-1, required=True, metavar="EXPORT...",
                type=click.Path(allow_dash=True))
@input_options
@threshold_options
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "rich"]),
              default="table", show_default=True,
              help="table: tables for people (rich is an alias of table, its former name); "
                   "json: JSON for machines.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write the explanation here instead of stdout (- is stdout).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="Colour in table output; auto honours NO_COLOR and FORCE_COLOR.")
@click.option("--redact", is_flag=True,
              help="Pseudonymous account and post ids, no comment text; ACCOUNT may then "
                   "be the original id or its pseudonym.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def explain(account: str, exports: tuple[str, ...], **opts: Any) -> None:
    """Everything about ACCOUNT in EXPORT (several are read as one, as scan reads them): its
    group and why, whom it engages and who engages it, its latency, its comments against
    the group's templates, shared posts.

    Exit codes: 0 done, 2 usage or input error (an unknown ACCOUNT too).
    """
    opts |= {"baseline": None, "update_baseline": None, "verbose": False, "engine": "pandas"}
    report = _run(list(exports), opts, False)
    if opts["redact"]:
        original = [str(a) for a in report.interactions.accounts]
        account = pseudonym(account) if account in original else account
        report = redact(report)
    from pod_detect.report.explain import explain as explain_account  # after the scan's imports

    with user_errors():
        info = explain_account(report, account)
    if opts["fmt"] == "json":
        emit(explanation_json(info), opts["output"])
        return
    color = use_color(opts["color"], opts["output"])
    width = shutil.get_terminal_size((100, 24)).columns if opts["output"] == "-" else 100
    emit(render_explanation(info, color, max(width, 60)), opts["output"])

