"""``/v2/cron_triggers`` and ``/v2/event_triggers`` (storage and API; firing
is the scheduler's). Expected values (fields, messages, codes, next times)
were read from Mistral 23.0.0 answering the same requests."""

from __future__ import annotations

import calendar
import datetime

import pytest

from .helpers import call, request

NOW = calendar.timegm(datetime.datetime(2030, 6, 1, 12, 2, 30).timetuple())
CRON_FIELDS = ["id", "name", "workflow_name", "workflow_id", "workflow_input", "workflow_params", "project_id",
               "scope", "pattern", "remaining_executions", "first_execution_time", "next_execution_time",
               "created_at", "updated_at"]
EVENT_FIELDS = ["id", "created_at", "updated_at", "project_id", "name", "workflow_id", "workflow_input",
                "workflow_params", "exchange", "topic", "event", "scope"]


def _error(text: str) -> dict:
    return {"faultcode": "Client", "faultstring": text, "debuginfo": None}


@pytest.fixture
def workflow(client, ns, monkeypatch, rt):
    """A workflow with a required input, in the default namespace; the API's clock at NOW."""
    monkeypatch.setattr(rt, "clock", lambda: float(NOW))
    text = f"version: '2.0'\nwf_{ns}:\n  input:\n    - x\n    - y: 1\n  tasks:\n    t:\n      action: std.noop\n"
    created = call(client, "POST", "/v2/workflows", text, 201)["workflows"][0]
    yield created
    for kind in ("cron_triggers", "event_triggers"):
        for trigger in call(client, "GET", f"/v2/{kind}?workflow_id={created['id']}")[kind]:
            call(client, "DELETE", f"/v2/{kind}/{trigger['id']}", status=204)
    call(client, "DELETE", f"/v2/workflows/wf_{ns}", status=204)


def test_cron_trigger_by_workflow_name_with_a_pattern(client, ns, workflow):
    created = call(client, "POST", "/v2/cron_triggers", {"name": f"c_{ns}", "workflow_name": f"wf_{ns}",
                                                        "pattern": "*/5 * * * *", "workflow_input": '{"x": 1}'}, 201)
    assert list(created) == CRON_FIELDS[:-1]  # no updated_at in a create answer
    assert created["workflow_id"] == workflow["id"] and created["workflow_name"] == f"wf_{ns}"
    assert (created["workflow_input"], created["workflow_params"]) == ('{"x": 1}', "{}")
    assert (created["remaining_executions"], created["first_execution_time"]) == (None, None)
    assert created["next_execution_time"] == "2030-06-01 12:05:00"
    got = call(client, "GET", f"/v2/cron_triggers/c_{ns}")
    assert list(got) == CRON_FIELDS and got["updated_at"] is None
    assert call(client, "GET", f"/v2/cron_triggers/{created['id']}") == got
    code, error = request(client, "POST", "/v2/cron_triggers", {"name": f"c_{ns}", "workflow_name": f"wf_{ns}",
                                                               "pattern": "* * * * *", "workflow_input": {"x": 1}})
    assert (code, error) == (409, _error(f"Duplicate entry for cron trigger ['name', 'project_id']: c_{ns}, "
                                         "<default-project>"))
    assert request(client, "DELETE", f"/v2/cron_triggers/c_{ns}") == (204, None)
    assert request(client, "GET", f"/v2/cron_triggers/c_{ns}") == (404, _error(
        f"Cron trigger not found [identifier=c_{ns}]"))


def test_cron_trigger_by_workflow_id_with_a_first_time_and_a_count(client, ns, workflow):
    created = call(client, "POST", "/v2/cron_triggers", {
        "name": f"c_{ns}", "workflow_id": workflow["id"], "pattern": "0 12 * * *", "workflow_input": '{"x": 1}',
        "workflow_params": '{"env": {"a": 1}}', "remaining_executions": 3,
        "first_execution_time": "2031-01-01 10:00"}, 201)
    assert (created["first_execution_time"], created["next_execution_time"]) == ("2031-01-01 10:00:00",
                                                                                 "2031-01-01 10:00:00")
    assert (created["remaining_executions"], created["workflow_params"]) == (3, '{"env": {"a": 1}}')
    once = call(client, "POST", "/v2/cron_triggers", {"name": f"once_{ns}", "workflow_id": workflow["id"],
                                                     "workflow_input": '{"x": 1}',
                                                     "first_execution_time": "2031-01-01 10:00"}, 201)
    assert (once["pattern"], once["remaining_executions"]) == ("0 0 30 2 0", 1)  # Mistral's "never" pattern
    seconds = call(client, "POST", "/v2/cron_triggers", {"name": f"s_{ns}", "workflow_id": workflow["id"],
                                                        "pattern": "* * * * * 10", "workflow_input": {"x": 1}}, 201)
    assert seconds["next_execution_time"] == "2030-06-01 12:03:10"
    listed = call(client, "GET", f"/v2/cron_triggers?workflow_id={workflow['id']}&sort_keys=name&fields=name")
    assert [t["name"] for t in listed["cron_triggers"]] == [f"c_{ns}", f"once_{ns}", f"s_{ns}"]


