"""The notifier: delivers the engine's ``Notify`` commands to their publishers.

``config`` (global publishers, retry settings), ``notification`` (what a publisher
is given, how it fails), one module per publisher type (``webhook``, ``logline``,
``bus``) and ``publish`` (dispatch by type). The handler that reads the notifier
queue, orders and retries is ``sirocco.handlers.notifier``. See docs/notifier.md.
"""
