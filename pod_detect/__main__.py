"""``python -m pod_detect``, and the console script's entry (:func:`run`).

The command line's libraries take about half a second to import; an interrupt (Ctrl-C) in
that time used to end in a traceback from the import machinery. :func:`run` imports them
itself, so that an interrupt then ends like one later: one line on stderr, exit code 130.
"""

from __future__ import annotations

import contextlib
import os
import sys

#: The exit code of an interrupted run (``pod_detect.cli.common.EXIT_INTERRUPTED``; not
#: imported from there, which is what may be interrupted).
INTERRUPTED = 130


def run() -> None:
    """Import the command line and run it; an interrupt while importing exits 130."""
    if sys.stderr is None:  # 2>&-: messages are lost, but libraries that write to stderr
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115  (numpy 2.0's f2py, on import) must not fail
    try:
        from pod_detect.cli import main
    except KeyboardInterrupt:
        with contextlib.suppress(OSError):
            sys.stderr.write("pod-detect: interrupted\n")
            sys.stderr.flush()
        # Not sys.exit: an interrupt that escaped an eval() inside a library's import (seen:
        # collections.namedtuple under pyarrow's) leaves the interpreter marked as killed by
        # Ctrl-C, and it then ends by re-raising the signal (exit -2, not 130) however the
        # exception was handled. Nothing has been written or started yet that needs the
        # interpreter's own shutdown.
        os._exit(INTERRUPTED)
    main()


if __name__ == "__main__":
    run()
