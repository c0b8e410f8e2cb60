"""Run the test suite against the oldest release of every dependency pyproject.toml allows.

The lower bounds in ``pyproject.toml`` are a promise: ``pandas>=2.2`` says the code works on
pandas 2.2.0. This script keeps the promise honest. It reads every ``name>=X`` bound (the
runtime dependencies and the ``dask`` and ``dev`` extras), pins each to exactly ``X`` in a
constraints file, installs the project into a fresh virtual environment with it, and runs
the README's test command there.

    python .ci/oldest.py                 # a throwaway venv in a temporary folder
    python .ci/oldest.py --venv DIR      # keep (or reuse) the venv in DIR
    python .ci/oldest.py --print         # only print the constraints it would use

A bound whose release cannot be installed (yanked, or no wheel for this Python) fails the
run: raise the bound in pyproject.toml to the oldest release that installs and passes.
Exit code: pytest's, or 2 when the environment cannot be built.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("dask", "dev")
# A requirement "name[extras]>=1.2,<3" -> ("name", "1.2"); self-references are skipped.
_LOWER = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def lower_bounds(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """``{name: oldest allowed version}`` for every ``>=`` bound of the project."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in EXTRAS:
        requirements += project["optional-dependencies"].get(extra, [])
    bounds: dict[str, str] = {}
    for requirement in requirements:
        match = _LOWER.match(requirement.split(";")[0])
        if match is None or match.group(1) == project["name"]:
            continue
        for clause in match.group(2).split(","):
            clause = clause.strip()
            if clause.startswith(">="):
                bounds[match.group(1)] = clause[2:].strip()
    return bounds


def constraints(bounds: dict[str, str]) -> str:
    """The constraints file pinning each dependency at its lower bound."""
    return "".join(f"{name}=={version}\n" for name, version in sorted(bounds.items()))


def run(command: list[str], cwd: Path = ROOT) -> int:
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    return subprocess.call(command, cwd=cwd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="build (or reuse) the venv here")
    parser.add_argument("--print", action="store_true", help="print the constraints and stop")
    args = parser.parse_args(argv)
    pins = constraints(lower_bounds())
    if args.print:
        sys.stdout.write(pins)
        return 0
    with tempfile.TemporaryDirectory(prefix="pod-detect-oldest-") as scratch:
        venv = args.venv or Path(scratch) / "venv"
        pinned = Path(scratch) / "oldest.txt"
        pinned.write_text(pins, encoding="utf-8")
        python = venv / "bin" / "python"
        if not python.exists() and run([sys.executable, "-m", "venv", str(venv)]) != 0:
            return 2
        # README: pip install -e '.[dev]' && python -m pytest, with every bound at its floor.
        if run([str(python), "-m", "pip", "install", "-q", "-c", str(pinned),
                "-e", ".[dev]"]) != 0:
            print("oldest.py: the lower bounds do not install together (see above)",
                  file=sys.stderr)
            return 2
        run([str(python), "-m", "pip", "freeze", "--exclude-editable"])
        return run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"])


if __name__ == "__main__":
    sys.exit(main())
