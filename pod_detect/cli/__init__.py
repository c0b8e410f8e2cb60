"""The command line: click commands, shared options, errors -> exit codes. Nothing else.

``pod_detect.cli:main`` is the console script; ``cli`` is the click group.
"""

from __future__ import annotations

import sys

import click

from pod_detect import __version__
from pod_detect.cli.common import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    InputProblem,
    reader_gone,
)
from pod_detect.cli.scan import config_command, scan
from pod_detect.cli.simulate import evaluate, simulate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pod-detect")
def cli() -> None:
    """Find engagement pods, like-farms and coordinated engagement in interaction exports.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 usage, input or config error, 130 interrupted.
    """


for _command in (scan, simulate, evaluate, config_command):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point: exit codes and a quiet end under ``| head``."""
    try:
        try:
            cli.main(prog_name="pod-detect", standalone_mode=False)
        finally:
            sys.stdout.flush()
    except click.exceptions.Abort:
        click.echo("pod-detect: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_ERROR if error.exit_code == 1 else error.exit_code)
    except BrokenPipeError:
        reader_gone()
        sys.exit(EXIT_CLEAN)
    except KeyboardInterrupt:
        click.echo("pod-detect: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)


__all__ = ["EXIT_ERROR", "InputProblem", "cli", "main"]
