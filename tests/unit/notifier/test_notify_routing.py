"""Routing of Notify: one message per publisher, ordered per execution and publisher on
a FIFO queue; global publishers join top-level starts only."""

from __future__ import annotations

import json

import pytest

from sirocco.engine import commands as C
from sirocco.engine import events as ev
from sirocco.messaging import envelopes
from sirocco.messaging.routing import RouteContext, engine_message, route
from sirocco.messaging.settings import QueueSettings, dead_letter_queue
from sirocco.notifier.config import publisher_key

A = {"type": "webhook", "url": "https://a.example/hook"}
B = {"type": "log"}


def _context(settings: QueueSettings) -> RouteContext:
    return RouteContext("ex1", 7, settings, 1000.0, {"workflow_id": "w", "project_id": "p"})


def test_each_publisher_gets_its_own_ordered_stream() -> None:
    q = QueueSettings()
    assert q.notifier_queue.endswith(".fifo")
    cmds = [C.Notify("ex1", event=e, entity="workflow", entity_id="ex1", data={"event": e}, publishers=(A, B))
            for e in ("WORKFLOW_LAUNCHED", "WORKFLOW_SUCCEEDED")]
    messages = route(cmds, _context(q)).messages[q.notifier_queue]
    assert [(m.group_id, envelopes.decode(m.body).obj.event) for m in messages] == [
        (f"ex1:{publisher_key(A)}", "WORKFLOW_LAUNCHED"), (f"ex1:{publisher_key(B)}", "WORKFLOW_LAUNCHED"),
        (f"ex1:{publisher_key(A)}", "WORKFLOW_SUCCEEDED"), (f"ex1:{publisher_key(B)}", "WORKFLOW_SUCCEEDED")]
    assert [envelopes.decode(m.body).obj.publishers for m in messages] == [(A,), (B,), (A,), (B,)]
    assert envelopes.decode(messages[0].body).meta == {"workflow_id": "w", "project_id": "p"}
    # deduplication ids: per notification and publisher, the same when an outbox is routed again
    assert len({m.dedup_id for m in messages}) == 4
    again = route(cmds, _context(q)).messages[q.notifier_queue]
    assert [m.dedup_id for m in again] == [m.dedup_id for m in messages]
    assert messages[0].dedup_id.rsplit(":", 1)[0] == messages[1].dedup_id.rsplit(":", 1)[0]


def test_a_standard_notifier_queue_gets_the_same_messages_unordered() -> None:
    q = QueueSettings(notifier_queue="plain-notifier")
    cmd = C.Notify("ex1", event="WORKFLOW_LAUNCHED", data={}, publishers=(A, B))
    messages = route([cmd], _context(q)).messages["plain-notifier"]
    assert len(messages) == 2 and {m.group_id for m in messages} == {None}


def test_dead_letter_queue_names_follow_the_template() -> None:
    assert dead_letter_queue("sirocco-notifier.fifo") == "sirocco-notifier-dlq.fifo"
    assert dead_letter_queue("sirocco-events") == "sirocco-events-dlq"


def test_global_publishers_join_top_level_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIROCCO_NOTIFY", json.dumps([B]))
    top = ev.StartExecution("e1", 1.0, workflow="wf", params={"notify": [A]})
    child = ev.StartExecution("e2", 1.0, workflow="wf", params={"notify": [A, B]}, parent_execution_id="p")
    assert envelopes.decode(engine_message(top, "x").body).obj.params["notify"] == [A, B]
    assert envelopes.decode(engine_message(child, "y").body).obj.params["notify"] == [A, B]  # inherited, once
    monkeypatch.delenv("SIROCCO_NOTIFY")
    assert envelopes.decode(engine_message(top, "x").body).obj.params["notify"] == [A]
