"""Configuration files: ``pod-detect.toml`` or ``[tool.pod-detect]`` in ``pyproject.toml``.

Keys are the long option names of ``pod-detect scan`` with dashes or underscores
(``min-posts`` or ``min_posts``). The file is found from the working directory upwards: the
nearest directory with either file wins, and in one directory ``pod-detect.toml`` comes before
``pyproject.toml`` (a ``pyproject.toml`` without a ``[tool.pod-detect]`` table is skipped).
This module finds, reads and checks the names; the command line checks the types.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pod_detect.errors import ConfigError

CONFIG_NAME = "pod-detect.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "pod-detect"

#: Where a setting came from when it is neither from a file nor the command line.
DEFAULT = "default"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Source:
    """A configuration file and the settings it holds (keys normalised to underscores)."""

    path: Path | None
    values: dict[str, Any]


def _table(path: Path) -> dict[str, Any] | None:
    """The pod-detect table of ``path``, or ``None`` for a pyproject.toml without one."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deep to be a settings file") from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None
    if path.name != PYPROJECT:
        return document
    table = document.get("tool", {}).get(TOOL_TABLE)
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TOOL_TABLE}] must be a table")
    return table


def discover(start: Path | None = None) -> Path | None:
    """The nearest configuration file from ``start`` (the working directory) upwards."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / CONFIG_NAME).is_file():
            return directory / CONFIG_NAME
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _table(pyproject) is not None:
            return pyproject
    return None


def normalise(values: dict[str, Any], known: Iterable[str], path: Path) -> dict[str, Any]:
    """Keys with underscores; :class:`ConfigError` naming ``path`` for unknown or repeated keys."""
    names = set(known)
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name not in names:
            raise ConfigError(f"{path}: unknown key {key!r} (known: {', '.join(sorted(names))})")
        if name in out:
            raise ConfigError(f"{path}: key {key!r} given twice")
        out[name] = value
    return out


def load(path: str | Path | None, known: Iterable[str], start: Path | None = None) -> Source:
    """Read ``path``, or the discovered file when ``path`` is ``None``; no file -> empty.

    Parameters
    ----------
    path
        A file named with ``--config``; ``None`` to search from ``start`` upwards.
    known
        The setting names a file may hold (underscored).
    start
        Where the search begins; the working directory by default.

    Returns
    -------
    Source
        The file (``None`` when there is none) and its settings.
    """
    found = Path(path) if path is not None else discover(start)
    if found is None:
        return Source(None, {})
    table = _table(found)
    if table is None and path is not None:
        raise ConfigError(f"{found}: no [tool.{TOOL_TABLE}] table")
    return Source(found, normalise(table or {}, known, found))


def origins(
    names: Iterable[str], source: Source, given: Iterable[str] = ()
) -> dict[str, str]:
    """Where each setting in ``names`` came from: command line, the file, or default."""
    flags = set(given)
    out = {}
    for name in names:
        if name in flags:
            out[name] = COMMAND_LINE
        elif name in source.values:
            out[name] = str(source.path)
        else:
            out[name] = DEFAULT
    return out
