"""The chaos test's mix of workflows: sequential, join, with-items with concurrency,
retries, sub-workflows, failures. Every task is ``safe-rerun`` (task-defaults): an
action that is not would, by design, end in ERROR when a crash interrupts it, which
is not the fault-free outcome (test_exactly_once.py covers those)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

MIX = """
version: '2.0'

chaos_seq:
  input: [a, b]
  task-defaults: {safe-rerun: true}
  output: {sum: <% $.third %>}
  tasks:
    first:
      action: test.count value=<% $.a %>
      publish: {first: <% task().result %>}
      on-success: [second]
    second:
      action: test.count value=<% $.first + $.b %>
      publish: {second: <% task().result %>}
      on-success: [third]
    third:
      action: std.echo output=<% $.second * 2 %>
      publish: {third: <% task().result %>}

chaos_join:
  input: [n]
  task-defaults: {safe-rerun: true}
  output: {joined: <% $.joined %>}
  tasks:
    split:
      action: std.noop
      on-success: [left, middle, right]
    left:
      action: test.count value=<% $.n %>
      publish: {l: <% task().result %>}
      on-success: [join]
    middle:
      action: test.count value=<% $.n + 1 %>
      publish: {m: <% task().result %>}
      on-success: [join]
    right:
      action: test.flaky label="right"
      retry: {count: 2, delay: 0}
      publish: {r: <% task().result %>}
      on-success: [join]
    join:
      join: all
      action: std.echo output=<% [$.l, $.m, $.r] %>
      publish: {joined: <% task().result %>}

chaos_items:
  input: [xs, c]
  task-defaults: {safe-rerun: true}
  output: {doubled: <% $.doubled %>, after: <% $.after %>}
  tasks:
    each:
      with-items: x in <% $.xs %>
      concurrency: <% $.c %>
      action: test.count value=<% $.x * 2 %>
      publish: {doubled: <% task().result %>}
      on-success: [after]
    after:
      action: std.echo output=<% len($.doubled) %>
      publish: {after: <% task().result %>}

chaos_retry:
  input: [fails]
  task-defaults: {safe-rerun: true}
  output-on-error: {handled: <% $.get(handled) %>}
  output: {flaky: <% $.flaky %>, handled: <% $.get(handled) %>}
  tasks:
    flaky:
      action: test.flaky label="flaky" fails=<% $.fails %>
      retry: {count: 2, delay: 0}
      publish: {flaky: <% task().result %>}
      publish-on-error: {flaky: failed}
      on-error: [handle]
    handle:
      action: std.echo output="handled"
      publish: {handled: <% task().result %>}

chaos_parent:
  input: [xs]
  task-defaults: {safe-rerun: true}
  output: {children: <% $.children %>, total: <% $.total %>}
  tasks:
    subs:
      with-items: x in <% $.xs %>
      concurrency: 2
      workflow: chaos_child
      input: {x: <% $.x %>}
      publish: {children: <% task().result %>}
      on-success: [total]
    total:
      action: std.echo output=<% $.children.select($.y).sum() %>
      publish: {total: <% task().result %>}

chaos_child:
  input: [x]
  task-defaults: {safe-rerun: true}
  output: {y: <% $.y %>}
  tasks:
    one:
      action: test.count value=<% $.x + 100 %>
      publish: {y: <% task().result %>}

chaos_fail:
  input: [msg]
  task-defaults: {safe-rerun: true}
  output-on-error: {got: <% $.get(got) %>}
  tasks:
    fine:
      action: test.count value=1
      publish: {got: <% task().result %>}
      on-success: [boom, side]
    boom:
      action: std.fail error_data=<% $.msg %>
    side:
      action: test.count value=2
"""


@dataclass(frozen=True)
class Case:
    workflow: str
    input: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.workflow}:{sorted(self.input.items())}"


def cases(seed: int = 7) -> list[Case]:
    """One case of each workflow and a few variants, drawn from ``seed``."""
    r = random.Random(seed)
    out = [Case("chaos_seq", {"a": r.randint(1, 9), "b": r.randint(1, 9)}),
           Case("chaos_join", {"n": r.randint(1, 50)}),
           Case("chaos_items", {"xs": list(range(r.randint(3, 5))), "c": 2}),
           Case("chaos_items", {"xs": [r.randint(1, 9) for _ in range(4)], "c": 3}),
           Case("chaos_retry", {"fails": 1}),
           Case("chaos_retry", {"fails": 3}),
           Case("chaos_parent", {"xs": [1, 2]}),
           Case("chaos_fail", {"msg": "boom"})]
    return out
