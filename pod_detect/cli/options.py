"""Shared option decorators of ``scan`` (and ``config``, which lists the same settings)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pod_detect import io as podio
from pod_detect.cli.common import InputProblem, user_errors
from pod_detect.formats import FORMATS
from pod_detect.model import SEVERITIES
from pod_detect.settings import Settings
from pod_detect.settings import files as podconfig

F = TypeVar("F", bound=Callable[..., Any])

#: Options a configuration file may not set.
NOT_SETTABLE = {"config", "help"}
CONFIG_META = "pod_detect.settings.files"
DEFAULTS_META = "pod_detect.config_defaults"


def _apply(command: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        command = option(command)
    return command


#: What --input-format accepts: flat formats, then platforms.
INPUT_FORMATS = (*podio.FORMATS, *podio.PLATFORMS)


def input_options(command: F) -> F:
    """Options every command that reads an export shares."""
    return _apply(command, [
        click.option("--map", "mapping", multiple=True, metavar="CANONICAL=COLUMN",
                     help="Read COLUMN as the canonical column (actor, author, post_id, kind, "
                          "timestamp, post_time, text); a dotted COLUMN is a field inside "
                          "nested JSON or Parquet (commit.record.subject.uri). Repeatable; "
                          "turns platform recognition off."),
        click.option("--input-format", type=click.Choice(INPUT_FORMATS), default=None,
                     help="A platform's export (read by its adapter, docs/inputs.md) or a "
                          "flat table's format. Default: the platform its first records are "
                          "recognised as, else a flat table by the file name or its bytes."),
        click.option("--time-format", default=None, metavar="STRPTIME",
                     help="The form of every time value, as strptime writes it, e.g. "
                          "'%d/%m/%Y %H:%M' (no zone: UTC). Default: recognised (ISO 8601, "
                          "RFC 2822, epoch numbers, Excel serial days, numeric dates)."),
        click.option("--dayfirst", is_flag=True,
                     help="Read numeric dates such as 01/03/2026 day first (1 March)."),
        click.option("--encoding", default="utf-8", show_default=True,
                     help="Text encoding of CSV/TSV/JSON input."),
        click.option("--on-bad-rows", type=click.Choice(podio.ON_BAD_ROWS), default="error",
                     show_default=True,
                     help="Rows that fail (ragged, blank actor, unreadable time, a post with "
                          "two authors, a JSON item that is not an object): stop with an "
                          "error, skip them (counted in the report), or skip them and warn on "
                          "stderr (docs/bad-input.md)."),
        click.option("--max-input-bytes", type=BYTES, default=None, metavar="SIZE",
                     help="Largest export read, after decompression (e.g. 500M, 8G: powers "
                          "of 1024); a larger one, or a gzip/zstd file that expands past it, "
                          "is an error. Default: half this machine's memory."),
    ])


class ByteSize(click.ParamType):
    """A number of bytes: ``1048576``, ``512K``, ``500M``, ``8G``, ``1T`` (powers of 1024)."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    #: A number, then an optional unit, then an optional ``B`` or ``iB`` (``8G``, ``8GiB``).
    _FORM = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([KMGT]?)(?:I?B)?\s*")

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        found = self._FORM.fullmatch(str(value).upper())
        if found is None:
            self.fail(f"{value!r} is not a size (a number of bytes, or with K, M, G or T)",
                      param, ctx)
        size = float(found.group(1)) * self._UNITS[found.group(2)]
        if size < 1:
            self.fail(f"{value!r} must be at least one byte", param, ctx)
        return int(size)


BYTES = ByteSize()


def engine_options(command: F) -> F:
    """Which engine holds the rows: pandas in this process, or Dask (docs/dask.md)."""
    return _apply(command, [
        click.option("--engine", type=click.Choice(["pandas", "dask"]), default="pandas",
                     show_default=True,
                     help="pandas: one export in this process's memory. dask: many files "
                          "(globs, directories, Parquet datasets) reduced on a Dask cluster, "
                          "for exports larger than memory (pip install 'pod-detect[dask]')."),
        click.option("--scheduler", metavar="ADDRESS", default=None,
                     help="With --engine dask: the scheduler of an existing cluster "
                          "(tcp://host:8786); by default a local cluster sized to this "
                          "machine."),
        click.option("--workers", type=click.IntRange(min=1), default=None,
                     help="With --engine dask and no --scheduler: local worker processes "
                          "(default: one per core)."),
        click.option("--worker-memory", metavar="SIZE", default=None,
                     help="With --engine dask and no --scheduler: memory limit of each local "
                          "worker, e.g. 1GB (default: this machine's memory shared out)."),
        click.option("--scratch", type=click.Path(file_okay=False), default=None,
                     help="With --engine dask: a directory every worker sees, where the "
                          "canonical rows are written once as Parquet (default: a temporary "
                          "directory for a local cluster; the cluster's memory with "
                          "--scheduler)."),
    ])


