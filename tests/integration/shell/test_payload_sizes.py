"""Payloads of every size between a few bytes and a few megabytes pass through
a task: the values that do not fit an item or a message go to S3 one by one,
and the header's commit (header + redo log + meta) stays under DynamoDB's
400 KB item limit whatever mix of sizes one batch writes."""

from __future__ import annotations

import uuid

import pytest

from .helpers import start, upload

ECHO = """
version: '2.0'
sized_{n}:
  input: [blob]
  output:
    size: <% len($.copy) %>
  tasks:
    echo:
      action: std.echo output=<% $.blob %>
      publish:
        copy: <% task().result %>
      on-success: [again]
    again:
      action: std.echo output=<% $.copy %>
      publish:
        copy: <% task().result %>
"""


@pytest.mark.parametrize("kb", [1, 40, 96, 150, 200, 300, 390, 500])
def test_a_payload_of_any_size_passes_through_two_tasks(client, rt, delivery, kb):
    n = uuid.uuid4().hex[:8]
    upload(client, ECHO.format(n=n))
    blob = "z" * (kb * 1024)
    ex = start(client, f"sized_{n}", {"blob": blob})
    header = delivery.run_execution(ex["id"])
    assert header.state == "SUCCESS", header.state_info
    assert header.output == {"size": len(blob)}
