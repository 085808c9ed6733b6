"""What an execution used: requests and units per (service, operation).

A ``Usage`` is a value: ``a + b`` adds two, ``u.scaled(1 / n)`` is one n-th of a
request shared by n executions, ``u.cost(prices)`` prices it per service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping

from .prices import LIST_PRICES, Prices

Key = tuple[str, str]  # (service, operation)


@dataclass(frozen=True)
class Line:
    """One (service, operation): requests made (attempts, retries included), billed units, payload bytes."""

    requests: float = 0.0
    units: float = 0.0
    bytes: float = 0.0

    def __add__(self, other: "Line") -> "Line":
        return Line(self.requests + other.requests, self.units + other.units, self.bytes + other.bytes)

    def scaled(self, factor: float) -> "Line":
        return Line(self.requests * factor, self.units * factor, self.bytes * factor)


@dataclass(frozen=True)
class Usage:
    lines: Mapping[Key, Line] = field(default_factory=dict)

    @classmethod
    def of(cls, service: str, operation: str, requests: float = 1, units: float = 0, bytes: float = 0) -> "Usage":
        return cls({(service, operation): Line(requests, units, bytes)})

    def __add__(self, other: "Usage") -> "Usage":
        lines = dict(self.lines)
        for key, line in other.lines.items():
            lines[key] = lines[key] + line if key in lines else line
        return Usage(lines)

    def __bool__(self) -> bool:
        return bool(self.lines)

    def __iter__(self) -> Iterator[tuple[Key, Line]]:
        return iter(sorted(self.lines.items()))

    def scaled(self, factor: float) -> "Usage":
        return Usage({key: line.scaled(factor) for key, line in self.lines.items()})

    def service(self, name: str) -> Line:
        """All the lines of one service added up."""
        total = Line()
        for (service, _), line in self.lines.items():
            if service == name:
                total += line
        return total

    def cost(self, prices: Prices = LIST_PRICES) -> dict[str, float]:
        """Dollars per service."""
        out: dict[str, float] = {}
        for (service, operation), line in self.lines.items():
            out[service] = out.get(service, 0.0) + prices.line(service, operation, line.requests, line.units)
        return out

    def total(self, prices: Prices = LIST_PRICES) -> float:
        return sum(self.cost(prices).values())