@pytest.mark.parametrize("body, code, text", [
    ({"pattern": "not a pattern"}, 400, "The specified pattern is not valid: not a pattern"),
    ({"pattern": "0 0 30 2 *"}, 400, "The specified pattern is not valid: 0 0 30 2 * (it never fires)"),
    ({}, 400, "Pattern or first_execution_time must be specified."),
    ({"first_execution_time": "2030-06-01 12:03"}, 400, "first_execution_time must be at least 1 minute in the "
                                                        "future."),
    ({"first_execution_time": "2031-01-01T10:00:00"}, 400,
     "time data '2031-01-01T10:00:00' does not match format '%Y-%m-%d %H:%M'"),
    ({"first_execution_time": "2031-01-01 10:00", "remaining_executions": 2}, 400,
     "Pattern must be provided if count is superior to 1."),
    ({"pattern": "* * * * *", "remaining_executions": 0}, 400,
     "Invalid input for field/attribute remaining_executions. Value: '0'. Value should be greater or equal to 1"),
    ({"pattern": "* * * * *", "colour": 1}, 400, "Unknown attribute for argument cron_trigger: colour"),
    ({"pattern": "* * * * *", "workflow_params": "[1]"}, 400, "JsonType field value must be a dictionary "
                                                              "[actual=[1]]"),
])
def test_cron_trigger_refusals(client, ns, workflow, body, code, text):
    body = {"name": f"bad_{ns}", "workflow_name": f"wf_{ns}", "workflow_input": '{"x": 1}', **body}
    assert request(client, "POST", "/v2/cron_triggers", body) == (code, _error(text))


def test_cron_trigger_workflow_and_input_are_checked(client, ns, workflow):
    base = {"name": f"bad_{ns}", "pattern": "* * * * *"}
    assert request(client, "POST", "/v2/cron_triggers", {**base, "workflow_name": f"wf_{ns}"}) == (400, _error(
        f"Invalid input [name=wf_{ns}, class=DirectWorkflowSpec, missing=['x']]"))
    assert request(client, "POST", "/v2/cron_triggers", {**base, "workflow_name": f"wf_{ns}",
                                                         "workflow_input": '{"x": 1, "z": 2}'}) == (400, _error(
        f"Invalid input [name=wf_{ns}, class=DirectWorkflowSpec, unexpected=['z']]"))
    assert request(client, "POST", "/v2/cron_triggers", {**base, "workflow_name": f"nope_{ns}"}) == (404, _error(
        f"Workflow not found [workflow_identifier=nope_{ns}, namespace=]"))
    assert request(client, "DELETE", f"/v2/cron_triggers/nope_{ns}") == (404, _error(
        f"Cron trigger not found [identifier=nope_{ns}]"))


def test_event_triggers(client, ns, workflow):
    body = {"name": f"e_{ns}", "workflow_id": workflow["id"], "exchange": "nova", "topic": ns,
            "event": "compute.create", "workflow_input": '{"x": 1}'}
    created = call(client, "POST", "/v2/event_triggers", body, 201)
    assert list(created) == EVENT_FIELDS and created["updated_at"] is None
    assert (created["name"], created["workflow_input"], created["workflow_params"], created["scope"]) == (
        f"e_{ns}", '{"x": 1}', "{}", "private")
    assert call(client, "GET", f"/v2/event_triggers/{created['id']}") == created
    assert request(client, "POST", "/v2/event_triggers", {**body, "workflow_input": '{"x": 2}'}) == (409, _error(
        "Duplicate entry for EventTrigger ['exchange', 'topic', 'event', 'workflow_id', 'project_id']: "
        f"nova, {ns}, compute.create, {workflow['id']}, <default-project>"))

    updated = call(client, "PUT", f"/v2/event_triggers/{created['id']}", {"name": "renamed",
                                                                          "workflow_input": '{"x": 5}'})
    assert (updated["name"], updated["workflow_input"], updated["event"]) == ("renamed", '{"x": 5}', "compute.create")
    assert updated["created_at"] == created["created_at"] and len(updated["updated_at"]) == 19
    assert request(client, "PUT", f"/v2/event_triggers/{created['id']}", {"topic": "t2"}) == (400, _error(
        "Can not update fields ['exchange', 'topic', 'event'] of event trigger."))
    listed = call(client, "GET", f"/v2/event_triggers?topic={ns}")["event_triggers"]
    assert [t["id"] for t in listed] == [created["id"]]

    assert request(client, "DELETE", f"/v2/event_triggers/{created['id']}") == (204, None)
    assert request(client, "GET", f"/v2/event_triggers/{created['id']}") == (404, _error(
        f"Event trigger not found [id={created['id']}]."))


def test_event_trigger_refusals(client, ns, workflow):
    body = {"workflow_id": workflow["id"], "exchange": "nova", "topic": ns, "event": "e"}
    assert request(client, "POST", "/v2/event_triggers", {**body, "event": ""}) == (400, _error(
        "Params {'workflow_id', 'exchange', 'topic', 'event'} must be provided for creating event trigger."))
    assert request(client, "POST", "/v2/event_triggers", {**body, "workflow_id": "abc"}) == (400, _error(
        "Expected a uuid but received abc."))
    missing = "615d64c4-02f5-4e4c-8ba5-8cde4c175b71"
    assert request(client, "POST", "/v2/event_triggers", {**body, "workflow_id": missing}) == (404, _error(
        f"Workflow not found [workflow_id={missing}]"))
    assert request(client, "POST", "/v2/event_triggers", body) == (400, _error(
        f"Invalid input [name=wf_{ns}, class=DirectWorkflowSpec, missing=['x']]"))
    assert request(client, "POST", "/v2/event_triggers", {**body, "colour": 1}) == (400, _error(
        "Unknown attribute for argument event_trigger: colour"))
    assert request(client, "GET", "/v2/event_triggers/abc") == (400, _error(
        "Invalid input for field/attribute id. Value: 'abc'. unable to convert to uuid. "
        "Error: Expected a uuid but received abc."))
    assert request(client, "PUT", f"/v2/event_triggers/{missing}", {"name": "x"}) == (404, _error(
        f"Event trigger not found [id={missing}]."))
