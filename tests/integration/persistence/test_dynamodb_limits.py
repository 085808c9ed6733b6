"""Limits of DynamoDB that user input can reach: item size, key sizes, empty index
keys. moto lets some of these through; ``make test`` runs them against DynamoDB Local too."""

from __future__ import annotations

import json
import uuid

import pytest

from sirocco.persistence import payloads
from sirocco.persistence.settings import DYNAMODB_ITEM_LIMIT
from sirocco.persistence.definitions import TransactionTooLarge, definition_key, to_dict
from sirocco.persistence.keys import RANGE_KEY_MAX

from .helpers import decision_of, raw_items
from .records import every_record


def _item_size(item: dict) -> int:
    """DynamoDB's size of a stored item: names plus values, strings in UTF-8."""
    return sum(len(k) + len(str(v).encode("utf-8")) for k, v in item.items())


def test_a_workflow_document_larger_than_an_item_is_stored_and_read_back(definitions, models):
    project = str(uuid.uuid4())
    text = "version: '2.0'\nbig:\n  tasks:\n" + "".join(f"    t{i}:\n      action: std.noop\n" for i in range(25_000))
    assert len(text) > 2 * DYNAMODB_ITEM_LIMIT
    spec = {"type": "direct", "tasks": [f"t{i}" for i in range(25_000)]}
    created = definitions.create("workflow", "big", project_id=project, definition=text, spec=spec)
    assert created.definition == text  # the caller's item shows the whole text

    got = definitions.get("workflow", "big", project_id=project)
    assert (got.definition, to_dict(got)["spec"]) == (text, spec)
    assert "s3" not in to_dict(got)
    assert definitions.get_by_id(created.id).definition == text
    assert [i.definition for i in definitions.list("workflow", project_id=project, include_public=False)] == [text]

    raw = models.Workflow.get(*definition_key("workflow", project, "", "big"))
    assert raw.definition is None and "definition" in json.loads(raw.s3)
    assert _item_size(raw.attribute_values) < DYNAMODB_ITEM_LIMIT

    smaller = text[: len(text) // 3]
    definitions.update("workflow", "big", project_id=project, definition=smaller)
    assert definitions.get("workflow", "big", project_id=project).definition == smaller


def test_names_longer_than_a_dynamodb_key_allows(definitions):
    """Mistral allows 255 characters of name and namespace; in UTF-8, percent-quoted,
    that is more than a 1024-byte sort key holds."""
    project = str(uuid.uuid4())
    namespace = "é" * 255
    names = ["名" * 255, "名" * 254 + "x"]  # same long prefix: still two definitions
    for name in names:
        definitions.create("workflow", name, namespace=namespace, project_id=project, definition=name)
        assert len(definition_key("workflow", project, namespace, name)[1].encode("utf-8")) <= RANGE_KEY_MAX
    for name in names:
        assert definitions.get("workflow", name, namespace=namespace, project_id=project).definition == name
    listed = definitions.list("workflow", project_id=project, namespace=namespace, include_public=False)
    assert sorted(i.name for i in listed) == sorted(names)
    assert definitions.list("workflow", project_id=project, namespace="é", include_public=False) == []
    assert definitions.delete("workflow", names[0], namespace=namespace, project_id=project) is True
    assert [i.name for i in definitions.list("workflow", project_id=project, include_public=False)] == [names[1]]


def test_an_execution_with_an_empty_project_and_a_very_long_workflow_name_is_saved_and_listed(store):
    """Index keys may not be empty, and a partition key holds at most 2048 bytes."""
    workflow = "wb." + "ö" * 1500
    eid = str(uuid.uuid4())
    header = every_record(eid)[0]
    header.workflow = workflow
    store.save(eid, decision_of([header]), [], 0, meta={"project_id": ""})
    assert [h.id for h in store.list_executions("", workflow=workflow).items] == [eid]
    assert [h.id for h in store.list_executions("", state="RUNNING").items] == [eid]
    assert eid in [h.id for h in store.list_executions("").items]
    assert store.list_executions("", workflow=workflow[:-1]).items == []


def test_a_record_just_under_the_item_budget_stays_inline(store, eid, monkeypatch):
    """The budget leaves room for keys, names and index attributes under DynamoDB's exact limit."""
    monkeypatch.setattr(payloads, "FIELD_INLINE_MAX", 10**9)  # the budget alone decides here
    header, task = every_record(eid)[:2]
    task.result = "é" * (store.settings.item_budget // 2 - 2_000)  # two bytes a character
    store.save(eid, decision_of([header, task]), [], 0)
    item = raw_items(store, eid)[task.key]
    assert "s3" not in item and DYNAMODB_ITEM_LIMIT - 60_000 < _item_size(item) < DYNAMODB_ITEM_LIMIT
    assert store.load(eid).state.tasks[task.id].result == task.result


def test_a_large_field_goes_to_s3_and_is_not_written_again_while_unchanged(store, eid):
    """A write is billed by the whole item: a field over 16 KB (a join's arrivals, a big
    result) is kept in S3 even when the item has room, and carrying it unchanged through
    later saves writes no object again."""
    header, task = every_record(eid)[:2]
    task.result = "x" * 20_000
    store.save(eid, decision_of([header, task]), [], 0)
    item = raw_items(store, eid)[task.key]
    assert "result" in json.loads(item["s3"]) and _item_size(item) < 4_000
    puts = store.payloads.puts
    task.state_info = "changed, result not"
    store.save(eid, decision_of([header, task]), [], 1)
    assert store.payloads.puts == puts
    assert store.load(eid).state.tasks[task.id].result == task.result
    assert store.load(eid).state.tasks[task.id].state_info == "changed, result not"


def test_a_document_of_definitions_over_4_mb_in_all_is_written_at_once(definitions):
    """One transaction writes a document's definitions; DynamoDB refuses one over 4 MB (moto does not)."""
    project = str(uuid.uuid4())
    texts = {f"w{i}": f"{i:02d}" * 150_000 for i in range(15)}  # 300 KB each, 4.5 MB in all
    definitions.transact(create=[definitions.build("workflow", name, project_id=project, definition=text)
                                 for name, text in texts.items()])
    listed = definitions.list("workflow", project_id=project, include_public=False)
    assert {i.name: i.definition for i in listed} == texts


def test_a_transaction_takes_at_most_100_definitions(definitions):
    project = str(uuid.uuid4())
    items = [definitions.build("workflow", f"w{i}", project_id=project, definition="d") for i in range(101)]
    with pytest.raises(TransactionTooLarge):
        definitions.transact(create=items)
    assert definitions.list("workflow", project_id=project, include_public=False) == []
    definitions.transact(create=items[:100])
    assert len(definitions.list("workflow", project_id=project, include_public=False)) == 100
