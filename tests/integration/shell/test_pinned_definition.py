"""A running execution keeps the workflow definition it started with (as
Mistral keeps a running execution's spec): updating the workflow changes
only the executions started after the update."""

from __future__ import annotations

import json
import uuid

from sirocco.persistence import pins

from .helpers import get, start, upload

TWO_STEPS = """
version: '2.0'
pinned_{n}:
  output:
    said: <% $.said %>
  tasks:
    first:
      action: std.noop
      on-success: [second]
    second:
      action: std.echo output="{word}"
      publish:
        said: <% task().result %>
"""


def _update(rt, name: str, text: str) -> None:
    """Replace the stored definition, as a PUT /v2/workflows would."""
    assert rt.definitions.update("workflow", name, definition=text) is not None


def test_an_update_does_not_change_a_running_execution(client, rt, delivery):
    n = uuid.uuid4().hex[:8]
    name = f"pinned_{n}"
    upload(client, TWO_STEPS.format(n=n, word="before"))
    running = start(client, name)
    delivery.pump("engine")  # the start is applied: `first` is on the executor queue
    after_text = TWO_STEPS.format(n=n, word="after").replace(f"\npinned_{n}:", f"\n{name}:")
    _update(rt, name, "version: '2.0'\n" + after_text.split("version: '2.0'\n", 1)[1])
    assert delivery.run_execution(running["id"]).state == "SUCCESS"
    assert json.loads(get(client, f"/v2/executions/{running['id']}")["output"]) == {"said": "before"}

    later = start(client, name)
    assert delivery.run_execution(later["id"]).state == "SUCCESS"
    assert json.loads(get(client, f"/v2/executions/{later['id']}")["output"]) == {"said": "after"}


def test_a_repeated_pin_keeps_the_first_text(rt):
    execution_id = str(uuid.uuid4())
    assert pins.pin(rt.executions, execution_id, "first text") == "first text"
    pins._cache.clear()  # another Lambda: nothing cached
    assert pins.pin(rt.executions, execution_id, "second text") == "first text"
    pins._cache.clear()
    assert pins.pinned(rt.executions, execution_id) == "first text"
    assert pins.pinned(rt.executions, str(uuid.uuid4())) is None
