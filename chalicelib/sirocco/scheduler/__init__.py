"""Time-driven work on EventBridge Scheduler: long delayed calls and cron triggers.

``expressions`` reads and writes EventBridge Scheduler's ``at()``, ``rate()``
and ``cron()``; ``crontab`` translates Mistral's 5-field cron patterns;
``calls`` names the one-time schedules of delayed calls; ``triggers`` decides
which schedules a cron trigger needs; ``schedules`` is the boto3 adapter.
docs/scheduler.md tells the whole story.
"""
