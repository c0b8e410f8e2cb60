"""What every command shares: exit codes, errors, output, colour and progress on stderr."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from pod_detect.errors import PodDetectError
from pod_detect.model import SEVERITIES, Report
from pod_detect.text import visible

#: Exit codes (docs/cli.md): the contract CI jobs rely on.
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class InputProblem(click.ClickException):
    """A usage, input or config problem: one line on stderr, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        tell(f"pod-detect: error: {visible(self.format_message())}")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the core's errors into :class:`InputProblem`."""
    try:
        yield
    except PodDetectError as error:
        raise InputProblem(str(error)) from None
    except BrokenPipeError:
        raise  # the reader of stdout went away: main() ends quietly
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise InputProblem(f"{where}{error.strerror or error}") from None


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("actor=liker", ...)`` -> ``{"actor": "liker", ...}``; a usage error otherwise."""
    mapping = {}
    for pair in pairs:
        canonical, sep, theirs = pair.partition("=")
        if not sep or not canonical.strip() or not theirs.strip():
            raise click.BadParameter(f"{pair!r} is not CANONICAL=COLUMN", param_hint="--map")
        mapping[canonical.strip()] = theirs.strip()
    return mapping


def use_color(choice: str, output: str) -> bool:
    """Colour or not: the flag first, then ``NO_COLOR``, ``FORCE_COLOR``, a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output == "-" and sys.stdout is not None and sys.stdout.isatty()


def emit(text: str, output: str) -> None:
    """Write ``text`` to stdout (``-``) or a file, the same bytes either way: the renderers
    decide about colour, and untrusted text reaches them with its control characters
    escaped, so nothing is stripped here."""
    if output == "-":
        if sys.stdout is None:
            raise InputProblem("stdout is closed; write the report with -o FILE")
        try:
            click.echo(text, nl=False, color=True)
            sys.stdout.flush()
        except BrokenPipeError:
            reader_gone()
        except OSError as error:  # a full disk, /dev/full, a closed descriptor
            reader_gone()  # what is left in the buffer must not fail again at exit
            raise InputProblem(f"cannot write the report to stdout: "
                               f"{error.strerror or error}; -o FILE writes it to a file") from None
        return
    with user_errors():
        write_replacing(output, lambda handle: handle.write(text))


def write_replacing(path: str, write: Callable[[Any], Any], binary: bool = False) -> None:
    """Write a file so that a failure (a full disk, an interrupted run, an unwritable
    value) never leaves a truncated file or destroys the one that was there: ``write`` fills
    a temporary file beside ``path``, which then replaces it in one rename, keeping the old
    file's permissions. A path that is not a regular file (``/dev/stdout``, a FIFO) is
    written directly: renaming onto it would replace the device itself."""
    target = Path(path)
    mode = "wb" if binary else "w"
    text_args: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": ""}
    if target.exists() and not target.is_file():
        with open(target, mode, **text_args) as handle:
            write(handle)
        return
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed below, renamed or removed)
        mode, dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False,
        **text_args)
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _mode_for(target))
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def _mode_for(target: Path) -> int:
    """The old file's permissions, or what a new file gets under the umask."""
    if target.exists():
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def reader_gone() -> None:
    """The reader of stdout went away (``| head``): drop the rest of the output quietly.

    stdout is pointed at devnull so that later writes and the interpreter's final flush
    do not complain; the command goes on to its usual exit code.
    """
    if sys.stdout is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def say(message: str) -> None:
    """One message line on stderr."""
    tell(f"pod-detect: {visible(message)}")


def tell(line: str) -> None:
    """Write one line on stderr, if there is a stderr: with it closed (``2>&-``) or gone,
    the message is lost and the run goes on to its usual exit code."""
    with contextlib.suppress(OSError):
        click.echo(line, err=True)


@contextmanager
def progress(quiet: bool) -> Iterator[Callable[[str], None]]:
    """A rich status line on stderr while work runs; silent when quiet or not a terminal."""
    if quiet or sys.stderr is None or not sys.stderr.isatty():
        yield lambda stage: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("reading") as status:
        yield lambda stage: status.update(f"{stage}")


class Timings:
    """Seconds spent in each stage, told through :meth:`hook` (for ``--verbose``)."""

    def __init__(self, show: Callable[[str], None]) -> None:
        self.show = show
        self.marks: list[tuple[str, float]] = []

    def hook(self, stage: str) -> None:
        self.marks.append((stage, time.perf_counter()))
        self.show(stage)

    def summary(self) -> str:
        """``"read 0.12s, reduce 0.40s, ..."`` up to now."""
        ends = [t for _, t in self.marks[1:]] + [time.perf_counter()]
        spent: dict[str, float] = {}
        for (name, start), end in zip(self.marks, ends, strict=True):
            spent[name] = spent.get(name, 0.0) + end - start
        return ", ".join(f"{name} {seconds:.2f}s" for name, seconds in spent.items())


def exit_code(report: Report, fail_on: str) -> int:
    """1 when a group at or above ``fail_on`` was reported, else 0."""
    if fail_on == "never":
        return EXIT_CLEAN
    floor = SEVERITIES.index(fail_on)
    hit = any(SEVERITIES.index(g.severity) >= floor for g in report.groups)
    return EXIT_FINDINGS if hit else EXIT_CLEAN


def read_json(path: str) -> Any:
    """A JSON document from ``path`` (``-`` for stdin); :class:`InputProblem` otherwise."""
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
    except UnicodeDecodeError as error:
        raise InputProblem(f"{path}: not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise InputProblem(f"{path}: nested too deep to be a pod-detect document") from None
    except OSError as error:
        raise InputProblem(f"{path}: {error.strerror}") from None
