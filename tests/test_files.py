"""Files as a user's system has them: devices, FIFOs, links, modes, missing folders, killed writes."""

from __future__ import annotations

import os
import stat
import subprocess
import threading

import pytest
from conftest import EXAMPLES

from dalton_cli.errors import Terminated
from dalton_cli.fileio import WriteError, read_bytes, write_file

DGH = str(EXAMPLES / "district-general.yaml")
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")


def recommend_to(dalton, target, *extra):
    return dalton("recommend", "--answers", DGH, "--format", "json", "--output", str(target), *extra)


@ROOT_ONLY
def test_output_to_a_device_writes_through_and_keeps_it(dalton, tmp_path):
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    assert recommend_to(dalton, device).returncode == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    link = tmp_path / "link.json"
    link.symlink_to(device)
    assert recommend_to(dalton, link).returncode == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode) and link.is_symlink()


def test_output_to_a_fifo_feeds_its_reader(dalton, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = None
    for _ in range(50):  # the reader may not have opened its end yet
        result = recommend_to(dalton, fifo)
        if result.returncode == 0:
            break
        threading.Event().wait(0.05)
    reader.join(timeout=10)
    assert result is not None and result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].startswith(b"{")


def test_output_to_a_fifo_without_reader_is_refused_not_waited_for(dalton, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = recommend_to(dalton, fifo)
    assert result.returncode == 1 and "W001" in result.stderr and "nobody is reading" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_keeps_pointing_at_its_replaced_target(dalton, tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert recommend_to(dalton, link).returncode == 0
    assert link.is_symlink() and target.read_text().startswith("{")


def test_existing_mode_is_kept_and_new_files_follow_the_umask(dalton, tmp_path):
    old = tmp_path / "old.json"
    old.write_text("x")
    old.chmod(0o640)
    assert recommend_to(dalton, old).returncode == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    previous = os.umask(0o022)
    try:
        new = tmp_path / "new.json"
        assert recommend_to(dalton, new).returncode == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644


def test_missing_directories_are_not_created(dalton, tmp_path):
    result = recommend_to(dalton, tmp_path / "typo" / "deeper" / "out.json")
    assert result.returncode == 1 and "does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_output_dash_is_standard_output(dalton, tmp_path):
    result = dalton("recommend", "--answers", DGH, "--format", "json", "--output", "-", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("{")
    assert not (tmp_path / "-").exists()


def test_dev_stdout_on_a_pipe(dalton_process):
    from conftest import dalton_command

    cmd = " ".join(dalton_command()) + f" recommend --answers {DGH} --format json --output /dev/stdout | head -c 1"
    result = subprocess.run(cmd, shell=True, capture_output=True, text=True, executable="/bin/bash", timeout=60)
    assert result.stdout == "{", result.stderr


def test_output_to_a_directory_is_refused(dalton, tmp_path):
    result = recommend_to(dalton, tmp_path)
    assert result.returncode == 1 and "is a directory" in result.stderr


def test_a_stop_in_the_middle_of_a_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "record.md"
    target.write_text("OLD\n")
    real_write = os.write

    def interrupted(fd, data):
        real_write(fd, bytes(data[:10]))
        raise Terminated(15)

    monkeypatch.setattr(os, "write", interrupted)
    with pytest.raises(Terminated):
        write_file(target, "NEW " * 1000)
    monkeypatch.undo()
    assert target.read_text() == "OLD\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.md"]


def test_special_files_refused_where_only_regular_files_make_sense(tmp_path):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    with pytest.raises(Exception, match="not a regular file"):
        read_bytes(fifo, regular_only=True)
    with pytest.raises(WriteError):
        write_file(fifo, "x", through=False)


def test_reads_are_bounded_before_they_allocate(dalton, tmp_path):
    sparse = tmp_path / "huge.yaml"
    with open(sparse, "wb") as fh:
        fh.truncate(8 * 1024**3)
    for path in (str(sparse), "/dev/zero"):
        result = dalton("recommend", "--answers", path, "--format", "json")
        assert result.returncode == 1 and "Y007" in result.stderr, result.stderr


def test_endless_standard_input_is_cut_off(dalton_process):
    with open("/dev/zero", "rb") as zero:
        result = subprocess.run(
            [*__import__("conftest").dalton_command(), "recommend", "--answers", "-"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1 and "Y007" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "check"],
        ["rules", "test"],
        ["rules", "diff", "RULES", "RULES"],
        ["recommend", "--answers", DGH, "--format", "html"],
        ["explain", "hospital_group", "--answers", DGH],
    ],
    ids=lambda a: " ".join(a[:2]).replace("hospital_group", "").strip(),
)
def test_a_closed_pipe_is_a_quiet_success(args):
    """The reader is gone before dalton writes a byte (`dalton … | head -0`): exit 0, nothing said."""
    from conftest import RULES, dalton_command

    argv = [str(RULES) if a == "RULES" else a for a in args]
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(dalton_command() + argv, stdout=write_end, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, b""), argv


def test_empty_answers_path_is_an_error(dalton):
    result = dalton("recommend", "--answers", "", "--format", "json")
    assert result.returncode == 1 and "Y001" in result.stderr


def test_case_file_fifo_and_cache_fifo_do_not_hang(dalton, rules_copy, tmp_path):
    os.mkfifo(rules_copy / "cases" / "zz.yaml")
    result = dalton("rules", "test", str(rules_copy))
    assert result.returncode == 1 and "not a regular file" in result.stdout
    cache = tmp_path / "cache"
    dalton("recommend", "--answers", DGH, env={"DALTON_CACHE_DIR": str(cache)})
    [entry] = cache.glob("ruleset-*.marshal")
    entry.unlink()
    os.mkfifo(entry)
    again = dalton("recommend", "--answers", DGH, "--format", "json", env={"DALTON_CACHE_DIR": str(cache)})
    assert again.returncode == 0
