"""docs/cli.md's option tables, generated from the commands themselves.

::

    python -m pod_detect.cli.docs            rewrite the tables of docs/cli.md in place
    python -m pod_detect.cli.docs --check    exit 1, saying which tables, when they are stale
    python -m pod_detect.cli.docs FILE       the same for another file

Every command registered on the ``pod-detect`` group (subcommands of a registered group
too, as ``GROUP SUB``) has one table, between ``<!-- options: NAME -->`` and
``<!-- /options -->``: each option (``--help`` aside) with the values it takes, its
default and its help, as ``pod-detect NAME --help`` gives them. Only the tables are
written; the prose around them is left as it is. A registered command without a table gets
a new section (its usage, the first paragraph of its help and the table) before
``## Exit codes``; a table of a command that is no longer registered is an error, for its
prose to be edited by hand.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

#: The command that rewrites docs/cli.md (the tests' messages say it).
REGENERATE = "python -m pod_detect.cli.docs"
#: The file the tables live in, from the repository's root.
CLI_DOCS = Path("docs") / "cli.md"
BEGIN, END = "<!-- options: {name} -->", "<!-- /options -->"
#: A table: its command's name and its body (the lines between the markers, each marker a
#: line of its own; a marker quoted in the prose is no marker).
BLOCK = re.compile(r"^<!-- options: (?P<name>[^\n>]+?) -->\n(?P<body>.*?)^<!-- /options -->$\n?",
                   re.DOTALL | re.MULTILINE)
MARKERS = re.compile(r"^<!-- (?:options: [^\n>]+?|/options) -->$", re.MULTILINE)
#: Where a section for a command without a table goes (else at the end).
NEW_SECTIONS_BEFORE = "## Exit codes"


class DocsError(Exception):
    """The file's markers cannot be rewritten (unbalanced, or a command that is gone)."""


def commands(group: click.Group | None = None) -> dict[str, click.Command]:
    """Every visible command of ``group`` (``pod-detect`` by default), by its name as typed
    after ``pod-detect``, in the order ``pod-detect --help`` lists them; a group's own
    subcommands follow it as ``GROUP SUB``."""
    if group is None:
        from pod_detect.cli import cli

        group = cli
    found: dict[str, click.Command] = {}
    ctx = click.Context(group, info_name="pod-detect")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        if isinstance(command, click.Group):
            found |= {f"{name} {sub}": c for sub, c in commands(command).items()}
        else:
            found[name] = command
    return found


def documented(command: click.Command) -> list[click.Option]:
    """The options a table lists: every visible option but ``--help``."""
    ctx = click.Context(command)
    helps = {id(option) for option in [command.get_help_option(ctx)] if option is not None}
    return [p for p in command.params
            if isinstance(p, click.Option) and not p.hidden and id(p) not in helps]


def options_table(command: click.Command) -> str:
    """The Markdown table of ``command``'s options, ending in a newline."""
    lines = ["| option | value | default | meaning |", "| --- | --- | --- | --- |"]
    for option in documented(command):
        names = ", ".join(f"`{name}`" for name in [*option.opts, *option.secondary_opts])
        cells = [names, value_of(option), default_of(command, option), help_of(option)]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def help_of(option: click.Option) -> str:
    """The option's help on one line."""
    return " ".join((option.help or "").split())


def value_of(option: click.Option) -> str:
    """What the option takes: its choices, else its metavar or type, with the range a
    number must fall in; nothing for a flag."""
    if option.is_flag or option.count:
        return ""
    kind = option.type
    if isinstance(kind, click.Choice):
        return ", ".join(f"`{choice}`" for choice in kind.choices)
    if option.metavar:
        name = option.metavar
    elif isinstance(kind, click.Path):
        name = "FILE" if not kind.dir_okay else "DIRECTORY" if not kind.file_okay else "PATH"
    elif isinstance(kind, click.IntRange):
        name = "INTEGER"
    elif isinstance(kind, click.FloatRange):
        name = "FLOAT"
    else:
        name = kind.name.upper()
    name = f"{name} ..." if option.multiple else name
    bounds = _bounds(kind)
    return f"{name}, `{bounds}`" if bounds else name


