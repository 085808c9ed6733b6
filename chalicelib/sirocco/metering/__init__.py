"""Metering: what each execution costs on AWS, request by request (docs/cost.md).

``meter.install()`` counts every AWS request of the process (meter.py), the
Lambda and API wrappers add what AWS bills around the code (invocations.py), and
``attribution.working_for(execution_id)`` tells whose work it is. The ledger keeps
the usage per execution; report.py prices it.
"""

from .attribution import now_working_for, working_for
from .ledger import LEDGER, READS, UNATTRIBUTED
from .prices import LIST_PRICES, Prices
from .usage import Line, Usage

__all__ = ["LEDGER", "LIST_PRICES", "Line", "Prices", "READS", "UNATTRIBUTED", "Usage", "now_working_for",
           "working_for"]
