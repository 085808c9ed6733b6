"""How fast Sirocco parses and validates workflows of 50, 1,000 and 10,000 tasks.

Each generated task carries its own expressions (no two tasks share text, so
no cache flatters the figure), a publish, a guarded transition, a retry and,
every tenth task, with-items and a join. Prints the median time of several
runs per size and the time per task; growth should be linear.

    python bench/validate.py                      # Sirocco only
    python bench/validate.py --mistral-url http://127.0.0.1:8990/v2
                                                  # also time Mistral's /workflows/validate
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request

from sirocco.language import parse_workflows




def generate(tasks: int) -> str:
    """A direct workflow: a chain with fan-out branches merging at join tasks."""
    lines = [
        "version: '2.0'",
        f"wf_{tasks}:",
        "  input: [seed, {limit: 10}]",
        "  output: {last: <% $.v0 %>}",
        "  tasks:",
    ]
    for i in range(tasks):
        nxt = f"t{i + 1}" if i + 1 < tasks else None
        lines += [
            f"    t{i}:",
            f"      action: std.echo output=<% $.seed + {i} %>",
            f"      publish: {{v{i}: '<% task().result * {i} %>', w{i}: '{{{{ _.seed ~ \"{i}\" }}}}'}}",
            f"      retry: count={i % 5 + 1} delay=1 break-on=<% $.v{i} > {i} %>",
        ]
        if i % 10 == 5:
            lines += [f"      with-items: x in <% range(0, $.limit + {i}) %>", "      concurrency: 4"]
        if i % 10 == 9:
            lines.append("      join: all")
        if nxt:
            lines += ["      on-success:", f"        - {nxt}: <% $.v{i} != {i} %>"]
            if i % 10 == 8:
                lines.append(f"      on-error: [{nxt}]")
    return "\n".join(lines) + "\n"


def time_sirocco(text: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        parse_workflows(text)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_mistral(text: str, url: str) -> float:
    request = urllib.request.Request(
        url.rstrip("/") + "/workflows/validate",
        data=text.encode(),
        headers={"Content-Type": "text/plain"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,1000,10000")
    parser.add_argument("--mistral-url", help="also time real Mistral's validate endpoint (50 tasks only)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'tasks':>7} {'lines':>7} {'seconds':>9} {'us/task':>9}")
    per_task = {}
    for size in sizes:
        text = generate(size)
        parse_workflows(text)  # warm imports and parser tables
        seconds = time_sirocco(text, runs=5 if size <= 1000 else 3)
        per_task[size] = seconds / size
        print(f"{size:>7} {text.count(chr(10)):>7} {seconds:>9.3f} {seconds / size * 1e6:>9.1f}")
    if len(sizes) > 1:
        small, big = sizes[-2], sizes[-1]
        print(f"growth {small}->{big} tasks: time x{per_task[big] * big / (per_task[small] * small):.1f} "
              f"for x{big / small:.0f} tasks")
    if args.mistral_url:
        text = generate(50)
        print(f"Mistral 23 validate, 50 tasks: {time_mistral(text, args.mistral_url):.2f} s; "
              f"Sirocco: {time_sirocco(text, runs=5):.4f} s")


if __name__ == "__main__":
    main()
