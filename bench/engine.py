"""Engine benchmark: events applied per second by ``decide`` (the pure core,
without the simulation driver's own bookkeeping), on

- a chain of N sequential std.noop tasks,
- a fan-out of N tasks into one ``join: all``,
- with-items over 10 N items with concurrency 100,
- the same over a list in the context (``x in <% $.list %>``, the list a
  workflow var, each item's input ``<% $.x %>``): an item's evaluation must
  not cost the size of the context,

at a small and at the full size; the ratio of per-event costs shows whether
the cost of one event grows with the size of the execution (target <= 1.5).

    .venv/bin/python bench/engine.py [--n 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "chalicelib"))

from sirocco.engine import ActionSignature, Catalog, decide  # noqa: E402
from sirocco.engine.simulation import ActionOutcome, Simulation  # noqa: E402
from sirocco.language import parse_workflows  # noqa: E402

NOOP = ActionOutcome(None)


def noop(cmd, sim):
    return NOOP


def sequential(n: int) -> str:
    lines = ["version: '2.0'", "wf:", "  tasks:"]
    for i in range(n):
        lines.append(f"    t{i}:")
        lines.append("      action: std.noop")
        if i + 1 < n:
            lines.append(f"      on-success: [t{i + 1}]")
    return "\n".join(lines) + "\n"


def fan_in(n: int) -> str:
    lines = ["version: '2.0'", "wf:", "  tasks:", "    start:", "      action: std.noop",
             "      on-success: [" + ", ".join(f"b{i}" for i in range(n)) + "]"]
    for i in range(n):
        lines += [f"    b{i}:", "      action: std.noop", "      on-success: [j]"]
    lines += ["    j:", "      join: all", "      action: std.noop"]
    return "\n".join(lines) + "\n"


def with_items(n: int) -> str:
    return ("version: '2.0'\nwf:\n  tasks:\n    t:\n"
            f"      with-items: i in <% range({n}).toList() %>\n"
            "      concurrency: 100\n      action: std.noop\n")


def with_items_over_context(n: int) -> str:
    return ("version: '2.0'\nwf:\n"
            f"  vars:\n    list: <% range({n}).toList() %>\n"
            "  tasks:\n    t:\n"
            "      with-items: x in <% $.list %>\n"
            "      concurrency: 100\n      action: std.echo output=<% $.x %>\n")


class Timed(Simulation):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.spent = 0.0
        self.events = 0

    def apply(self, execution_id, events):
        state = self.executions[execution_id]
        t0 = time.perf_counter()
        decision = decide(self.specs, state, events)
        self.spent += time.perf_counter() - t0
        self.events += len(events)
        for command in decision.commands:
            self._perform(execution_id, command)
        return decision


def measure(text: str) -> tuple[int, float, str]:
    specs = Catalog.of(parse_workflows(text), signatures={"std.noop": ActionSignature(),
                                                          "std.echo": ActionSignature(required=("output",))})
    sim = Timed(specs, noop)
    eid = sim.start("wf")
    sim.run()
    return sim.events, sim.spent, sim.header(eid).state


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    n = args.n
    scenarios = [("sequential tasks", sequential, 10, n), ("fan-out into join: all", fan_in, 10, n),
                 ("with-items, concurrency 100", with_items, 100, 10 * n),
                 ("with-items over $.list, conc. 100", with_items_over_context, 100, 10 * n)]
    print(f"{'scenario':32} {'size':>7} {'events':>8} {'events/s':>10} {'us/event':>9} {'ratio':>6}")
    for label, build, small, full in scenarios:
        measure(build(small))  # warm caches
        best_small = min((measure(build(small)) for _ in range(5)), key=lambda r: r[1] / r[0])
        ev_s, t_s, _ = best_small
        ev_f, t_f, state = measure(build(full))
        assert state == "SUCCESS", state
        per_small, per_full = t_s / ev_s, t_f / ev_f
        print(f"{label:32} {small:>7} {ev_s:>8} {ev_s / t_s:>10.0f} {per_small * 1e6:>9.1f}")
        print(f"{'':32} {full:>7} {ev_f:>8} {ev_f / t_f:>10.0f} {per_full * 1e6:>9.1f} {per_full / per_small:>6.2f}")


if __name__ == "__main__":
    main()
