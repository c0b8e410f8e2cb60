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
         min_posts: int, alpha: float, min_group_size: int, clique_budget: int, fmt: str,
         output: str, color: str, quiet: bool, fail_on: str) -> None:
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
                            clique_budget=clique_budget)
        with progress(quiet) as stage:
            data = podio.load(export, fmt=input_format, mapping=columns, encoding=encoding)
            report = run_scan(data, settings, on_stage=stage)
    width = shutil.get_terminal_size((100, 24)).columns if output == "-" else 100
    options = RenderOptions(color=use_color(color, output), width=max(width, 60))
    emit(FORMATS[fmt](report, options), output)
    if not quiet and output != "-":
        click.echo(f"pod-detect: wrote {fmt} report to {output}", err=True)
    sys.exit(exit_code(report, fail_on))


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
