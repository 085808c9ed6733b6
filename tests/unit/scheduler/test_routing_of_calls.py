"""Where delayed calls and their cancellations go, with and without a schedule group."""

from __future__ import annotations

import pytest

from sirocco.engine import commands as C
from sirocco.messaging import QueueSettings, envelopes
from sirocco.messaging.routing import RouteContext, route

NOW = 1_900_000_000.0


def _route(*commands: object):
    return route(list(commands), RouteContext("e1", 3, QueueSettings(), NOW, {}, "wf")).messages


@pytest.fixture()
def with_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIROCCO_SCHEDULE_GROUP", "sirocco")
    monkeypatch.setenv("SIROCCO_SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/sirocco-scheduler")


def test_with_a_schedule_group_a_long_call_reaches_the_timer_at_once(with_group: None) -> None:
    timer = QueueSettings().timer_queue
    short, long, cancel = (C.ScheduleCall("e1", call_id="a", due=NOW + 30, kind="retry"),
                           C.ScheduleCall("e1", call_id="b", due=NOW + 3600, kind="wait-before"),
                           C.CancelCall("e1", call_id="b"))
    messages = _route(short, long, cancel)[timer]
    assert [m.delay for m in messages] == [30, 0, 0]
    assert [type(envelopes.decode(m.body).obj).__name__ for m in messages] == ["ScheduleCall", "ScheduleCall",
                                                                                "CancelCall"]


def test_without_one_long_calls_hop_and_cancels_go_nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIROCCO_SCHEDULE_GROUP", raising=False)
    timer = QueueSettings().timer_queue
    messages = _route(C.ScheduleCall("e1", call_id="b", due=NOW + 3600, kind="wait-before"),
                      C.CancelCall("e1", call_id="b"))[timer]
    assert [m.delay for m in messages] == [900]
