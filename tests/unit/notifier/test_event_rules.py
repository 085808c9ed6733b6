"""Event triggers' patterns, input mappings and the executions an event starts."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from sirocco.eventbridge import input_template, rule_name
from sirocco.eventrules import firing
from sirocco.eventrules.pattern import TriggerConfigError, event_pattern, execution_params, input_mapping

EVENT = {"version": "0", "id": "ev-1", "source": "shop", "detail-type": "order.created", "time": 1700000000.0,
         "detail": {"order": {"id": "o-1", "lines": [{"price": 3}, {"price": 4}]}, "vip": True}}


def test_mistrals_fields_become_source_and_detail_type() -> None:
    assert event_pattern("shop", "order.created", {}) == {"source": ["shop"], "detail-type": ["order.created"]}


def test_an_explicit_pattern_is_merged_over_them() -> None:
    params = {"event_pattern": {"detail": {"vip": [True]}, "source": [{"prefix": "shop"}]}}
    assert event_pattern("shop", "order.created", params) == {
        "source": [{"prefix": "shop"}], "detail-type": ["order.created"], "detail": {"vip": [True]}}
    assert event_pattern("x", "y", {"event_pattern": '{"detail": {"a": [1]}}'})["detail"] == {"a": [1]}


@pytest.mark.parametrize("given, message", [
    ({"detail": {"a": 1}}, "detail.a must be a list"),
    ({"detail": {"a": []}}, "detail.a is an empty list"),
    ({"detail": {}}, "detail is an empty object"),
    ([1], "must be a non-empty JSON object"),
    ("{bad", "is not JSON"),
])
def test_a_pattern_that_cannot_work_is_refused(given: object, message: str) -> None:
    with pytest.raises(TriggerConfigError, match=message):
        event_pattern("x", "y", {"event_pattern": given})


def test_mappings_are_checked_and_applied() -> None:
    mapping = input_mapping({"event_input": {"order": "$.detail.order.id", "prices": "$.detail.order.lines[*].price",
                                             "whole": "$", "none": "$.detail.missing"}})
    assert firing.mapped_input(mapping, EVENT) == {"order": "o-1", "prices": [3, 4], "whole": EVENT}
    assert input_mapping({}) == {}
    with pytest.raises(TriggerConfigError, match="invalid JSONPath"):
        input_mapping({"event_input": {"x": "$.detail["}})
    with pytest.raises(TriggerConfigError, match="must be a JSONPath text"):
        input_mapping({"event_input": {"x": 5}})


def test_an_event_becomes_one_execution_request() -> None:
    trigger = SimpleNamespace(id="t-1", name="orders", workflow_id="wf-1", workflow_input='{"note": "n", "order": 0}',
                              workflow_params=json.dumps({"env": {"a": 1}, "event_input": {"order": "$.detail.order.id"},
                                                          "event_pattern": {"detail": {"vip": [True]}}}))
    event = firing.normalized(EVENT)
    assert event["time"] == "2023-11-14T22:13:20Z"
    body = firing.execution_request(trigger, event)
    assert body["id"] == firing.execution_id("t-1", "ev-1") == firing.execution_request(trigger, event)["id"]
    assert body["id"] != firing.execution_id("t-1", "ev-2") != firing.execution_id("t-2", "ev-1")
    assert body["input"] == {"note": "n", "order": "o-1"}
    assert body["params"] == {"env": {"a": 1}, "event_params": event}
    assert json.loads(body["description"]) == {
        "description": "Workflow execution created by event trigger '(t-1)'.",
        "triggered_by": {"type": "event_trigger", "id": "t-1", "name": "orders"}}
    long = SimpleNamespace(**{**vars(trigger), "name": "n" * 200})
    assert len(firing.description(long)) <= 255 and "name" not in json.loads(firing.description(long))["triggered_by"]
    assert execution_params({"event_input": {}, "event_pattern": {}, "env": {}}) == {"env": {}}


def test_rule_names_fit_eventbridge_and_the_template_carries_the_trigger() -> None:
    name = rule_name("p" * 30, "3f2b8e9c-1d4a-4c1b-9a7e-2f6d5c4b3a21")
    assert len(name) <= 64 and name.startswith("p" * 30 + "-et-")
    assert rule_name("s", "3f2b8e9c-1d4a-4c1b-9a7e-2f6d5c4b3a21") != rule_name("s", "3f2b8e9c-1d4a-4c1b-9a7e-2f6d5c4b3a22")
    template = input_template("t-1", "<default-project>")
    assert "<default-project>" not in template and template.endswith('"event": <aws.events.event.json>}')
    filled = json.loads(template.replace("<aws.events.event.json>", json.dumps(EVENT)))
    assert filled == {"trigger_id": "t-1", "project": "%3Cdefault-project%3E", "event": EVENT}
