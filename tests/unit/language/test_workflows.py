"""Workflow-level attributes of a workflow list document."""

import pytest
from lang_util import errors, one_error, workflow

from sirocco.language import InputParam, parse_workflows
from sirocco.language.specs import FrozenDict


def test_minimal_workflow_is_direct_and_keeps_task_order():
    spec = workflow(
        """
        version: '2.0'
        wf:
          tasks:
            b:
              action: std.noop
            a:
              action: std.noop
        """
    )
    assert spec.name == "wf"
    assert spec.type == "direct"
    assert list(spec.tasks) == ["b", "a"]
    assert isinstance(spec.tasks, FrozenDict)
    assert spec.line == 2


def test_all_workflow_attributes():
    spec = workflow(
        """
        version: '2.0'
        wf:
          description: does things
          tags: [one, two]
          input:
            - a
            - b: 5
            - c: null
          output:
            sum: <% $.a + $.b %>
          output-on-error:
            why: <% execution().state_info %>
          vars:
            counter: 0
          tasks:
            t1:
              action: std.noop
        """
    )
    assert spec.description == "does things"
    assert spec.tags == ("one", "two")
    assert spec.input == (
        InputParam("a", None, True),
        InputParam("b", 5, False),
        InputParam("c", None, False),
    )
    assert spec.input_names == ("a", "b", "c")
    assert spec.output == {"sum": "<% $.a + $.b %>"}
    assert spec.output_on_error == {"why": "<% execution().state_info %>"}
    assert spec.vars == {"counter": 0}


def test_several_workflows_in_one_document():
    specs = parse_workflows("version: '2.0'\nw1:\n  tasks: {t: {action: std.noop}}\nw2:\n  tasks: {t: {action: std.noop}}\n")
    assert [s.name for s in specs] == ["w1", "w2"]


def test_version_may_be_a_number():
    # Mistral 23 accepts version 2.0 and 2 as numbers (checked on the server).
    for version in ("2.0", "'2.0'", "2"):
        (spec,) = parse_workflows(f"version: {version}\nwf:\n  tasks: {{t: {{action: std.noop}}}}\n")
        assert spec.name == "wf"


def test_missing_version_is_refused():
    error = one_error(
        """
        wf:
          tasks:
            t1: {action: std.noop}
        """
    )
    assert error.attribute == "version"
    assert "missing" in error.message


def test_other_version_is_refused():
    # Deliberate: Mistral 23 accepts any version in a workflow list ('3.0' passes).
    error = one_error(
        """
        version: '3.0'
        wf:
          tasks:
            t1: {action: std.noop}
        """
    )
    assert error.attribute == "version" and error.line == 1
    assert "'3.0'" in error.message


def test_a_huge_numeric_version_is_refused_not_an_internal_error():
    error = one_error("version: " + "9" * 400 + "\nwf:\n  tasks:\n    t1: {action: std.noop}\n")
    assert error.attribute == "version"
    assert "internal error" not in error.message


def test_unknown_workflow_attribute_is_refused():
    # Deliberate: Mistral 23 ignores unknown workflow attributes (checked on the server).
    error = one_error(
        """
        version: '2.0'
        wf:
          outputs: {a: 1}
          tasks:
            t1: {action: std.noop}
        """
    )
    assert (error.workflow, error.attribute, error.line) == ("wf", "outputs", 3)
    assert "unknown attribute" in error.message


def test_unknown_type_is_refused():
    error = one_error(
        """
        version: '2.0'
        wf:
          type: sideways
          tasks:
            t1: {action: std.noop}
        """
    )
    assert error.attribute == "type" and "'sideways'" in error.message


def test_workflow_needs_tasks():
    # Checked on the server: 'tasks' is a required property.
    error = one_error(
        """
        version: '2.0'
        wf:
          description: nothing to do
        """
    )
    assert error.workflow == "wf" and "tasks" in error.message


@pytest.mark.parametrize("tasks", ["{}", "[]", "null", "hello"])
def test_tasks_must_be_a_non_empty_mapping(tasks):
    error = one_error(f"version: '2.0'\nwf:\n  tasks: {tasks}\n")
    assert error.attribute == "tasks" and error.line == 3


