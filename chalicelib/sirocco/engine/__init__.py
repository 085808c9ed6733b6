"""The engine core: a pure function from (specs, one execution's state, a
batch of events) to (changed records, commands). See docs/engine.md."""

from .catalog import ActionSignature, Catalog, SpecSource
from .commands import (CancelCall, Command, ExecutionFinished, ExecutionStateChanged, Notify, RunAction,
                       ScheduleCall, SignalSubworkflow, StartSubworkflow)
from .conductor import Decision, decide
from .events import (ActionCompleted, CallFired, Cancel, Event, Pause, RerunTask, Resume, StartExecution, Stop,
                     SubworkflowCompleted, SubworkflowStateChanged)
from .records import ActionRecord, CallRecord, ExecutionRecord, ExecutionState, ItemsRecord, TaskRecord
from .session import derive_id
from .start import StartRefused, check_start
from .states import IllegalTransition

__all__ = [
    "ActionCompleted", "ActionRecord", "ActionSignature", "CallFired", "CallRecord", "Cancel", "CancelCall",
    "Catalog", "Command", "Decision", "Event", "ExecutionFinished", "ExecutionRecord", "ExecutionState",
    "ExecutionStateChanged", "SignalSubworkflow", "SubworkflowStateChanged",
    "IllegalTransition", "ItemsRecord", "Notify", "Pause", "RerunTask", "Resume", "RunAction", "ScheduleCall",
    "SpecSource", "StartExecution", "StartRefused", "Stop", "StartSubworkflow", "SubworkflowCompleted", "TaskRecord",
    "check_start", "decide", "derive_id",
]
