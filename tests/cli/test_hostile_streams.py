"""Exit codes where the environment is hostile or the values are out of range: a full disk, a
closed stdout, a codec that is not a text encoding, times no report can show (issue 21)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pod_detect.errors import InputError
from pod_detect.io import load

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "linkedin_pods.csv"


def shell(command: str) -> subprocess.CompletedProcess[str]:
    """``python -m pod_detect`` under a shell, for redirections a test cannot make itself."""
    line = f"{shlex.quote(sys.executable)} -m pod_detect {command}"
    return subprocess.run(["bash", "-c", line], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_on_stdout_is_exit_2_with_one_line():
    result = shell(f"scan {shlex.quote(str(EXAMPLE))} -f json > /dev/full")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "pod-detect: error: cannot write the report to stdout: No space left on device; "
        "-o FILE writes it to a file"]


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_closed_stdout_is_exit_2_with_one_line(fmt):
    result = shell(f"scan {shlex.quote(str(EXAMPLE))} -f {fmt} >&-")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == ("pod-detect: error: stdout is closed; write the report "
                                     "with -o FILE")


def test_a_closed_stderr_changes_no_exit_code():
    assert shell(f"scan {shlex.quote(str(EXAMPLE))} -f json -v > /dev/null 2>&-").returncode == 1


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib"])
def test_a_codec_that_is_not_a_text_encoding_is_exit_2(codec):
    result = shell(f"scan {shlex.quote(str(EXAMPLE))} --encoding {codec} -q")
    assert result.returncode == 2
    assert f"'{codec}' is not a text encoding" in result.stderr


@pytest.mark.parametrize("value", ["1e300", "-62135596801", "-1e30"])
def test_an_epoch_no_report_can_show_names_its_row_and_column(tmp_path, value):
    path = tmp_path / "far.csv"
    path.write_text(f"actor,author,post_id,timestamp\nc,d,p2,{value}\n")
    with pytest.raises(InputError, match="row 1, column 'timestamp'.*out of the range"):
        load(str(path))


def test_a_parquet_time_past_year_9999_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "far.parquet"
    micros = pa.array([0, 3 * 10**17], type=pa.timestamp("us"))  # 1970 and year 11476
    pq.write_table(pa.table({"actor": ["a", "c"], "author": ["b", "d"],
                             "post_id": ["p1", "p2"], "timestamp": micros}), path)
    with pytest.raises(InputError, match="row 2, column 'timestamp'.*out of the range"):
        load(str(path))


@pytest.mark.parametrize("delay", [0.1, 0.2, 0.3])
def test_ctrl_c_during_start_up_is_one_line_and_130(delay):
    import signal
    import time

    scan = subprocess.Popen([sys.executable, "-m", "pod_detect", "scan", str(EXAMPLE), "-f",
                             "json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(delay)  # after the interpreter's own start, while the libraries import
    scan.send_signal(signal.SIGINT)
    try:
        _, err = scan.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        scan.kill()
        raise
    if scan.returncode in (0, 1):  # a fast machine finished first: nothing to interrupt
        return
    assert scan.returncode == 130 and "Traceback" not in err
    assert err.strip() == "pod-detect: interrupted"


def test_a_fifo_and_a_process_substitution_are_read(tmp_path):
    import threading

    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    text = EXAMPLE.read_bytes()

    def write() -> None:
        with open(fifo, "wb") as handle:
            handle.write(text)

    writer = threading.Thread(target=write)
    writer.start()
    data = load(str(fifo))
    writer.join(timeout=30)
    assert data.facts.rows == load(str(EXAMPLE)).facts.rows
    result = shell(f"scan <(gzip -c {shlex.quote(str(EXAMPLE))}) -f json -q")
    assert result.returncode == 1, result.stderr  # the example's pods, read from a pipe


@pytest.mark.parametrize("header", ["[actor],author,post_id", "{actor},author,post_id"])
def test_a_csv_whose_header_starts_like_json_is_read_as_csv(tmp_path, header):
    path = tmp_path / "export.csv"
    path.write_text(f"{header}\na,b,p1\nc,d,p2\n")
    data = load(str(path), mapping={"actor": header.split(",")[0]})
    assert sorted(map(str, data.accounts)) == ["a", "b", "c", "d"]
