"""``-o FILE`` and ``--update-baseline``: a failed write never destroys the file that was there
(issue 21, atomic replacement)."""

from __future__ import annotations

import os
import stat

import pytest

from pod_detect.cli.common import emit, write_replacing


def test_a_failed_write_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("OLD REPORT")
    with pytest.raises(UnicodeEncodeError):
        emit("new report, then a value no file can hold: \ud800", str(path))
    assert path.read_text() == "OLD REPORT"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no leftover part


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text("OLD BASELINE")

    def interrupted(handle):
        handle.write("half of the new")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_replacing(str(path), interrupted)
    assert path.read_text() == "OLD BASELINE"
    assert len(list(tmp_path.iterdir())) == 1


def test_a_write_replaces_the_file_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("old")
    os.chmod(path, 0o640)
    emit("a,b\r\n1,2\r\n", str(path))
    assert path.read_bytes() == b"a,b\r\n1,2\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_file_gets_the_umask_permissions(tmp_path):
    path = tmp_path / "new.json"
    umask = os.umask(0o022)
    try:
        emit("{}", str(path))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_device_is_written_not_replaced():
    emit("to the void", os.devnull)
    assert not os.path.isfile(os.devnull)
