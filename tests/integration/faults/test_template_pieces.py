"""The template's part of delivery under faults (infra/resources.yaml): the sweeper's
schedule sends the timer queue the message its handler sweeps on, as `sirocco dev`
makes it; the handlers learn the receive count after which they dead-letter, the
default action timeout and the quiet time; they may write to and read the DLQs."""

from __future__ import annotations

import json

from sirocco.handlers.sweeper import sweep_body
from sirocco.local import dev
from sirocco.local.devtemplate import load_template


def test_the_sweeper_schedule_fires_a_sweep_on_the_timer_queue_as_sirocco_dev_does() -> None:
    template = load_template()
    schedule = template["Resources"]["SweeperSchedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    props = schedule["Properties"]
    assert props["Target"]["Arn"] == {"Fn::GetAtt": ["TimerQueue", "Arn"]}
    assert json.loads(props["Target"]["Input"]) == json.loads(sweep_body())
    assert props["ScheduleExpression"] == {"Ref": "SweepRate"}
    assert template["Parameters"]["SweepRate"]["Default"] == dev.SWEEP_RATE


def test_the_handlers_get_their_delivery_settings_and_may_use_the_dead_letter_queues() -> None:
    template = load_template()
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["SIROCCO_MAX_RECEIVE_COUNT"] == {"Ref": "MaxReceiveCount"}
    assert env["SIROCCO_DEFAULT_ACTION_TIMEOUT"] == {"Ref": "DefaultActionTimeoutSeconds"}
    assert env["SIROCCO_SWEEP_QUIET"] == {"Ref": "SweepQuietSeconds"}
    statements = template["Resources"]["LambdaRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    queues = next(s for s in statements if s.get("Sid") == "Queues")["Resource"]
    for dlq in ("EngineDeadLetterQueue", "ExecutorDeadLetterQueue", "TimerDeadLetterQueue",
                "NotifierDeadLetterQueue", "EventsDeadLetterQueue"):
        assert {"Fn::GetAtt": [dlq, "Arn"]} in queues, dlq