def threshold_options(command: F) -> F:
    """Detector thresholds; defaults as in :class:`pod_detect.settings.Settings`."""
    d = Settings()
    return _apply(command, [
        click.option("--min-posts", type=click.IntRange(min=1), default=d.min_posts,
                     show_default=True,
                     help="Posts one account must engage of another's, each way, to count."),
        click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                     default=d.alpha, show_default=True,
                     help="Significance level of the null models."),
        click.option("--min-group-size", type=click.IntRange(min=2), default=d.min_group_size,
                     show_default=True, help="Smallest group reported."),
        click.option("--clique-budget", type=click.IntRange(min=1), default=d.clique_budget,
                     show_default=True,
                     help="Maximal cliques enumerated at most (bounds the worst case); the "
                          "report says when it was hit."),
        click.option("--window", type=click.FloatRange(min=0), default=d.window,
                     help="Seconds within which two engagements of a post are co-engagement "
                          "(default: each pair tested at 1 minute, 15 minutes, 1 day and "
                          "1 week, keeping its most significant)."),
        click.option("--min-coengaged", type=click.IntRange(min=1), default=d.min_coengaged,
                     show_default=True,
                     help="Posts two accounts must co-engage before the pair counts."),
        click.option("--inflating", type=click.Choice(list(SEVERITIES)), default=d.inflating,
                     show_default=True,
                     help="Lowest severity of a group whose engagement the per-author and "
                          "per-post figures count as inauthentic."),
    ])


def output_options(command: F) -> F:
    """Format, destination, colour and verbosity of a report."""
    return _apply(command, [
        click.option("-f", "--format", "fmt", type=click.Choice(sorted(FORMATS)),
                     default="table", show_default=True,
                     help="Report format: table (for people), json (docs/report-schema.md), "
                          "ndjson, csv (a row per flagged account), csv-authors (a row per "
                          "inflated author), markdown, sarif, junit, github (workflow "
                          "annotations) or html."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
                     default="-", help="Write the report here instead of stdout (- is stdout)."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True,
                     help="Colour in table output; auto honours NO_COLOR and FORCE_COLOR."),
        click.option("-q", "--quiet", is_flag=True, help="No progress or messages on stderr."),
        click.option("-v", "--verbose", is_flag=True,
                     help="On stderr: the config file, the settings not at their default and "
                          "where each came from, seconds per stage, the report's notes."),
    ])


def gate_options(command: F) -> F:
    """Exit-code policy and baselines (what a CI job fails on)."""
    return _apply(command, [
        click.option("--fail-on", type=click.Choice([*SEVERITIES, "never"]), default="medium",
                     show_default=True,
                     help="Exit 1 when a group at or above this severity is found (never: "
                          "not for any group)."),
        click.option("--exit-zero", is_flag=True,
                     help="Exit 0 even with findings (errors still exit 2)."),
        click.option("--baseline", type=click.Path(dir_okay=False), default=None,
                     help="Suppress the groups accepted in this baseline file (docs/cli.md, "
                          "Baselines)."),
        click.option("--baseline-tolerance", type=click.FloatRange(0, 1, min_open=True),
                     default=0.7, show_default=True,
                     help="Member-set Jaccard overlap at which a group matches an entry."),
        click.option("--update-baseline", type=click.Path(dir_okay=False), default=None,
                     help="Write a baseline accepting every group found, at every severity, "
                          "to this file (docs/cli.md, Baselines)."),
    ])


def settable(command: click.Command) -> dict[str, click.Option]:
    """Options of ``command`` a config file may set, by underscored long name."""
    out = {}
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in NOT_SETTABLE:
            long = next(o for o in param.opts if o.startswith("--"))
            out[long[2:].replace("-", "_")] = param
    return out


def declared_default(command: click.Command, option: click.Option) -> Any:
    """What ``option`` of ``command`` takes when neither a flag nor a file sets it.

    Asked of click itself, not read off ``option.default``: since click 8.3 an option
    declared without a default holds the ``UNSET`` sentinel there (flags included), and
    only ``get_default`` turns it into the value the command receives (``False`` for a
    flag). A repeatable option left unset receives an empty tuple.
    """
    value = option.get_default(click.Context(command))
    if option.multiple:
        return tuple(value) if isinstance(value, (list, tuple)) else ()
    return value


def cast(ctx: click.Context, source: podconfig.Source, key: str, param: click.Option) -> Any:
    """The file's value of ``key`` as the option's type; exit 2 naming file and key."""
    value = source.values[key]
    try:
        if isinstance(value, bool) != bool(param.is_flag) or isinstance(value, dict):
            raise click.BadParameter(f"{value!r} is not a valid value")
        return param.type_cast_value(ctx, value)
    except click.BadParameter as error:
        raise InputProblem(f"{source.path}: key {key!r}: {error.message}") from None


def config_option(target: Callable[[], click.Command], apply: bool = True) -> Callable[[F], F]:
    """``--config FILE``: read it (or the discovered file) into ``ctx.default_map`` first.

    ``target`` gives the command whose options the file sets (``scan``); with ``apply``
    false the values only go to ``ctx.meta`` (for ``pod-detect config``).
    """

    def load(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if ctx.resilient_parsing:
            return value
        options = settable(target())
        with user_errors():
            source = podconfig.load(value, options)
        defaults = {options[k].name: cast(ctx, source, k, options[k]) for k in source.values}
        if apply:
            ctx.default_map = {**(ctx.default_map or {}), **defaults}
        ctx.meta[CONFIG_META], ctx.meta[DEFAULTS_META] = source, defaults
        return value

    return click.option(
        "--config", type=click.Path(dir_okay=False), default=None, is_eager=True,
        expose_value=False, callback=load,
        help="Settings file (pod-detect.toml or pyproject.toml [tool.pod-detect]); by "
             "default the nearest one from the working directory upwards.",
    )
