"""PynamoDB models of the two tables, bound to table names and endpoints at run time.

``build_models(settings)`` makes fresh model classes whose ``Meta`` carries the
settings' table names, region and endpoint: nothing is bound at import time, so
one process (a test session, ``sirocco dev``) can talk to several emulators or
tables, and a Lambda reads its names from its environment at cold start.

Executions table (one partition per workflow execution; see docs/persistence.md):
``pk`` = execution id, ``sk`` = record key (``EXEC``, ``TASK#<id>``, ``ACTION#<id>``,
``CALL#<id>``, ``ITEMS#<task id>``) or ``DONE`` (the outbox marker).

Definitions table (one partition per kind and project): ``pk`` = ``<kind>#<project>``,
``sk`` = ``<namespace>#<name>`` (namespace percent-quoted), with a discriminator
``kind`` selecting the model class of each kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import (BinaryAttribute, DiscriminatorAttribute, ListAttribute, NumberAttribute,
                                 TTLAttribute, UnicodeAttribute)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from .settings import Settings

PAY_PER_REQUEST = "PAY_PER_REQUEST"


@dataclass(frozen=True)
class Models:
    """The model classes bound to one ``Settings``."""

    settings: Settings
    Execution: Any
    Definition: Any
    Workflow: Any
    Workbook: Any
    Action: Any
    Environment: Any
    CronTrigger: Any
    EventTrigger: Any

    @property
    def definition_kinds(self) -> dict[str, Any]:
        return {"workflow": self.Workflow, "workbook": self.Workbook, "action": self.Action,
                "environment": self.Environment, "cron_trigger": self.CronTrigger,
                "event_trigger": self.EventTrigger}


def _meta(table: str, settings: Settings) -> type:
    return type("Meta", (), {"table_name": table, "region": settings.region,
                             "host": settings.dynamodb_endpoint_url, "billing_mode": PAY_PER_REQUEST})


def build_models(settings: Settings) -> Models:
    """Fresh model classes bound to ``settings`` (cheap; call once per process)."""

    # ---- executions

    class ByProject(GlobalSecondaryIndex):
        """List view: a project's executions, newest first (``created``); under the
        hash keys ``<project>#TASK`` / ``<project>#ACTION`` its task and action
        records, by creation (``executions.listing_key``)."""

        class Meta:
            index_name = "by_project"
            projection = KeysOnlyProjection()

        g_project = UnicodeAttribute(hash_key=True)
        created = NumberAttribute(range_key=True)

    class ByWorkflow(GlobalSecondaryIndex):
        """List view: executions of one workflow; sort key ``<project>#<created>``."""

        class Meta:
            index_name = "by_workflow"
            projection = KeysOnlyProjection()

        g_workflow = UnicodeAttribute(hash_key=True)
        g_sort = UnicodeAttribute(range_key=True)

    class ByState(GlobalSecondaryIndex):
        """List view: executions in one state; sort key ``<project>#<created>``."""

        class Meta:
            index_name = "by_state"
            projection = KeysOnlyProjection()

        g_state = UnicodeAttribute(hash_key=True)
        g_sort = UnicodeAttribute(range_key=True)

    class ByParent(GlobalSecondaryIndex):
        """Sub-executions of one task execution (``task_execution_id``), by creation. Sparse."""

        class Meta:
            index_name = "by_parent"
            projection = KeysOnlyProjection()

        g_parent = UnicodeAttribute(hash_key=True)
        g_sort = UnicodeAttribute(range_key=True)

    class ByRoot(GlobalSecondaryIndex):
        """Executions under one root execution (``root_execution_id``), by creation;
        root executions themselves under ``#<project>`` (``nulls=root_execution_id``)."""

        class Meta:
            index_name = "by_root"
            projection = KeysOnlyProjection()

        g_root = UnicodeAttribute(hash_key=True)
        g_sort = UnicodeAttribute(range_key=True)

    class ByWorkflowId(GlobalSecondaryIndex):
        """Executions of one workflow definition (``workflow_id``), by creation."""

        class Meta:
            index_name = "by_workflow_id"
            projection = KeysOnlyProjection()

        g_wfid = UnicodeAttribute(hash_key=True)
        g_sort = UnicodeAttribute(range_key=True)

    class ByRecord(GlobalSecondaryIndex):
        """``/v2/tasks/<id>``: the execution a task (or workflow-run action) belongs to.
        Sparse: only items with ``rid`` appear."""

        class Meta:
            index_name = "by_record"
            projection = KeysOnlyProjection()

        rid = UnicodeAttribute(hash_key=True)

    class Execution(Model):
        """One item of an execution's partition. ``body`` is the record's fields as
        JSON, ``s3`` names the fields offloaded to S3; the header alone carries the
        redo log (``log`` or ``logz`` inline, or ``log_s3``), the commit ``digest`` and ``meta``."""

        Meta = _meta(settings.executions_table, settings)

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        v = NumberAttribute(null=True)  # version of the save that wrote this item
        body = UnicodeAttribute(null=True)
        s3 = UnicodeAttribute(null=True)
        log = UnicodeAttribute(null=True)
        logz = BinaryAttribute(null=True, legacy_encoding=False)  # the log, zlib-compressed
        log_s3 = UnicodeAttribute(null=True)
        digest = UnicodeAttribute(null=True)
        meta = UnicodeAttribute(null=True)
        g_project = UnicodeAttribute(null=True)
        g_workflow = UnicodeAttribute(null=True)
        g_state = UnicodeAttribute(null=True)
        g_sort = UnicodeAttribute(null=True)
        g_parent = UnicodeAttribute(null=True)
        g_root = UnicodeAttribute(null=True)
        g_wfid = UnicodeAttribute(null=True)
        created = NumberAttribute(null=True)
        saved = NumberAttribute(null=True)  # when the engine last saved (the sweeper's "quiet")
        rid = UnicodeAttribute(null=True)
        asks = NumberAttribute(null=True)  # the API's count of state changes asked (event ids)
        gone = NumberAttribute(null=True)  # deleted at (a tombstone: the partition is being removed)
        expires_at = TTLAttribute(null=True)

        by_project = ByProject()
        by_workflow = ByWorkflow()
        by_state = ByState()
        by_parent = ByParent()
        by_root = ByRoot()
        by_workflow_id = ByWorkflowId()
        by_record = ByRecord()

    # ---- definitions

    class ById(GlobalSecondaryIndex):
        """``/v2/<kind>/<uuid>``: a definition by its id."""

        class Meta:
            index_name = "by_id"
            projection = AllProjection()

        id = UnicodeAttribute(hash_key=True)

    class Public(GlobalSecondaryIndex):
        """Definitions with ``scope: public``, visible to every project. Sparse."""

        class Meta:
            index_name = "public"
            projection = AllProjection()

        g_public = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)

    class Definition(Model):
        """Fields every kind shares (Mistral's REST API v2 names)."""

        Meta = _meta(settings.definitions_table, settings)

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        kind = DiscriminatorAttribute()
        id = UnicodeAttribute()
        name = UnicodeAttribute()
        namespace = UnicodeAttribute(default="")
        project_id = UnicodeAttribute()
        scope = UnicodeAttribute(default="private")
        tags = ListAttribute(of=UnicodeAttribute, null=True)
        created_at = UnicodeAttribute(null=True)
        updated_at = UnicodeAttribute(null=True)
        g_public = UnicodeAttribute(null=True)
        s3 = UnicodeAttribute(null=True)  # JSON {attribute: S3 key} of texts too large for the item

        by_id = ById()
        public = Public()

    class Workflow(Definition, discriminator="workflow"):
        definition = UnicodeAttribute(null=True)
        spec = UnicodeAttribute(null=True)  # JSON: parsed summary (type, tasks, input, output ...)
        input = UnicodeAttribute(null=True)  # signature text, "a, b=1"
        interface = UnicodeAttribute(null=True)  # JSON {"input": [...], "output": [...]}
        checksum = UnicodeAttribute(null=True)
        workbook_name = UnicodeAttribute(null=True)

    class Workbook(Definition, discriminator="workbook"):
        definition = UnicodeAttribute(null=True)
        spec = UnicodeAttribute(null=True)

    class Action(Definition, discriminator="action"):
        """An ad-hoc action."""

        definition = UnicodeAttribute(null=True)
        spec = UnicodeAttribute(null=True)
        input = UnicodeAttribute(null=True)
        description = UnicodeAttribute(null=True)
        is_system = UnicodeAttribute(null=True)  # "true"/"false", as Mistral shows it
        workbook_name = UnicodeAttribute(null=True)

    class Environment(Definition, discriminator="environment"):
        description = UnicodeAttribute(null=True)
        variables = UnicodeAttribute(null=True)  # JSON

    class CronTrigger(Definition, discriminator="cron_trigger"):
        pattern = UnicodeAttribute(null=True)
        workflow_name = UnicodeAttribute(null=True)
        workflow_id = UnicodeAttribute(null=True)
        workflow_input = UnicodeAttribute(null=True)  # JSON
        workflow_params = UnicodeAttribute(null=True)  # JSON
        first_execution_time = UnicodeAttribute(null=True)
        next_execution_time = UnicodeAttribute(null=True)
        remaining_executions = NumberAttribute(null=True)

    class EventTrigger(Definition, discriminator="event_trigger"):
        workflow_id = UnicodeAttribute(null=True)
        workflow_input = UnicodeAttribute(null=True)  # JSON
        workflow_params = UnicodeAttribute(null=True)  # JSON
        exchange = UnicodeAttribute(null=True)
        topic = UnicodeAttribute(null=True)
        event = UnicodeAttribute(null=True)

    return Models(settings, Execution, Definition, Workflow, Workbook, Action, Environment, CronTrigger,
                  EventTrigger)


def create_tables(models: Models, *, wait: bool = True) -> None:
    """Create both tables (on-demand billing, indexes, TTL) if they do not exist.
    For the emulator and tests; in AWS the CloudFormation template creates them."""
    for model in (models.Execution, models.Definition):
        if not model.exists():
            model.create_table(wait=wait, billing_mode=PAY_PER_REQUEST)
