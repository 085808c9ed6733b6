"""The handlers of the Lambda functions (and of the local pollers): each takes
the SQS event Lambda delivers and returns the partial batch response.
Handlers are the only place that joins the engine to the adapters
(persistence, queues, actions). See docs/shell.md."""
