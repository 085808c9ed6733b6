import os

import pytest


@pytest.fixture(autouse=True)
def _restore_environment():
    """`sirocco run` adjusts os.environ for its process; keep that out of other tests."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
