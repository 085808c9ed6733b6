"""Shared data for the expressions tests."""

import pytest

from sirocco.expressions import ExpressionError, evaluate


@pytest.fixture
def data():
    return {
        "a": 1,
        "b": "x",
        "l": [1, 2, 3],
        "d": {"k": "v"},
        "n": None,
        "t": True,
        "f": 1.5,
        "rows": [{"name": "a", "v": 1}, {"name": "b", "v": 2}],
    }


def _fails(value, data=None, runtime=None, **kwargs) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        evaluate(value, data if data is not None else {}, runtime, **kwargs)
    return info.value


@pytest.fixture
def fails():
    """fails(value, data=None, runtime=None, **kwargs): evaluate expecting an ExpressionError; return it."""
    return _fails
