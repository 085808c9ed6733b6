"""The graph the console draws, computed from a workflow spec (pure: no server)."""

from __future__ import annotations

from sirocco.console.graph import graph_of
from sirocco.language import parse_workflows


def graph(text: str) -> dict:
    (spec,) = parse_workflows(text)
    return graph_of(spec)


def edges(found: dict) -> set[tuple[str, str, str, str | None]]:
    return {(e["source"], e["target"], e["on"], e["condition"]) for e in found["edges"]}


def test_transitions_become_edges_of_their_kind() -> None:
    found = graph("""\
version: '2.0'
wf:
  tasks:
    a:
      on-success:
        - b: <% $.go %>
        - c
      on-error: [c]
      on-complete: [d]
    b:
      on-skip: [d]
    c:
      join: all
    d:
      join: 2
""")
    assert edges(found) == {("t:a", "t:b", "success", "<% $.go %>"), ("t:a", "t:c", "success", None),
                            ("t:a", "t:c", "error", None), ("t:a", "t:d", "complete", None),
                            ("t:b", "t:d", "skip", None)}
    nodes = {n["name"]: n for n in found["nodes"]}
    assert [n["name"] for n in found["nodes"]] == ["a", "b", "c", "d"]  # document order
    assert nodes["a"]["start"] and not nodes["b"]["start"]
    assert (nodes["c"]["join"], nodes["d"]["join"], nodes["a"]["join"]) == ("all", 2, None)
    assert nodes["a"]["line"] == 4


def test_engine_commands_are_nodes_of_their_own_and_noop_is_left_out() -> None:
    found = graph("""\
version: '2.0'
wf:
  tasks:
    a:
      on-success: [noop]
      on-error:
        - fail(msg="broken")
    b:
      on-complete: [succeed, pause]
""")
    commands = [n for n in found["nodes"] if n["kind"] == "command"]
    assert [(c["name"], c["msg"]) for c in commands] == [("fail", "broken"), ("succeed", None), ("pause", None)]
    assert len({c["id"] for c in commands}) == 3
    assert {(e["source"], e["on"]) for e in found["edges"]} == {("t:a", "error"), ("t:b", "complete")}
    assert all(not n["id"].startswith("t:") for n in commands)


def test_task_facts_the_console_marks() -> None:
    found = graph("""\
version: '2.0'
wf:
  input: [xs]
  tasks:
    each:
      with-items:
        - x in <% $.xs %>
        - y in [1, 2]
      concurrency: 2
      action: std.echo output=<% $.x %>
      retry:
        count: 3
        delay: <% 1 + 1 %>
      on-success: [sub]
    sub:
      workflow: other
""")
    each, sub = found["nodes"]
    assert each["with_items"] == ["x in <% $.xs %>", "y in [1, 2]"]
    assert (each["concurrency"], each["retry"], each["action"], each["type"]) == (
        2, {"count": 3, "delay": "<% 1 + 1 %>"}, "std.echo", "action")
    assert (sub["type"], sub["workflow"], sub["action"]) == ("workflow", "other", None)


def test_reverse_workflow_edges_lead_from_what_a_task_requires() -> None:
    found = graph("""\
version: '2.0'
wf:
  type: reverse
  tasks:
    a: {action: std.noop}
    b: {requires: [a]}
    c: {requires: [a, b]}
""")
    assert found["type"] == "reverse"
    assert edges(found) == {("t:a", "t:b", "requires", None), ("t:a", "t:c", "requires", None),
                            ("t:b", "t:c", "requires", None)}
    assert [n["name"] for n in found["nodes"] if n["start"]] == ["a"]


def test_task_named_like_a_command_is_still_a_task() -> None:
    found = graph("""\
version: '2.0'
wf:
  tasks:
    first:
      on-success: [fail]
""")
    assert [n["kind"] for n in found["nodes"]] == ["task", "command"]
    assert found["nodes"][1]["id"] != "t:fail"
