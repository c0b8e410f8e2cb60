"""README.md says what the tool does today: its sample output and its exit codes.

The box at the top of the README is the first group the bundled example reports, as the
terminal table draws it at 100 columns. When a change to the detector or the wording moves
it, this test fails; ``python tests/test_readme.py`` writes the new box into the README.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from pod_detect.cli import cli, common

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE = ROOT / "examples" / "linkedin_pods.csv"
#: The first fenced block of the README is the sample.
_SAMPLE = re.compile(r"\A(.*?\n```\n)(.*?)(```\n)", re.S)


def sample_box(tmp: Path) -> str:
    """The first group's panel of the bundled example's table report (no colour, 100 wide)."""
    out = tmp / "table.txt"
    result = CliRunner().invoke(
        cli, ["scan", str(EXAMPLE), "-f", "table", "--color", "never", "-o", str(out), "-q"]
    )
    assert result.exit_code == 1, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("╭─"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("╰"))
    return "\n".join(line.rstrip() for line in lines[start:end + 1]) + "\n"


def readme_box() -> str:
    match = _SAMPLE.match(README.read_text(encoding="utf-8"))
    assert match, "README.md should open with a fenced sample of the output"
    return match.group(2)


def test_readme_sample_is_what_the_bundled_example_prints(tmp_path):
    assert readme_box() == sample_box(tmp_path), (
        "README.md's sample output is stale: run python tests/test_readme.py"
    )


def test_readme_lists_the_exit_codes_the_help_lists():
    helped = CliRunner().invoke(cli, ["--help"]).output
    line = " ".join(helped.split()).split("Exit codes:")[1].split(".")[0]
    in_help = {int(code) for code in re.findall(r"\b(\d+) [a-z]", line)}
    text = README.read_text(encoding="utf-8").split("**Exit codes.**")[1].split("\n\n")[0]
    in_readme = {int(code) for code in re.findall(r"`(\d+)`", text)}
    constants = {common.EXIT_CLEAN, common.EXIT_FINDINGS, common.EXIT_ERROR,
                 common.EXIT_INTERNAL, common.EXIT_INTERRUPTED}
    assert in_help == in_readme == constants


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        box = sample_box(Path(folder))
    text = README.read_text(encoding="utf-8")
    match = _SAMPLE.match(text)
    if match is None:
        sys.exit("README.md has no opening fenced block")
    README.write_text(match.group(1) + box + match.group(3) + text[match.end():],
                      encoding="utf-8")
    print(f"wrote {box.count(chr(10))} lines of sample output to {README}")
