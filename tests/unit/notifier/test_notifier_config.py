"""The notifier's configuration: global publishers, retries, publisher keys."""

from __future__ import annotations

import pytest

from sirocco.notifier.config import NotifierSettings, NotifyConfigError, parse_publishers, publisher_key, with_global

HOOK = {"type": "webhook", "url": "https://example.com/hook"}
LOG = {"type": "log", "event_types": ["WORKFLOW_FAILED"]}


def test_global_publishers_are_a_json_list_of_typed_objects() -> None:
    assert parse_publishers("") == ()
    assert parse_publishers('[{"type": "log"}]') == ({"type": "log"},)
    assert parse_publishers('{"type": "log"}') == ({"type": "log"},)  # one object is a list of one
    for bad in ("[1]", '[{"url": "x"}]', "{nope", '"log"'):
        with pytest.raises(NotifyConfigError, match="SIROCCO_NOTIFY"):
            parse_publishers(bad)


def test_global_publishers_join_the_executions_own_once() -> None:
    assert with_global({}, (LOG,)) == {"notify": [LOG]}
    assert with_global({"notify": [HOOK], "env": {}}, (LOG,)) == {"notify": [HOOK, LOG], "env": {}}
    # a re-run copies the params of an execution that had them already
    assert with_global({"notify": [HOOK, LOG]}, (LOG,)) == {"notify": [HOOK, LOG]}
    assert with_global({"notify": [HOOK]}, ()) == {"notify": [HOOK]}


def test_publisher_keys_are_stable_and_distinct() -> None:
    assert publisher_key(HOOK) == publisher_key(dict(reversed(list(HOOK.items()))))
    assert publisher_key(HOOK) != publisher_key(LOG)
    assert len(publisher_key(None)) == 12


def test_settings_from_the_environment_and_the_backoff() -> None:
    s = NotifierSettings.from_env({"SIROCCO_NOTIFY_ATTEMPTS": "4", "SIROCCO_EVENT_BUS": "ops",
                                   "SIROCCO_NOTIFY": '[{"type": "log"}]'})
    assert (s.attempts, s.event_bus, s.event_source, s.publishers) == (4, "ops", "sirocco", ({"type": "log"},))
    assert NotifierSettings.from_env({"SIROCCO_NOTIFY_EVENT_BUS": "x", "SIROCCO_EVENT_BUS": "y"}).event_bus == "x"
    d = NotifierSettings()
    assert [d.delay_after(n) for n in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
