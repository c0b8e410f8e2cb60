"""``pod-detect scan`` and ``pod-detect config`` (the settings ``scan`` would use)."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from pod_detect import io as podio
from pod_detect.cli.common import (
    EXIT_CLEAN,
    Timings,
    emit,
    exit_code,
    parse_mapping,
    progress,
    say,
    use_color,
    user_errors,
)
from pod_detect.cli.options import (
    CONFIG_META,
    DEFAULTS_META,
    config_option,
    declared_default,
    engine_options,
    gate_options,
    input_options,
    output_options,
    settable,
    threshold_options,
)
from pod_detect.engines import ClusterOptions, ReadOptions, scan_files
from pod_detect.formats import FORMATS, RenderOptions
from pod_detect.formats.settings import render_settings
from pod_detect.model import Report
from pod_detect.report import baseline as podbaseline
from pod_detect.report.graph_export import export_graph
from pod_detect.report.redact import redact
from pod_detect.settings import Settings
from pod_detect.settings import files as podconfig


def _scan() -> click.Command:
    """The ``scan`` command, whose options a config file sets (defined below)."""
    return scan


THRESHOLDS = ("min_posts", "alpha", "min_group_size", "clique_budget", "window", "min_coengaged",
              "inflating")


@click.command()
@click.argument("exports", nargs=-1, required=True, metavar="EXPORT...",
                type=click.Path(allow_dash=True))
@config_option(_scan)
@input_options
@engine_options
@threshold_options
@output_options
@gate_options
@click.option("--export-graph", type=click.Path(dir_okay=False), default=None,
              help="Also write the flagged groups and their counterparts as a graph for Gephi "
                   "or Cytoscape: .gexf (dynamic, with engagement times) or .graphml.")
@click.option("--also", "also", multiple=True, metavar="FORMAT=FILE",
              help="Also write the report in FORMAT to FILE, from the same scan (repeatable): "
                   "-f sarif -o findings.sarif --also markdown=summary.md.")
@click.option("--redact", is_flag=True,
              help="Replace account and post ids by stable pseudonyms and leave comment text "
                   "out, in every output (docs/report.md).")
@click.pass_context
def scan(ctx: click.Context, exports: tuple[str, ...], **opts: Any) -> None:
    """Scan EXPORT (CSV, TSV, JSON, JSON Lines or Parquet, optionally compressed with gzip
    or zstd, .gz or .zst; - for stdin), or a platform's own export: X API v2, Bluesky,
    Reddit dumps, Instagram Graph API, GitHub events, CrowdTangle (recognised from its
    content; docs/inputs.md).

    Several EXPORTs, glob patterns ('dumps/RC_*.zst', quoted) or directories are read as one
    export (a Reddit comment's parent author can come from the submissions file); with
    --engine dask they are read and reduced on a Dask cluster.
    Settings come from the command line, else the config file, else the defaults.

    \b
    Examples:
      pod-detect scan export.csv
      pod-detect scan export.csv --format json -o report.json
      pod-detect scan export.csv --baseline .pod-detect-baseline.json --fail-on medium
      cat export.jsonl | pod-detect scan - --map actor=liker --fail-on high
      pod-detect scan RC_2024-05.zst RS_2024-05.zst -f json -o report.json
      pod-detect scan 'exports/*.parquet' --engine dask -f json -o report.json
    """
    quiet, verbose, output = opts["quiet"], opts["verbose"] and not opts["quiet"], opts["output"]
    source: podconfig.Source = ctx.meta[CONFIG_META]
    if verbose:
        say(f"config file: {source.path or 'none found'}")
        say(f"settings not at their default: {_sources(ctx, source)}")
    if opts["engine"] == "pandas" and any(opts[o] for o in DASK_ONLY):
        given = ["--" + o.replace("_", "-") for o in DASK_ONLY if opts[o]]
        verb = "applies" if len(given) == 1 else "apply"
        raise click.UsageError(f"{', '.join(given)} only {verb} with --engine dask")
    extra = _also(opts["also"], output)
    report = _run(list(exports), opts, verbose)
    if opts["redact"]:
        report = redact(report)
    if opts["export_graph"]:
        with user_errors():
            export_graph(report, opts["export_graph"])
        if not quiet:
            say(f"wrote graph to {opts['export_graph']}")
    width = shutil.get_terminal_size((100, 24)).columns if output == "-" else 100
    color = use_color(opts["color"], output)
    options = RenderOptions(color=color, width=max(width, 60), fail_on=opts["fail_on"])
    emit(FORMATS[opts["fmt"]](report, options), output)
    for fmt, path in extra:
        emit(FORMATS[fmt](report, RenderOptions(color=False, width=100,
                                                fail_on=opts["fail_on"])), path)
        if not quiet:
            say(f"wrote {fmt} report to {path}")
    if verbose:
        for note in report.notes:
            say(f"note: {note}")
    if not quiet and report.suppressed:
        say(f"{len(report.suppressed)} group(s) suppressed by baseline {opts['baseline']}")
    if not quiet and output != "-":
        say(f"wrote {opts['fmt']} report to {output}")
    sys.exit(EXIT_CLEAN if opts["exit_zero"] else exit_code(report, opts["fail_on"]))


def _also(given: tuple[str, ...], output: str) -> list[tuple[str, str]]:
    """``--also FORMAT=FILE`` pairs, checked before the scan: a known format, a file, at
    most one report on stdout."""
    pairs: list[tuple[str, str]] = []
    for item in given:
        fmt, sep, path = item.partition("=")
        if not sep or not path or fmt not in FORMATS:
            raise click.UsageError(f"--also {item}: give FORMAT=FILE with FORMAT one of "
                                   f"{', '.join(sorted(FORMATS))}")
        if path == "-" and (output == "-" or any(p == "-" for _, p in pairs)):
            raise click.UsageError(f"--also {item}: only one report can go to stdout")
        pairs.append((fmt, path))
    return pairs


def _run(exports: list[str], opts: dict[str, Any], verbose: bool) -> Report:
    """Read, scan, apply and update the baseline; the report to render."""
    with user_errors():
        settings = Settings(**{name: opts[name] for name in THRESHOLDS})
        read = ReadOptions(fmt=opts["input_format"], mapping=parse_mapping(opts["mapping"]),
                           encoding=opts["encoding"], on_bad_rows=opts["on_bad_rows"],
                           max_input_bytes=opts["max_input_bytes"],
                           time_format=opts["time_format"], dayfirst=opts["dayfirst"])
        cluster = ClusterOptions(**{name: opts.get(name) for name in DASK_ONLY})
        entries = podbaseline.read_baseline(opts["baseline"]) if opts["baseline"] else []
        with progress(opts["quiet"]) as show:
            timings = Timings(show)
            report = scan_files(exports, settings, engine=opts["engine"], read=read,
                                cluster=cluster, on_stage=timings.hook,
                                on_read=lambda data: _warn_bad_rows(data, opts))
        if verbose:
            say(f"timings: {timings.summary()}")
        if opts["baseline"]:
            report = podbaseline.apply_baseline(report, entries, opts["baseline_tolerance"])
        if opts["update_baseline"]:
            _update(report, opts["update_baseline"], entries, opts)
    return report


#: Options that only the Dask engine reads: the fields of :class:`ClusterOptions`.
DASK_ONLY = tuple(f.name for f in fields(ClusterOptions))


def _warn_bad_rows(data: Any, opts: dict[str, Any]) -> None:
    if opts["on_bad_rows"] == "warn" and podio.bad_rows_note(data):
        say(f"warning: {data.source}: {podio.bad_rows_note(data)}")


def _update(report: Report, path: str, entries: list[Any], opts: dict[str, Any]) -> None:
    previous = podbaseline.read_baseline(path) if Path(path).is_file() else entries
    document = podbaseline.update_baseline(report, previous, opts["baseline_tolerance"])
    emit(podbaseline.dump_baseline(document), path)
    if not opts["quiet"]:
        say(f"wrote baseline of {len(document['entries'])} group(s) to {path}")


@click.command("config")
@config_option(_scan, apply=False)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True,
              help="The settings as a table for people (the config file on stderr), or JSON "
                   "for machines.")
@click.pass_context
def config_command(ctx: click.Context, fmt: str) -> None:
    """Print the settings 'scan' would use here, and where each came from.

    Sources: the config file (--config FILE, else the nearest pod-detect.toml or
    pyproject.toml with [tool.pod-detect] from the working directory upwards) or the
    default. Flags given to 'scan' override both.
    """
    source: podconfig.Source = ctx.meta[CONFIG_META]
    options = settable(scan)
    where = podconfig.origins(options, source)
    in_force = ctx.meta[DEFAULTS_META]
    rows = []
    for key, option in options.items():
        value = in_force[option.name] if option.name in in_force else declared_default(scan, option)
        rows.append((key, list(value) if isinstance(value, tuple) else value, where[key]))
    if fmt == "json":
        document = {"config_file": str(source.path) if source.path else None,
                    "settings": [{"name": n, "value": v, "source": s} for n, v, s in rows]}
        emit(json.dumps(document, indent=2) + "\n", "-")
    else:
        emit(render_settings(rows), "-")
        say(f"config file: {source.path or 'none found'}")


def _sources(ctx: click.Context, source: podconfig.Source) -> str:
    """``"alpha (command line), window (FILE)"``: the settings not left at their default."""
    options = settable(scan)
    given = [key for key, option in options.items()
             if ctx.get_parameter_source(option.name or "") is ParameterSource.COMMANDLINE]
    where = podconfig.origins(options, source, given)
    return ", ".join(f"{k} ({w})" for k, w in where.items() if w != podconfig.DEFAULT) or "-"
