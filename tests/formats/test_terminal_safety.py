"""Account names and headers come from the people investigated: nothing they contain may act on
the analyst's terminal, through the table, explain or a message on stderr (issue 21)."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import COLUMNS, fast, organic, outside_rows, round_rows

import pod_detect
from pod_detect.cli import cli
from pod_detect.formats import FORMATS
from pod_detect.formats.base import RenderOptions
from pod_detect.formats.explain import render_explanation
from pod_detect.io import parse
from pod_detect.report.explain import explain
from pod_detect.text import visible

#: What an attacker would name accounts: clear screen, an OSC 8 hyperlink, an OSC 52
#: clipboard write, a bell, a one-byte C1 CSI, a right-to-left override, a carriage
#: return that rewrites the line, a newline that forges a CI workflow command.
HOSTILE = ["\x1b[2Jwiper", "\x1b]8;;https://x.example\x07link\x1b]8;;\x07",
           "\x1b]52;c;cm0gLXJmIH4=\x07clip", "\x9b31mred", "\u202eevil\u202c", "ok\rdone",
           "line\n::error::forged"]
#: Anything a terminal acts on; the only escapes allowed are rich's own colour codes.
ACTING = re.compile("[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e"
                    "\\u2066-\\u2069\\u200e\\u200f\\u061c]")
SGR = re.compile("\\x1b\\[[0-9;]*m")


def hostile_report():
    planted = round_rows(HOSTILE, 6, fast)
    frame = pd.DataFrame(organic(30, 3) + planted + outside_rows(HOSTILE, 30), columns=COLUMNS)
    return pod_detect.scan(parse(frame, source="\x1b]0;title\x07export.csv"))


def inert(text: str, color: bool) -> bool:
    """No character that acts on a terminal, apart from rich's colours when asked for."""
    rest = SGR.sub("", text) if color else text
    return not ACTING.search(rest.replace("\n", "").replace("\r\n", ""))


def test_visible_shows_every_acting_character_and_keeps_the_rest():
    assert visible("plain ünïcode 名前") == "plain ünïcode 名前"
    assert visible("a\x1bb\u202ec\nd") == "a\\x1bb\\u202ec\\x0ad"
    for name in HOSTILE:
        assert not ACTING.search(visible(name).replace("\n", "")), name
        assert "\n" not in visible(name)


@pytest.mark.parametrize("color", [False, True])
def test_the_table_and_explain_show_hostile_names_and_do_nothing(color):
    report = hostile_report()
    assert any(n in HOSTILE for g in report.groups
               for n in (report.account_name(m) for m in g.members))
    table = FORMATS["table"](report, RenderOptions(color=color, width=120))
    assert inert(table, color)
    assert "\\x1b[2Jwiper" in table  # shown, not acted on
    member = next(report.account_name(m) for g in report.groups for m in g.members
                  if report.account_name(m) in HOSTILE)
    story = render_explanation(explain(report, member), color=color, width=120)
    assert inert(story, color)


def test_messages_on_stderr_show_a_hostile_header_and_do_nothing(tmp_path):
    frame = pd.DataFrame(organic(30, 3), columns=COLUMNS)
    frame = frame.rename(columns={"text": "\x1b]52;c;Zm9v\x07notes\n::error::forged"})
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["scan", str(path), "--map", "actor=nope", "-f", "json"])
    assert result.exit_code == 2
    assert inert(result.stderr, False) and "::error::" not in result.stderr.replace(
        "\\x0a::error::", "")
    result = CliRunner().invoke(cli, ["scan", str(path), "-f", "json", "-v"])
    assert not ACTING.search(result.stderr.replace("\n", ""))
    assert not any(line.startswith("::") for line in result.stderr.splitlines())


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_is_the_same_on_stdout_and_in_a_file_and_acts_on_nothing(tmp_path, fmt):
    planted = round_rows(HOSTILE, 6, fast)
    frame = pd.DataFrame(organic(30, 3) + planted + outside_rows(HOSTILE, 30), columns=COLUMNS)
    export = tmp_path / "hostile.csv"
    frame.to_csv(export, index=False, quoting=csv.QUOTE_ALL)  # a bare CR is a line break
    runner = CliRunner()
    out = tmp_path / f"report.{fmt}"
    to_stdout = runner.invoke(cli, ["scan", str(export), "-f", fmt, "--color", "never"])
    to_file = runner.invoke(cli, ["scan", str(export), "-f", fmt, "-o", str(out), "-q"])
    assert to_stdout.exit_code == to_file.exit_code == 1, to_stdout.output
    written = out.read_bytes()
    assert to_stdout.stdout_bytes == written
    text = written.decode("utf-8")
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert not any(line.startswith("::error::forged") for line in text.splitlines())


def test_explain_as_json_keeps_the_exact_name_and_acts_on_nothing(tmp_path):
    import json

    planted = round_rows(HOSTILE, 6, fast)
    frame = pd.DataFrame(organic(30, 3) + planted + outside_rows(HOSTILE, 30), columns=COLUMNS)
    export = tmp_path / "hostile.csv"
    frame.to_csv(export, index=False, quoting=csv.QUOTE_ALL)
    member = "\x9b31mred"
    result = CliRunner().invoke(cli, ["explain", member, str(export), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "\x9b" not in result.stdout and "\x1b" not in result.stdout
    assert json.loads(result.stdout)["account"] == member
