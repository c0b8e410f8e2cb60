"""The command line: click commands, shared options, errors -> exit codes. Nothing else."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from pod_detect import __version__
from pod_detect import io as podio
from pod_detect.errors import PodDetectError
from pod_detect.formats import FORMATS, RenderOptions
from pod_detect.model import SEVERITIES, Report
from pod_detect.pipeline import scan as run_scan
from pod_detect.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes (docs/cli.md): the contract CI jobs rely on.
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class InputProblem(click.ClickException):
    """A usage, input or config problem: one line on stderr, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"pod-detect: error: {self.format_message()}", err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the core's errors into :class:`InputProblem`."""
    try:
        yield
    except PodDetectError as error:
        raise InputProblem(str(error)) from None
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise InputProblem(f"{where}{error.strerror or error}") from None


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        canonical, sep, theirs = pair.partition("=")
        if not sep or not canonical.strip() or not theirs.strip():
            raise click.BadParameter(f"{pair!r} is not CANONICAL=COLUMN", param_hint="--map")
        mapping[canonical.strip()] = theirs.strip()
    return mapping


def input_options(command: F) -> F:
    """Options every command that reads an export shares."""
    for option in reversed([
        click.option("--map", "mapping", multiple=True, metavar="CANONICAL=COLUMN",
                     help="Read COLUMN as the canonical column (actor, author, post_id, kind, "
                          "timestamp, post_time, text). Repeatable."),
        click.option("--input-format", type=click.Choice(podio.FORMATS), default=None,
                     help="Input format; by default from the file name, else sniffed."),
        click.option("--encoding", default="utf-8", show_default=True,
                     help="Text encoding of CSV/TSV/JSON input."),
    ]):
        command = option(command)
    return command


def threshold_options(command: F) -> F:
    """Detector thresholds; defaults as in :class:`pod_detect.settings.Settings`."""
    defaults = Settings()
    for option in reversed([
        click.option("--min-posts", type=click.IntRange(min=1), default=defaults.min_posts,
                     show_default=True,
                     help="Posts one account must engage of another's, each way, to count."),
        click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True),
                     default=defaults.alpha, show_default=True,
                     help="Significance level of the null models."),
        click.option("--min-group-size", type=click.IntRange(min=2),
                     default=defaults.min_group_size, show_default=True,
                     help="Smallest group reported."),
        click.option("--clique-budget", type=click.IntRange(min=1),
                     default=defaults.clique_budget, show_default=True,
                     help="Cliques enumerated at most (bounds the worst case)."),
        click.option("--window", type=click.FloatRange(min=0), default=defaults.window,
                     show_default=True,
                     help="Seconds within which two engagements of a post are co-engagement."),
        click.option("--min-coengaged", type=click.IntRange(min=1),
                     default=defaults.min_coengaged, show_default=True,
                     help="Posts two accounts must co-engage before the pair counts."),
    ]):
        command = option(command)
    return command


def output_options(command: F) -> F:
    """Format, destination and colour of a report."""
    for option in reversed([
        click.option("-f", "--format", "fmt", type=click.Choice(sorted(FORMATS)),
                     default="table", show_default=True, help="Report format."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
                     default="-", help="Write the report here instead of stdout."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True, help="Colour in table output (NO_COLOR is honoured)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress or messages on stderr."),
    ]):
        command = option(command)
    return command


def use_color(choice: str, output: str) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output == "-" and sys.stdout.isatty()


