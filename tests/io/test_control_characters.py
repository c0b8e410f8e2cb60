"""A pod may name its accounts with control characters to make the export that names them
unreadable: valid UTF-8 full of them is read, and binary data is still refused (issue 21)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import COLUMNS, fast, organic, outside_rows, round_rows

from pod_detect.cli import cli
from pod_detect.errors import InputError
from pod_detect.io import load

#: Names that are mostly escape sequences: far more than 1% of the file's bytes.
NOISY = [f"\x1b[{i}m\x1b]0;\x07\x1b[2J" * 8 + f"m{i}" for i in range(6)]


def export(tmp_path):
    frame = pd.DataFrame(organic(20, 3) + round_rows(NOISY, 6, fast)
                         + outside_rows(NOISY, 10), columns=COLUMNS)
    path = tmp_path / "noisy.csv"
    frame.to_csv(path, index=False)
    return path


def test_valid_utf8_full_of_control_characters_is_read_and_its_pod_found(tmp_path):
    path = export(tmp_path)
    raw = path.read_bytes()
    assert sum(b < 32 and b not in b"\t\n\r" for b in raw) > 0.05 * len(raw)
    data = load(str(path))
    assert set(NOISY) <= set(map(str, data.accounts))
    result = CliRunner().invoke(cli, ["scan", str(path), "-f", "table", "--color", "never"])
    assert result.exit_code == 1, result.output
    assert "\\x1b[2J" in result.stdout and "\x1b" not in result.stdout


def test_a_nul_byte_is_still_binary(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"actor,author,post_id\na\x00b,c,p1\n")
    with pytest.raises(InputError, match="looks like binary data"):
        load(str(path))


def test_bytes_that_are_not_utf8_and_full_of_controls_are_binary(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(1, 256)) * 4)
    with pytest.raises(InputError, match="looks like binary data"):
        load(str(path))