def _bounds(kind: click.ParamType) -> str:
    """``x>=1``, ``0<x<1``: the range of a number type, as ``--help`` writes it."""
    if not isinstance(kind, (click.IntRange, click.FloatRange)):
        return ""
    below = "<" if kind.min_open else "<="
    above = "<" if kind.max_open else "<="
    if kind.min is not None and kind.max is not None:
        return f"{kind.min}{below}x{above}{kind.max}"
    if kind.min is not None:
        return f"x{'>' if kind.min_open else '>='}{kind.min}"
    return f"x{above}{kind.max}" if kind.max is not None else ""


def default_of(command: click.Command, option: click.Option) -> str:
    """The option's default as the command receives it, in code; ``required`` for a
    required option; nothing when it has none (its help says what happens then)."""
    from pod_detect.cli.options import declared_default

    if option.required:
        return "required"
    if isinstance(option.show_default, str):
        return option.show_default
    value: Any = declared_default(command, option)
    if value is None or value is False or value == () or value == "":
        return ""
    if value is True:
        return "on"
    if isinstance(value, (list, tuple)):
        return ", ".join(f"`{v}`" for v in value)
    return f"`{value}`"


def _cell(text: str) -> str:
    """Text safe in a table cell: a ``|`` escaped, a line break a space."""
    return " ".join(text.split()).replace("|", "\\|")


def block(name: str, command: click.Command) -> str:
    """The markers and the table between them."""
    return f"{BEGIN.format(name=name)}\n{options_table(command)}{END}\n"


def section(name: str, command: click.Command) -> str:
    """A new section for a command the file has no table for."""
    ctx = click.Context(command, info_name=name)
    usage = " ".join(["pod-detect", name, *(piece for piece in command.collect_usage_pieces(ctx)
                                             if piece != "[OPTIONS]")])
    first = inspect.cleandoc(command.help or "").split("\n\n")[0]
    prose = textwrap.fill(" ".join(first.split()), width=95, break_long_words=False,
                          break_on_hyphens=False)
    return f"## `{usage}`\n\n{prose}\n\n{block(name, command)}\n"


def rewrite(text: str, registered: dict[str, click.Command] | None = None) -> str:
    """``text`` (docs/cli.md) with every table generated anew and a section added for each
    registered command that has none.

    Raises
    ------
    DocsError
        For a table of a command that is not registered, a command with two tables, or a
        marker without its pair.
    """
    registered = commands() if registered is None else registered
    found = [match.group("name") for match in BLOCK.finditer(text)]
    if len(MARKERS.findall(text)) != 2 * len(found):
        raise DocsError(f"every '{BEGIN.format(name='NAME')}' needs its '{END}', and only one")
    for name in found:
        if name not in registered:
            raise DocsError(f"a table of options for {name!r}, which is not a command of "
                            f"pod-detect: remove its section (or its markers) by hand")
        if found.count(name) > 1:
            raise DocsError(f"two tables of options for {name!r}")
    out = BLOCK.sub(lambda match: block(match.group("name"), registered[match.group("name")]),
                    text)
    missing = "".join(section(name, command) for name, command in registered.items()
                      if name not in found)
    if missing:
        at = out.find(f"\n{NEW_SECTIONS_BEFORE}\n")
        out = (out[:at + 1] + missing + out[at + 1:] if at >= 0
               else out.rstrip("\n") + "\n\n" + missing.rstrip("\n") + "\n")
    return out


def stale(text: str, registered: dict[str, click.Command] | None = None) -> list[str]:
    """The commands whose table in ``text`` is missing or differs from their options."""
    registered = commands() if registered is None else registered
    tables = {m.group("name"): m.group("body") for m in BLOCK.finditer(text)}
    return [name for name, command in registered.items()
            if tables.get(name) != options_table(command)]


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or ``--check``) the tables of docs/cli.md; 0 when done or up to date."""
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=CLI_DOCS,
                        help=f"the Markdown file (default: {CLI_DOCS})")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a table is out of date")
    args = parser.parse_args(argv)
    path: Path = args.file
    try:
        text = path.read_text(encoding="utf-8")
        new = rewrite(text)
    except (OSError, DocsError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            names = ", ".join(stale(text)) or "the markers"
            print(f"{path} is out of date with the commands' options ({names}); regenerate "
                  f"it: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
