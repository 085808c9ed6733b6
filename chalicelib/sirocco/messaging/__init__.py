"""Messaging: the queues between the engine, the executors, the timer and the
notifier. Envelopes (engine events and commands <-> JSON), queue settings, an
SQS sender that batches and offloads large bodies to S3, the routing of engine
commands to queues, and the shape of the SQS events Lambda delivers.
See docs/shell.md."""

from .envelopes import ENVELOPE_VERSION, Envelope, EnvelopeError, decode, encode, message_types
from .queues import OutMessage, Queues
from .settings import QueueSettings

__all__ = ["ENVELOPE_VERSION", "Envelope", "EnvelopeError", "OutMessage", "QueueSettings", "Queues", "decode",
           "encode", "message_types"]
