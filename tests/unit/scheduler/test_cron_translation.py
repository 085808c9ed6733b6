"""Mistral's cron patterns translated to EventBridge's cron(): the translated
expression fires at exactly croniter's times (checked with an evaluator of
EventBridge's own rules), and what cannot be said exactly is left to chaining."""

from __future__ import annotations

import datetime as dt

import pytest
from croniter import croniter

from sirocco.scheduler.crontab import NEVER, next_time, to_eventbridge
from sirocco.scheduler.expressions import EventBridgeCron

#: Mistral pattern -> the EventBridge expression it becomes
TRANSLATED = [
    ("* * * * *", "cron(* * * * ? *)"),
    ("*/5 * * * *", "cron(0,5,10,15,20,25,30,35,40,45,50,55 * * * ? *)"),
    ("0 * * * *", "cron(0 * * * ? *)"),
    ("30 2 * * *", "cron(30 2 * * ? *)"),
    ("0 9 * * mon-fri", "cron(0 9 ? * 2-6 *)"),
    ("0 9 * * 1-5", "cron(0 9 ? * 2-6 *)"),
    ("15 10 * * sun", "cron(15 10 ? * 1 *)"),
    ("15 10 * * 7", "cron(15 10 ? * 1 *)"),
    ("0 0 * * 0,6", "cron(0 0 ? * 1,7 *)"),
    ("0 0 * * 6,0", "cron(0 0 ? * 1,7 *)"),
    ("0 12 1 * *", "cron(0 12 1 * ? *)"),
    ("0 12 1,15 * *", "cron(0 12 1,15 * ? *)"),
    ("0 12 */10 * *", "cron(0 12 1,11,21,31 * ? *)"),
    ("0 0 1 jan,jul *", "cron(0 0 1 1,7 ? *)"),
    ("0 0 29 2 *", "cron(0 0 29 2 ? *)"),
    ("0 0 31 * *", "cron(0 0 31 * ? *)"),
    ("0 0 L * *", "cron(0 0 L * ? *)"),
    ("*/15 0-6/2 1,15 jan-mar *", "cron(0,15,30,45 0,2,4,6 1,15 1-3 ? *)"),
    ("5,6,7,8 8-17 * * *", "cron(5-8 8-17 * * ? *)"),
    ("0 0-23/6 * * tue,thu", "cron(0 0,6,12,18 ? * 3,5 *)"),
    ("59 23 * dec *", "cron(59 23 * 12 ? *)"),
    ("0 0 1-31 * 0-6", "cron(0 0 * * ? *)"),
    ("0 0 1-31 * 1", "cron(0 0 * * ? *)"),  # croniter: every day of the month OR Mondays
    ("0 0 5 * 0-7", "cron(0 0 * * ? *)"),
]
#: patterns that fire rarely: fewer times compared (EventBridge's years end at 2199)
FEW = {"0 0 29 2 *": 20}

#: patterns EventBridge cannot say exactly: fired by chained one-time schedules
CHAINED = [
    "0 12 1 * mon",  # croniter: the 1st OR Mondays; EventBridge cannot OR its day fields
    "0 0 13 * 5",  # Friday or the 13th
    "0 0 * * 5#2",  # the second Friday (croniter's # is EventBridge's, but kept to croniter)
    "0 0 * * L5",  # croniter's last Friday
    "* * * * * 30",  # croniter's seconds field
    "* * * *",  # not 5 fields
    "H * * * *",  # hashed: croniter needs an id
    NEVER,  # a trigger given only a first time
]

STARTS = [dt.datetime(2024, 1, 1, 0, 0), dt.datetime(2024, 2, 28, 23, 59, 30), dt.datetime(2025, 12, 31, 12, 1)]


def croniter_times(pattern: str, start: dt.datetime, n: int) -> list[dt.datetime]:
    it = croniter(pattern, start)
    return [it.get_next(dt.datetime) for _ in range(n)]


def eventbridge_times(expression: str, start: dt.datetime, n: int) -> list[dt.datetime]:
    cron, out, moment = EventBridgeCron.parse(expression), [], start
    for _ in range(n):
        moment = cron.next_after(moment)
        assert moment is not None
        out.append(moment)
    return out


@pytest.mark.parametrize("pattern,expected", TRANSLATED)
def test_a_translated_pattern_fires_at_croniters_times(pattern: str, expected: str) -> None:
    expression = to_eventbridge(pattern)
    assert expression == expected
    n = FEW.get(pattern, 120)
    for start in STARTS:
        assert eventbridge_times(expression, start, n) == croniter_times(pattern, start, n), start


@pytest.mark.parametrize("pattern", CHAINED)
def test_what_eventbridge_cannot_say_is_not_translated(pattern: str) -> None:
    assert to_eventbridge(pattern) is None


def test_every_translation_has_exactly_one_question_mark() -> None:
    for _, expected in TRANSLATED:
        fields = expected[len("cron("):-1].split()
        assert len(fields) == 6 and (fields[2] == "?") != (fields[4] == "?")


def test_next_time_is_croniters_next_after() -> None:
    assert next_time("0 * * * *", dt.datetime(2030, 1, 1, 10, 0)) == dt.datetime(2030, 1, 1, 11, 0)
    assert next_time("0 12 1 * mon", dt.datetime(2024, 1, 1, 12, 0)) == dt.datetime(2024, 1, 8, 12, 0)
