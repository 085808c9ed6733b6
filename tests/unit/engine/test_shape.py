"""The engine's shape: pure imports, and one event touches a handful of records
whatever the size of the execution."""

import ast
import glob
import os

from sirocco.engine.simulation import Simulation

from .harness import catalog, std_action

ENGINE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "chalicelib", "sirocco", "engine")
ALLOWED = {"__future__", "typing", "dataclasses", "uuid", "datetime", "heapq", "collections",
           "sirocco.language", "sirocco.expressions"}


def test_engine_imports_only_the_stdlib_language_and_expressions():
    for path in glob.glob(os.path.join(ENGINE, "*.py")):
        tree = ast.parse(open(path, encoding="utf-8").read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name in ALLOWED, (path, name)


def test_one_event_touches_a_handful_of_records():
    n = 300
    text = "version: '2.0'\nwf:\n  tasks:\n" + "".join(
        f"    t{i}:\n      action: std.noop\n      publish: {{v{i % 3}: {i}}}\n"
        + (f"      on-success: [t{i + 1}]\n" if i + 1 < n else "") for i in range(n))
    sizes = []
    sim = Simulation(catalog("workflow", text), std_action,
                     on_decision=lambda eid, event, decision: sizes.append(len(decision.changed)))
    eid = sim.start("wf")
    sim.run()
    assert sim.header(eid).state == "SUCCESS"
    assert sim.header(eid).output == {"v0": 297, "v1": 298, "v2": 299}
    assert max(sizes) <= 5, max(sizes)