def emit(text: str, output: str) -> None:
    """Write ``text`` to stdout (``-``) or a file."""
    if output == "-":
        click.echo(text, nl=False)
        return
    with user_errors(), open(output, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


@contextmanager
def progress(quiet: bool) -> Iterator[Callable[[str], None]]:
    """A rich status line on stderr while work runs; silent when quiet or not a terminal."""
    if quiet or not sys.stderr.isatty():
        yield lambda stage: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("reading") as status:
        yield lambda stage: status.update(f"{stage}")


def exit_code(report: Report, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_CLEAN
    floor = SEVERITIES.index(fail_on)
    hit = any(SEVERITIES.index(g.severity) >= floor for g in report.groups)
    return EXIT_FINDINGS if hit else EXIT_CLEAN


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pod-detect")
def cli() -> None:
    """Find engagement pods, like-farms and coordinated engagement in interaction exports.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 usage or input error, 130 interrupted.
    """


@cli.command()
@click.argument("export", type=click.Path(dir_okay=False, allow_dash=True))
@input_options
@threshold_options
@output_options
@click.option("--fail-on", type=click.Choice([*SEVERITIES, "never"]), default="medium",
              show_default=True, help="Exit 1 when a group at or above this severity is found.")
def scan(export: str, mapping: tuple[str, ...], input_format: str | None, encoding: str,
         min_posts: int, alpha: float, min_group_size: int, clique_budget: int, window: float,
         min_coengaged: int, fmt: str, output: str, color: str, quiet: bool,
         fail_on: str) -> None:
    """Scan EXPORT (CSV, TSV, JSON, JSON Lines or Parquet, optionally .gz; - for stdin).

    \b
    Examples:
      pod-detect scan export.csv
      pod-detect scan export.csv --format json -o report.json
      cat export.jsonl | pod-detect scan - --map actor=liker --fail-on high
    """
    columns = parse_mapping(mapping)
    with user_errors():
        settings = Settings(min_posts=min_posts, alpha=alpha, min_group_size=min_group_size,
                            clique_budget=clique_budget, window=window,
                            min_coengaged=min_coengaged)
        with progress(quiet) as stage:
            data = podio.load(export, fmt=input_format, mapping=columns, encoding=encoding)
            report = run_scan(data, settings, on_stage=stage)
    width = shutil.get_terminal_size((100, 24)).columns if output == "-" else 100
    options = RenderOptions(color=use_color(color, output), width=max(width, 60))
    emit(FORMATS[fmt](report, options), output)
    if not quiet and output != "-":
        click.echo(f"pod-detect: wrote {fmt} report to {output}", err=True)
    sys.exit(exit_code(report, fail_on))


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
    """One option per :class:`~pod_detect.simulate.SimConfig` field, help from its docstring."""
    from dataclasses import fields

    from pod_detect.simulate import SimConfig

    helps = _field_help(SimConfig.__doc__ or "")
    for f in reversed(fields(SimConfig)):
        default = getattr(SimConfig(), f.name)
        flag = "--" + f.name.replace("_", "-")
        text = helps.get(f.name, "")
        if isinstance(default, bool):
            option = click.option(flag, f.name, is_flag=True, default=None, help=text)
        elif isinstance(default, tuple):
            option = click.option(flag, f.name, default=None, metavar="LOW-HIGH",
                                  help=f"{text} [default: {default[0]}-{default[1]}]")
        else:
            option = click.option(flag, f.name, type=type(default), default=None,
                                  help=f"{text} [default: {default}]")
        command = option(command)
    return command


@cli.command()
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
        podio.write_table(sim.frame, output, fmt)
        if truth:
            emit(truth_json(sim), truth)
    click.echo(
        f"pod-detect: simulated {len(sim.frame):,} rows, "
        f"{sum(g['label'] != 'negative' for g in sim.truth['groups'])} planted groups",
        err=True,
    )


@cli.command()
@click.argument("report", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--truth", type=click.Path(dir_okay=False, exists=True), required=True,
              help="The truth file written by 'pod-detect simulate --truth'.")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default="medium",
              show_default=True, help="Count reported groups at or above this severity.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="A table for people, JSON for machines.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write here instead of stdout.")
def evaluate(report: str, truth: str, min_severity: str, fmt: str, output: str) -> None:
    """Score a JSON REPORT (from 'scan --format json') against a simulation's truth.

    Account-level precision, recall and F1; per planted group the best-matching reported
    group and its Jaccard overlap; reported groups that match nothing; negatives flagged.
    """
    import json

    from pod_detect.evaluate import evaluate as run_evaluation
    from pod_detect.formats.evaluation import render_evaluation

    with user_errors():
        documents = [_read_json(report), _read_json(truth)]
        result = run_evaluation(documents[0], documents[1], min_severity=min_severity)
    if fmt == "json":
        emit(json.dumps(result.to_dict(), indent=2) + "\n", output)
    else:
        emit(render_evaluation(result, RenderOptions(color=use_color("auto", output))), output)


def _read_json(path: str) -> Any:
    import json

    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise InputProblem(
            f"{path}, line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"
        ) from None
    except OSError as error:
        raise InputProblem(f"{path}: {error.strerror}") from None


def main() -> None:
    """Console-script entry point: exit codes and a quiet end under ``| head``."""
    try:
        cli.main(prog_name="pod-detect", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("pod-detect: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_ERROR if error.exit_code == 1 else error.exit_code)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except KeyboardInterrupt:
        click.echo("pod-detect: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)


def _quiet_broken_pipe() -> None:
    # The reader went away (| head): point stdout at devnull so the interpreter's final
    # flush does not complain, and exit as a Unix filter would.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_CLEAN)
