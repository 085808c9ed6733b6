"""Event triggers on EventBridge: the pattern and input mapping a trigger holds
(``pattern``) and what a matched event starts (``firing``). The rules themselves are
made by ``sirocco.eventbridge`` from ``api.event_triggers``; matched events are read
by ``sirocco.handlers.events``. See docs/event-triggers.md."""
