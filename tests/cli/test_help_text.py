"""Every option of every command says, in its own words and briefly, what it does.

The commands are those registered on ``pod-detect`` (a command added later is checked too):
each option has help, no two options of one command share it word for word, and it fits one
cell of docs/cli.md's tables (one paragraph, a sentence or two).
"""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from pod_detect.cli import cli
from pod_detect.cli.docs import commands

#: The longest help that still reads as one line of a table (a sentence or two).
MAX_HELP = 300
#: Sentences at most: a new sentence is a full stop and a capital letter.
MAX_SENTENCES = 3
COMMANDS = commands()


def options(command: click.Command) -> list[click.Option]:
    """Every option ``COMMAND --help`` lists, ``--help`` included."""
    help_option = command.get_help_option(click.Context(command))
    found = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    return found + ([help_option] if help_option is not None else [])


def text(option: click.Option) -> str:
    return " ".join((option.help or "").split())


def cases() -> list[tuple[str, click.Option]]:
    return [(name, option) for name, command in COMMANDS.items() for option in options(command)]


def label(case: object) -> str:
    if isinstance(case, click.Option):
        return "/".join(case.opts)
    return str(case)


def test_every_command_of_the_group_is_checked():
    assert {"scan", "explain", "config", "simulate", "evaluate"} <= set(COMMANDS)
    listed = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMANDS:
        assert re.search(rf"^  {name.split()[0]}\b", listed, re.MULTILINE), name


@pytest.mark.parametrize(("command", "option"), cases(), ids=label)
def test_option_has_help(command, option):
    assert text(option), f"pod-detect {command} {option.opts[-1]}: no help text"


@pytest.mark.parametrize(("command", "option"), cases(), ids=label)
def test_help_fits_one_line_of_the_table(command, option):
    raw, flat = option.help or "", text(option)
    where = f"pod-detect {command} {option.opts[-1]}"
    assert "\n\n" not in raw.strip() and "\b" not in raw, f"{where}: help of several paragraphs"
    assert len(flat) <= MAX_HELP, (
        f"{where}: help of {len(flat)} characters, more than a line of the table "
        f"({MAX_HELP}); say the rest in the docs")
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", flat)
    assert len(sentences) <= MAX_SENTENCES, f"{where}: help of {len(sentences)} sentences"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_two_options_of_a_command_share_their_help(command):
    seen: dict[str, str] = {}
    for option in options(COMMANDS[command]):
        name = "/".join(option.opts)
        assert text(option) not in seen, (
            f"pod-detect {command}: {name} and {seen.get(text(option))} share their help "
            f"{text(option)!r}")
        seen[text(option)] = name


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_lists_every_option(command):
    result = CliRunner().invoke(cli, [*command.split(), "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    listed = " ".join(result.output.split())
    for option in options(COMMANDS[command]):
        assert option.opts[-1] in result.output
        assert text(option)[:40] in listed, option.opts


def test_simulate_options_once_shared_have_their_own_help():
    """The SimConfig docstring describes some fields together; each option says its own."""
    helps = {o.name: text(o) for o in options(COMMANDS["simulate"])}
    for group in (["classic", "window", "slow", "rotating", "camouflage", "likefarm"],
                  ["classic_size", "window_size", "slow_size", "rotating_size",
                   "camouflage_size", "likefarm_size"],
                  ["friends", "coworkers", "fans"], ["friends_size", "coworkers_size"],
                  ["without_timestamps", "without_text", "without_post_ids"]):
        assert len({helps[name] for name in group}) == len(group), group


def test_scan_help_names_the_compressions():
    output = " ".join(CliRunner().invoke(cli, ["scan", "--help"]).output.split())
    assert "gzip" in output and "zstd" in output and ".zst" in output


def test_explain_and_scan_name_the_table_format_alike():
    def choices(name: str) -> list[str]:
        option = next(o for o in COMMANDS[name].params if o.name == "fmt")
        assert isinstance(option.type, click.Choice)
        return [str(c) for c in option.type.choices]

    assert {"table", "json"} <= set(choices("scan")) & set(choices("explain"))
    explain_format = next(o for o in COMMANDS["explain"].params if o.name == "fmt")
    assert explain_format.default == "table"
    assert "rich is an alias" in text(explain_format)


@pytest.fixture(scope="module")
def small_export(tmp_path_factory):
    path = tmp_path_factory.mktemp("explain") / "export.csv"
    rows = ["actor,author,post_id,timestamp"]
    for post in range(6):
        for actor, author in (("ann", "bob"), ("bob", "ann"), ("cid", "ann")):
            rows.append(f"{actor},{author},{author}-{post},2026-03-01T00:{post:02d}:00Z")
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("fmt", ["table", "rich"])
def test_explain_accepts_table_and_its_alias_rich(small_export, fmt):
    result = CliRunner().invoke(cli, ["explain", "ann", str(small_export), "-f", fmt, "-q",
                                      "--color", "never"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ann: gives 6 engagements")


def test_explain_table_is_the_default(small_export):
    default = CliRunner().invoke(cli, ["explain", "ann", str(small_export), "-q",
                                       "--color", "never"])
    table = CliRunner().invoke(cli, ["explain", "ann", str(small_export), "-q", "-f", "table",
                                     "--color", "never"])
    assert default.exit_code == table.exit_code == 0
    assert default.stdout == table.stdout
