"""Every file in examples/ is valid, so the README's walk-through works as printed."""

from pathlib import Path

import pytest

from sirocco.cli import main

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))


def test_there_are_examples():
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_valid(path, capsys):
    assert main(["validate", str(path)]) == 0, capsys.readouterr().out
