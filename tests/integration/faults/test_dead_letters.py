"""Dead letters: a message that keeps failing lands in its queue's dead-letter queue
with the cause (a log line and message attributes); `sirocco dlq list` and
``GET /v2/_ops/dead_letters`` show it, and once the cause is gone `sirocco dlq
redrive` (or ``POST /v2/_ops/dead_letters``) sends it back and the execution ends."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from sirocco import cli
from sirocco.handlers import runtime as runtime_module
from sirocco.messaging import deadletters

from .harness import Chaos, Stack

WORKFLOW = """
version: '2.0'
dl_echo:
  output: {v: <% $.v %>}
  tasks:
    one:
      action: std.echo output=3
      publish: {v: <% task().result %>}
"""

CAUSE = "RuntimeError: DynamoDB is having a bad day"


@pytest.fixture(scope="module")
def uploaded(stack: Stack) -> Stack:
    stack.upload(WORKFLOW)
    return stack


@pytest.fixture()
def names(uploaded: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stack's queue names where the `sirocco` command reads them."""
    for variable in ("SIROCCO_ENGINE_QUEUE", "SIROCCO_EXECUTOR_QUEUE", "SIROCCO_TIMER_QUEUE",
                     "SIROCCO_NOTIFIER_QUEUE", "SIROCCO_EVENTS_QUEUE"):
        monkeypatch.setenv(variable, uploaded.env[variable])


def _dead_letter_a_start(stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> tuple[str, Chaos]:
    """Start an execution whose every save fails: its start is dead-lettered on its 5th receive."""
    save = stack.rt.executions.save
    target: list[str] = []

    def failing(execution_id: str, *args: Any, **kwargs: Any) -> int:
        if execution_id in target:
            raise RuntimeError("DynamoDB is having a bad day")
        return save(execution_id, *args, **kwargs)

    delivery = Chaos(stack)
    eid = stack.start("dl_echo")
    target.append(eid)
    with monkeypatch.context() as patched:
        patched.setattr(stack.rt.executions, "save", failing)
        capsys.readouterr()
        delivery.run(lambda: not delivery.pending(), timeout=20)
    assert delivery.failed["engine"] == stack.rt.queue_settings.max_receives - 1  # the 5th is dead-lettered
    assert stack.header(eid).state == "IDLE"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    dead = [line for line in lines if line["msg"] == "message dead-lettered"]
    assert len(dead) == 1 and dead[0]["cause"] == CAUSE and dead[0]["attempts"] == 5
    assert dead[0]["execution_id"] == eid and dead[0]["handler"] == "engine"
    return eid, delivery


def test_a_message_that_keeps_failing_is_dead_lettered_with_its_cause_listed_and_redriven(
        uploaded: Stack, names: None, monkeypatch: pytest.MonkeyPatch, capsys: Any, aws_endpoint: str) -> None:
    eid, delivery = _dead_letter_a_start(uploaded, monkeypatch, capsys)
    assert cli.main(["dlq", "list", "--queue", "engine", "--json", "--endpoint", aws_endpoint]) == 0
    [letter] = [d for d in json.loads(capsys.readouterr().out) if d["to"] == eid]
    assert letter["cause"] == CAUSE and letter["attempts"] == 5 and letter["handler"] == "engine"
    assert letter["type"] == "StartExecution" and letter["group_id"] == eid
    assert letter["source_queue"] == uploaded.rt.queue_settings.engine_queue
    assert cli.main(["dlq", "list", "--endpoint", aws_endpoint]) == 0  # the human form, every queue
    text = capsys.readouterr().out
    assert f"StartExecution execution {eid}  attempts 5" in text and f"cause: {CAUSE}" in text

    assert cli.main(["dlq", "redrive", "--queue", "engine", "--id", letter["message_id"],
                     "--endpoint", aws_endpoint]) == 0
    assert "1 redriven" in capsys.readouterr().out
    assert not delivery.settle([eid], timeout=20)
    assert uploaded.header(eid).state == "SUCCESS"
    sources = deadletters.dead_letter_queues(uploaded.rt.queues, [uploaded.rt.queue_settings.engine_queue])
    assert [d for d in deadletters.listing(uploaded.rt.queues, sources) if d.to == eid] == []


@pytest.fixture()
def client(uploaded: Stack) -> Iterator[Any]:
    """The Chalice app's routes, acting on this stack."""
    from chalice.test import Client

    import app as sirocco_app

    saved = runtime_module._runtime
    runtime_module.set_runtime(uploaded.rt)
    try:
        with Client(sirocco_app.app) as c:
            yield c
    finally:
        runtime_module.set_runtime(saved)


def test_the_ops_api_lists_and_redrives_dead_letters_for_operators_only(
        uploaded: Stack, client: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    eid, delivery = _dead_letter_a_start(uploaded, monkeypatch, capsys)
    listed = client.http.get("/v2/_ops/dead_letters?queue=engine")
    assert listed.status_code == 200, listed.body
    body = json.loads(listed.body)
    [letter] = [d for d in body["dead_letters"] if d["to"] == eid]
    assert letter["cause"] == CAUSE and letter["queue"].endswith("-dlq.fifo")
    assert body["queues"] == {uploaded.rt.queue_settings.engine_queue: letter["queue"]}
    assert client.http.get("/v2/_ops/dead_letters?queue=nope").status_code == 400

    monkeypatch.setenv("SIROCCO_OPS_PROJECTS", "operators")  # the default project is not one now
    assert client.http.get("/v2/_ops/dead_letters").status_code == 403
    refused = client.http.post("/v2/_ops/dead_letters", headers={"Content-Type": "application/json"}, body="{}")
    assert refused.status_code == 403
    monkeypatch.delenv("SIROCCO_OPS_PROJECTS")

    redriven = client.http.post("/v2/_ops/dead_letters", headers={"Content-Type": "application/json"},
                                body=json.dumps({"queue": "engine", "ids": [letter["message_id"]]}))
    assert redriven.status_code == 200, redriven.body
    [result] = json.loads(redriven.body)["redriven"]
    assert result["moved"] == [letter["message_id"]]
    assert not delivery.settle([eid], timeout=20)
    assert uploaded.header(eid).state == "SUCCESS"


def test_a_poisoned_message_is_dead_lettered_with_the_reason_it_was_refused(uploaded: Stack) -> None:
    delivery = Chaos(uploaded)
    url = uploaded.url("executor")
    uploaded.sqs.send_message(QueueUrl=url, MessageBody="not an envelope")
    delivery.run(lambda: not delivery.pending(), timeout=20)
    sources = deadletters.dead_letter_queues(uploaded.rt.queues, [uploaded.rt.queue_settings.executor_queue])
    [letter] = [d for d in deadletters.listing(uploaded.rt.queues, sources) if d.body == "not an envelope"]
    assert letter.cause.startswith("refused: EnvelopeError: message body is not JSON")
    assert letter.attempts == 5 and letter.handler == "executor"
    deadletters.redrive(uploaded.rt.queues, sources, message_ids=[])  # nothing asked for: nothing moves
    assert [d.message_id for d in deadletters.listing(uploaded.rt.queues, sources)
            if d.body == "not an envelope"] == [letter.message_id]



