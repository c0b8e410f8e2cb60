"""The command line: click commands, shared options, errors -> exit codes. Nothing else.

``pod_detect.cli:main`` is the console script; ``cli`` is the click group.
"""

from __future__ import annotations

import os
import sys

import click

from pod_detect import __version__
from pod_detect.cli import _env  # noqa: F401  (before anything imports numpy)
from pod_detect.cli.common import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    InputProblem,
    reader_gone,
    tell,
)
from pod_detect.cli.explain import explain
from pod_detect.cli.pairs import pairs
from pod_detect.cli.scan import config_command, scan
from pod_detect.cli.simulate import evaluate, simulate
from pod_detect.text import visible


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pod-detect")
def cli() -> None:
    """Find engagement pods, like-farms and coordinated engagement in interaction exports.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 usage, input or config error, 3 internal error, 130 interrupted.
    """


for _command in (scan, explain, simulate, evaluate, config_command, pairs):
    cli.add_command(_command)


#: Memory advice when a step other than reading runs out of memory.
OUT_OF_MEMORY = (
    "out of memory; what helps: keep only the columns pod-detect reads (actor, author, "
    "post_id, timestamp, post_time, kind, text), convert the export to Parquet, or scan it "
    "with --engine dask (pip install 'pod-detect[dask]')"
)


def main() -> None:
    """Console-script entry point: exit codes, a quiet end under ``| head``, and one line
    (exit 3) instead of a traceback for an unexpected error (``POD_DETECT_DEBUG=1`` re-raises).
    """
    try:
        _main()
    except SystemExit:
        raise
    except MemoryError:
        tell(f"pod-detect: error: {OUT_OF_MEMORY}")
        sys.exit(EXIT_ERROR)
    except Exception as error:
        if os.environ.get("POD_DETECT_DEBUG", "") not in ("", "0"):
            raise
        message = visible(" ".join(str(error).split()))
        tell(f"pod-detect: internal error: {type(error).__name__}: {message} (please "
             "report; run with POD_DETECT_DEBUG=1 for the traceback)")
        sys.exit(EXIT_INTERNAL)


def _main() -> None:
    try:
        try:
            cli.main(prog_name="pod-detect", standalone_mode=False)
        finally:
            _flush_stdout()
    except click.exceptions.Abort:
        tell("pod-detect: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_ERROR if error.exit_code == 1 else error.exit_code)
    except BrokenPipeError:
        reader_gone()
        sys.exit(EXIT_CLEAN)
    except KeyboardInterrupt:
        tell("pod-detect: interrupted")
        sys.exit(EXIT_INTERRUPTED)


def _flush_stdout() -> None:
    """Flush stdout if there is one (``>&-`` closes it: Python's ``sys.stdout`` is None)."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError:
        reader_gone()  # already said (emit); the buffer must not fail again at exit


__all__ = ["EXIT_ERROR", "InputProblem", "cli", "main"]
