"""`sirocco validate FILE...`: what a user sees on the terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sirocco.cli import main

GOOD_WORKFLOWS = """\
version: '2.0'
greet:
  input: [name]
  tasks:
    hello:
      action: std.echo output="hello <% $.name %>"
      on-success: [bye]
    bye:
      action: std.noop
collect:
  type: reverse
  tasks:
    a:
      action: std.noop
    b:
      requires: [a]
"""

GOOD_WORKBOOK = """\
version: '2.0'
name: shop
workflows:
  order:
    tasks:
      pay:
        action: charge amount=10
actions:
  charge:
    base: std.echo
    base-input:
      output: <% $.amount %>
    input: [amount]
"""

BAD = """\
version: '2.0'
broken:
  tasks:
    first:
      action: std.noop
      on-success: [missing]
    second:
      action: std.noop
      colour: blue
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_valid_files_list_what_they_define(tmp_path, capsys):
    paths = [write(tmp_path, "wf.yaml", GOOD_WORKFLOWS), write(tmp_path, "wb.yaml", GOOD_WORKBOOK)]
    assert main(["validate", *paths]) == 0
    out = capsys.readouterr().out
    assert "greet (direct, 2 tasks)" in out
    assert "collect (reverse, 2 tasks)" in out
    assert "workbook shop" in out
    assert "shop.order" in out and "shop.charge" in out


def test_every_error_is_printed_with_its_location(tmp_path, capsys):
    path = write(tmp_path, "bad.yaml", BAD)
    assert main(["validate", path]) == 1
    out = capsys.readouterr().out
    assert f"{path}: 2 errors" in out
    missing = next(line for line in out.splitlines() if "missing" in line)
    assert "broken" in missing and "first" in missing and "on-success" in missing and "line 6" in missing
    colour = next(line for line in out.splitlines() if "colour" in line)
    assert "second" in colour and "line 9" in colour


def test_one_bad_file_fails_the_run_but_all_are_reported(tmp_path, capsys):
    good = write(tmp_path, "good.yaml", GOOD_WORKFLOWS)
    bad = write(tmp_path, "bad.yaml", "version: '2.0'\nwf: [unclosed\n")
    assert main(["validate", bad, good]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: 1 error" in out
    assert f"{good}: valid" in out


def test_unreadable_file_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "absent.yaml")]) == 1
    assert "cannot read" in capsys.readouterr().out


def test_installed_command_exits_non_zero_on_errors(tmp_path):
    command = str(Path(sys.executable).with_name("sirocco"))  # the venv's console script
    result = subprocess.run([command, "validate", write(tmp_path, "bad.yaml", BAD)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "does not exist" in result.stdout or "missing" in result.stdout
    assert "Traceback" not in result.stderr
