"""``pod-detect simulate`` and ``pod-detect evaluate``: synthetic exports and their scores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from pod_detect import io as podio
from pod_detect.cli.common import (
    InputProblem,
    emit,
    read_json,
    reader_gone,
    use_color,
    user_errors,
)
from pod_detect.formats import RenderOptions
from pod_detect.model import SEVERITIES

F = TypeVar("F", bound=Callable[..., Any])

#: Help of the simulation options the ``SimConfig`` docstring describes together (one
#: entry for several fields): each option says what it alone does.
OWN_HELP = {
    "classic": "Classic pods planted: members engage each other's posts within minutes.",
    "window": "Window pods planted: members engage each other's posts at any time within "
              "--window-minutes of the post.",
    "slow": "Slow pods planted: members engage each other's posts hours after they appear.",
    "rotating": "Rotating pods planted: large pods of which a different subset "
                "(--rotating-subset) engages each member's post.",
    "camouflage": "Camouflage pods planted: classic pods whose members also engage many "
                  "popular posts outside the pod.",
    "likefarm": "Like-farms planted: new accounts that never post and like their clients' "
                "posts within minutes.",
    "classic_size": "Members of each classic pod, LOW-HIGH inclusive.",
    "window_size": "Members of each window pod, LOW-HIGH inclusive.",
    "slow_size": "Members of each slow pod, LOW-HIGH inclusive.",
    "rotating_size": "Members of each rotating pod, LOW-HIGH inclusive.",
    "camouflage_size": "Members of each camouflage pod, LOW-HIGH inclusive.",
    "likefarm_size": "Accounts of each like-farm, LOW-HIGH inclusive.",
    "rotating_subset": "Members of a rotating pod that engage each member's post, LOW-HIGH "
                       "inclusive.",
    "likefarm_clients": "Clients of each like-farm (accounts whose posts it likes), LOW-HIGH "
                        "inclusive.",
    "friends": "Groups of friends (reciprocal, authentic) listed in the truth as negatives.",
    "coworkers": "Circles of co-workers (reciprocal in working hours, authentic) listed in "
                 "the truth as negatives.",
    "fans": "Celebrities whose fans are listed in the truth as a negative group each (at "
            "most --celebrities).",
    "friends_size": "Members of each group of friends, LOW-HIGH inclusive.",
    "coworkers_size": "Members of each circle of co-workers, LOW-HIGH inclusive.",
    "without_timestamps": "Leave the timestamp and post_time columns out of the export.",
    "without_text": "Leave the text column (comment text) out of the export.",
    "without_post_ids": "Leave the post_id column out of the export.",
}


def _field_help(doc: str) -> dict[str, str]:
    """Map each attribute in a numpydoc ``Attributes`` section to its first sentence."""
    helps: dict[str, str] = {}
    lines = doc.split("Attributes", 1)[-1].splitlines()
    names: list[str] = []
    for line in lines:
        if line.strip() and not line.startswith(" " * 8) and not set(line.strip()) <= {"-"}:
            names = [n.strip() for n in line.split(",")]
        elif line.startswith(" " * 8) and names:
            for name in names:
                helps[name] = (helps.get(name, "") + " " + line.strip()).strip()
    return helps


def simulation_options(command: F) -> F:
    """One option per :class:`~pod_detect.simulate.SimConfig` field, defaulting to the
    field's default, its help from :data:`OWN_HELP`, else from the docstring."""
    from dataclasses import fields

    from pod_detect.simulate import SimConfig

    helps = {**_field_help(SimConfig.__doc__ or ""), **OWN_HELP}
    for f in reversed(fields(SimConfig)):
        default = getattr(SimConfig(), f.name)
        flag = "--" + f.name.replace("_", "-")
        text = helps.get(f.name, "")
        if isinstance(default, bool):
            option = click.option(flag, f.name, is_flag=True, default=default, help=text)
        elif isinstance(default, tuple):
            option = click.option(flag, f.name, default=f"{default[0]}-{default[1]}",
                                  metavar="LOW-HIGH", show_default=True, help=text)
        else:
            option = click.option(flag, f.name, type=type(default), default=default,
                                  show_default=True, help=text)
        command = option(command)
    return command


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Where to write the export (- for stdout).")
@click.option("--truth", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write the planted groups (the ground truth) here, as JSON.")
@click.option("--output-format", type=click.Choice(
    [*podio.FORMATS, *(f"{f}.gz" for f in podio.FORMATS)]), default=None,
    help="Export format; by default from the file name, CSV on stdout.")
@simulation_options
def simulate(output: str, truth: str | None, output_format: str | None,
             **options: Any) -> None:
    """Generate a realistic synthetic export with planted pods and their truth.

    The background is an organic platform (communities, heavy-tailed activity, celebrities,
    daily rhythm, delays of hours, viral posts); on top come planted pods, like-farms and
    authentic look-alikes (friends, co-workers, fans, viral bursts). Every kind is sized by
    its options; a count of 0 switches it off. The same seed gives the same bytes.

    \b
    Examples:
      pod-detect simulate -o export.csv --truth truth.json --seed 7
      pod-detect simulate --accounts 500 --rotating 0 --likefarm 0 | pod-detect scan -
    """
    from pod_detect.simulate import config_from_options, truth_json
    from pod_detect.simulate import simulate as run_simulation

    with user_errors():
        config = config_from_options(**options)
        sim = run_simulation(config)
        fmt = output_format or ("csv" if output == "-" else None)
        try:
            podio.write_table(sim.frame, output, fmt)
        except BrokenPipeError:
            reader_gone()
        if truth:
            emit(truth_json(sim), truth)
    click.echo(
        f"pod-detect: simulated {len(sim.frame):,} rows, "
        f"{sum(g['label'] != 'negative' for g in sim.truth['groups'])} planted groups",
        err=True,
    )


@click.command()
@click.argument("report", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--truth", type=click.Path(dir_okay=False, exists=True), required=True,
              help="The truth file written by 'pod-detect simulate --truth' for the export "
                   "the report scanned.")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default="medium",
              show_default=True, help="Count reported groups at or above this severity.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="The scores as a table for people, or JSON for machines.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write the scores here instead of stdout (- is stdout).")
def evaluate(report: str, truth: str, min_severity: str, fmt: str, output: str) -> None:
    """Score a JSON REPORT (from 'scan --format json') against a simulation's truth.

    Account-level precision, recall and F1; per planted group the best-matching reported
    group and its Jaccard overlap; reported groups that match nothing; negatives flagged.
    Both files are checked first: another kind of file, the two swapped or a redacted
    report (scan --redact) is exit 2 with one line naming the file.
    """
    import json

    from pod_detect.formats.evaluation import render_evaluation
    from pod_detect.simulate.evaluate import check_documents
    from pod_detect.simulate.evaluate import evaluate as run_evaluation

    with user_errors():
        documents = (_read_json(report, "REPORT must be the JSON report of 'pod-detect scan "
                                        "-f json'"),
                     _read_json(truth, "--truth must be the truth file of 'pod-detect "
                                       "simulate --truth'"))
        check_documents(*documents, report_source=_name(report), truth_source=_name(truth))
        result = run_evaluation(*documents, min_severity=min_severity)
    if fmt == "json":
        emit(json.dumps(result.to_dict(), indent=2) + "\n", output)
    else:
        emit(render_evaluation(result, RenderOptions(color=use_color("auto", output))), output)


def _read_json(path: str, expected: str) -> Any:
    """:func:`read_json`, its one-line error saying what the file should have been."""
    try:
        return read_json(path)
    except InputProblem as problem:
        raise InputProblem(f"{problem.format_message()}; {expected}") from None


def _name(path: str) -> str:
    """The file as messages name it (``<stdin>`` for ``-``)."""
    return "<stdin>" if path == "-" else path
