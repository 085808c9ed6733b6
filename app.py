"""Sirocco's Chalice app: the API routes and the queue handlers, thin.

Chalice deploys ``app.py``, ``chalicelib/`` and ``vendor/``; the package
lives at ``chalicelib/sirocco``, so ``chalicelib/`` goes on ``sys.path`` and the
code imports as ``sirocco`` here, in Lambda and on a laptop alike.
Every handler is a plain function of the Lambda event (``sirocco.handlers.*``);
the functions below only unwrap Chalice's event objects. Queue names come from
the environment at import (packaging) time; infra/ points the event sources at
the queues it creates and turns on ReportBatchItemFailures.
"""

import os
import sys

_LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chalicelib")
if _LIB not in sys.path:
    sys.path.insert(0, _LIB)

from chalice import Chalice  # noqa: E402

from sirocco.actions import default_registry  # noqa: E402
from sirocco.actions.function_actions import register_function_actions  # noqa: E402
from sirocco.api.routes import blueprint  # noqa: E402
from sirocco.handlers import engine, events, executor, metrics, notifier, timer  # noqa: E402
from sirocco.messaging.settings import QueueSettings  # noqa: E402
from sirocco.metering import meter  # noqa: E402
from sirocco.metering.invocations import metered  # noqa: E402

app = Chalice(app_name="sirocco")
app.register_blueprint(blueprint)

_QUEUES = QueueSettings.from_env()  # the handlers' own reading of the queue names
# every batch also writes its metric line (messages, failures, age of the oldest, duration),
# and is metered as a Lambda invocation when metering is on (sirocco dev; SIROCCO_METER=1)
_engine = metered("engine", metrics.measured("engine", engine.handle))
_executor = metered("executor", metrics.measured("executor", executor.handle))
_timer = metered("timer", metrics.measured("timer", timer.handle))
_notifier = metered("notifier", metrics.measured("notifier", notifier.handle))
_events = metered("events", metrics.measured("events", events.handle))
if meter.wanted():  # off in Lambda unless SIROCCO_METER=1; `sirocco dev` installs it itself
    meter.install()
# the action functions of functions/ the stack deploys: fn.<name> (SIROCCO_FUNCTIONS, from the template)
register_function_actions(default_registry)


@app.on_sqs_message(queue=_QUEUES.engine_queue, batch_size=10, name="engine")
def engine_queue(event):
    return _engine(event.to_dict(), event.context)


@app.on_sqs_message(queue=_QUEUES.executor_queue, batch_size=10, name="executor")
def executor_queue(event):
    return _executor(event.to_dict(), event.context)


@app.on_sqs_message(queue=_QUEUES.timer_queue, batch_size=10, name="timer")
def timer_queue(event):
    return _timer(event.to_dict(), event.context)


@app.on_sqs_message(queue=_QUEUES.notifier_queue, batch_size=10, name="notifier")
def notifier_queue(event):
    return _notifier(event.to_dict(), event.context)


# events matched by the EventBridge rules of event triggers: start their workflows
@app.on_sqs_message(queue=_QUEUES.events_queue, batch_size=10, name="events")
def events_queue(event):
    return _events(event.to_dict(), event.context)


#: queue role -> the Lambda entry point a local poller calls as ``handler(event, context)``
HANDLERS = {"engine": engine_queue, "executor": executor_queue, "timer": timer_queue, "notifier": notifier_queue,
            "events": events_queue}