def test_a_task_must_be_a_non_empty_mapping():
    # Checked on the server: a null task body is refused.
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
        """
    )
    assert (error.task, error.line) == ("t1", 4)


def test_input_entries_are_names_or_one_key_mappings():
    found = errors(
        """
        version: '2.0'
        wf:
          input:
            - a
            - {b: 1, c: 2}
            - 7
            - a
          tasks:
            t1: {action: std.noop}
        """
    )
    assert [e.line for e in found] == [5, 6, 7]
    assert all(e.attribute == "input" for e in found)
    assert "declared twice" in found[2].message


def test_description_must_be_text():
    # Deliberate: Mistral 23 accepts `description: 5` on a workflow (checked on the server).
    error = one_error("version: '2.0'\nwf:\n  description: 5\n  tasks: {t: {action: std.noop}}\n")
    assert error.attribute == "description"


def test_empty_output_vars_are_refused():
    # Mistral's schema wants non-empty mappings here.
    found = errors("version: '2.0'\nwf:\n  vars: {}\n  output: []\n  tasks: {t: {action: std.noop}}\n")
    assert {e.attribute for e in found} == {"vars", "output"}


def test_tags_must_be_unique_strings():
    found = errors("version: '2.0'\nwf:\n  tags: [a, a, 3]\n  tasks: {t: {action: std.noop}}\n")
    assert len(found) == 2 and all(e.attribute == "tags" for e in found)


def test_workflow_name_that_looks_like_a_uuid_is_refused():
    # Checked on the server: "Workflow name cannot be in the format of UUID."
    error = one_error(
        """
        version: '2.0'
        123e4567-e89b-12d3-a456-426614174000:
          tasks:
            t1: {action: std.noop}
        """
    )
    assert error.line == 2 and "UUID" in error.message


def test_document_without_workflows_is_refused():
    # Checked on the server: "At least one item must be in the list".
    error = one_error("version: '2.0'\n")
    assert "no workflow" in error.message


def test_workflow_body_must_be_a_mapping():
    error = one_error("version: '2.0'\nwf: [1, 2]\n")
    assert error.workflow == "wf" and error.line == 2


def test_task_named_like_an_engine_command():
    # Mistral accepts a task named 'fail' (checked on the server). It can run as a start
    # task, but a transition 'fail' runs the engine command: that reference is refused.
    spec = workflow("version: '2.0'\nwf:\n  tasks:\n    fail: {action: std.noop}\n")
    assert list(spec.tasks) == ["fail"]
    error = one_error(
        """
        version: '2.0'
        wf:
          tasks:
            t1:
              action: std.noop
              on-error: fail
            fail:
              action: std.noop
        """
    )
    assert (error.task, error.attribute, error.line) == ("t1", "on-error", 6)
    assert "engine command" in error.message


def test_task_name_length_is_limited():
    name = "t" * 256
    error = one_error(f"version: '2.0'\nwf:\n  tasks:\n    {name}: {{action: std.noop}}\n")
    assert "255" in error.message


def test_specs_are_immutable():
    spec = workflow("version: '2.0'\nwf:\n  tasks:\n    t1: {action: std.noop}\n")
    with pytest.raises(AttributeError):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.tasks["t2"] = spec.tasks["t1"]  # type: ignore[index]


def test_task_name_with_spaces_is_accepted():
    # Checked on the server: accepted (a transition cannot name it, but it can start).
    spec = workflow("version: '2.0'\nwf:\n  tasks:\n    my task: {action: std.noop}\n")
    assert spec.start_tasks == ("my task",)


def test_yaml_boolean_task_name_gets_a_hint():
    error = one_error("version: '2.0'\nwf:\n  tasks:\n    on: {action: std.noop}\n    t2: {action: std.noop}\n")
    assert error.line == 4 and "quote the name" in error.message


def test_spec_data_is_plain_json():
    """The engine stores and evaluates spec data as is: no loader types may leak out."""
    import dataclasses
    import json

    from sirocco.language.yaml_loader import YList, YMap

    spec = workflow(
        """
        version: '2.0'
        wf:
          input: [a, {b: {c: [1, {d: 2}]}}]
          vars: {v: {w: [x, {y: z}]}}
          output: {o: [1]}
          task-defaults:
            retry: {count: 1, delay: 1}
            on-error: [h]
          tasks:
            t1:
              action: 'std.echo output=[1, {"k": 2}]'
              input: {deep: {er: [1, {x: 1}]}}
              publish: {p: {q: [1]}}
              on-success:
                publish: {global: {g: {h: 1}}}
                next: [{h: <% $.a %>}]
              with-items: ['x in [1, {"a": 2}]']
            h: {action: std.noop}
        """
    )

    def walk(value):
        assert not isinstance(value, (YMap, YList)), type(value)
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(spec)
    t1 = spec.tasks["t1"]
    json.dumps([spec.vars, spec.output, [p.default for p in spec.input], t1.input, t1.publish.branch, t1.publish.global_])
