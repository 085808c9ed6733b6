"""AWS list prices (us-east-1) and what each metered line costs at them.

A usage line is (service, operation) with its requests and units; the unit of a
line depends on its service (``UNITS``). Prices are per unit in dollars.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the unit counted in ``units`` for each service
UNITS = {
    "lambda": "GB-s",
    "apigateway": "request",
    "dynamodb": "capacity unit",  # write units for writes, read units for reads
    "sqs-standard": "64 KB request",
    "sqs-fifo": "64 KB request",
    "s3": "request",
    "scheduler": "invocation",
    "events": "64 KB event",
    "logs": "GB ingested",
}

#: DynamoDB operations billed in write units (the rest read)
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
#: S3 requests of the PUT/COPY/POST/LIST class (the GET class is the rest, DELETE is free)
S3_CLASS_A = frozenset({"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart",
                        "CompleteMultipartUpload", "ListObjects", "ListObjectsV2"})
S3_FREE = frozenset({"DeleteObject", "DeleteObjects", "AbortMultipartUpload"})
#: Scheduler's API calls are free; its schedules' firings are billed (operation "Invocation")
SCHEDULER_BILLED = frozenset({"Invocation"})
STEP_FUNCTIONS_PER_TRANSITION = 25.0 / 1_000_000


@dataclass(frozen=True)
class Prices:
    lambda_request: float = 0.20 / 1_000_000
    #: arm64 (Graviton), the architecture .chalice/config.json deploys (x86_64 is 0.0000166667)
    lambda_gb_second: float = 0.0000133334
    apigateway_request: float = 3.50 / 1_000_000  # REST API
    dynamodb_write_unit: float = 0.625 / 1_000_000
    dynamodb_read_unit: float = 0.125 / 1_000_000
    sqs_standard_request: float = 0.40 / 1_000_000
    sqs_fifo_request: float = 0.50 / 1_000_000
    s3_class_a: float = 0.005 / 1000
    s3_class_b: float = 0.0004 / 1000
    scheduler_invocation: float = 1.00 / 1_000_000
    events_entry: float = 1.00 / 1_000_000
    logs_ingested_gb: float = 0.50  # CloudWatch Logs, standard class

    def line(self, service: str, operation: str, requests: float, units: float) -> float:
        """Dollars of one usage line."""
        if service == "lambda":
            return requests * self.lambda_request + units * self.lambda_gb_second
        if service == "apigateway":
            return requests * self.apigateway_request
        if service == "dynamodb":
            price = self.dynamodb_write_unit if operation in DYNAMODB_WRITES else self.dynamodb_read_unit
            return units * price
        if service == "sqs-standard":
            return units * self.sqs_standard_request
        if service == "sqs-fifo":
            return units * self.sqs_fifo_request
        if service == "s3":
            if operation in S3_FREE:
                return 0.0
            return requests * (self.s3_class_a if operation in S3_CLASS_A else self.s3_class_b)
        if service == "scheduler":
            return units * self.scheduler_invocation if operation in SCHEDULER_BILLED else 0.0
        if service == "events":
            return units * self.events_entry
        if service == "logs":
            return units * self.logs_ingested_gb
        return 0.0  # not priced (listed in the report all the same)


LIST_PRICES = Prices()


def step_functions_standard(transitions: float) -> float:
    """What Step Functions Standard charges for ``transitions`` state transitions."""
    return transitions * STEP_FUNCTIONS_PER_TRANSITION
