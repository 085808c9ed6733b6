"""EventBridge Scheduler's expressions as AWS documents them: at(), rate() and
cron() with its 1 = Sunday week, '?', L, W and #."""

from __future__ import annotations

import datetime as dt

import pytest

from sirocco.scheduler.expressions import EventBridgeCron, at_expression, at_time, cron_next, rate_seconds


def times(expression: str, start: dt.datetime, n: int = 3) -> list[dt.datetime]:
    cron, out = EventBridgeCron.parse(expression), []
    for _ in range(n):
        start = cron.next_after(start)  # type: ignore[assignment]
        out.append(start)
    return out


def test_at_expressions_round_trip_whole_seconds() -> None:
    assert at_expression(1893553445.9) == "at(2030-01-02T03:04:05)"
    assert at_time("at(2030-01-02T03:04:05)") == 1893553445.0
    assert at_time("at(2030-01-02T04:04:05)", "Europe/Paris") == 1893553445.0
    assert at_time("cron(* * * * ? *)") is None
    assert rate_seconds("rate(5 minutes)") == 300 and rate_seconds("rate(1 day)") == 86400


def test_day_of_week_counts_from_sunday_one() -> None:
    # 2024-01-07 is a Sunday
    assert times("cron(0 8 ? * 1 *)", dt.datetime(2024, 1, 1))[0] == dt.datetime(2024, 1, 7, 8, 0)
    assert times("cron(0 8 ? * SUN *)", dt.datetime(2024, 1, 1))[0] == dt.datetime(2024, 1, 7, 8, 0)
    assert times("cron(0 8 ? * 7 *)", dt.datetime(2024, 1, 1))[0] == dt.datetime(2024, 1, 6, 8, 0)
    assert [t.day for t in times("cron(0 8 ? * MON-FRI *)", dt.datetime(2024, 1, 5, 9), 3)] == [8, 9, 10]


def test_increments_start_where_they_say() -> None:
    assert [t.minute for t in times("cron(1/10 * * * ? *)", dt.datetime(2024, 1, 1), 4)] == [1, 11, 21, 31]
    assert [t.minute for t in times("cron(0/15 * * * ? *)", dt.datetime(2024, 1, 1), 3)] == [15, 30, 45]
    assert [t.hour for t in times("cron(0 */8 * * ? *)", dt.datetime(2024, 1, 1, 1), 3)] == [8, 16, 0]


def test_last_days_weekdays_and_nth_weekdays() -> None:
    assert times("cron(0 0 L * ? *)", dt.datetime(2024, 1, 31), 2) == [dt.datetime(2024, 2, 29),
                                                                       dt.datetime(2024, 3, 31)]
    # 2024-06-15 is a Saturday: the nearest weekday is Friday the 14th; June 1st (a Saturday) -> Monday 3rd
    assert times("cron(0 0 15W * ? *)", dt.datetime(2024, 6, 1))[0] == dt.datetime(2024, 6, 14)
    assert times("cron(0 0 1W * ? *)", dt.datetime(2024, 5, 31))[0] == dt.datetime(2024, 6, 3)
    # 2024-08-31 is a Saturday: the last weekday is Friday the 30th
    assert times("cron(0 0 LW * ? *)", dt.datetime(2024, 8, 1))[0] == dt.datetime(2024, 8, 30)
    # the last Friday of January 2024 is the 26th; its first Monday the 1st
    assert times("cron(0 0 ? * 6L *)", dt.datetime(2024, 1, 1))[0] == dt.datetime(2024, 1, 26)
    assert times("cron(0 0 ? * 2#1 *)", dt.datetime(2023, 12, 31))[0] == dt.datetime(2024, 1, 1)
    assert times("cron(0 0 ? * 2#1 *)", dt.datetime(2024, 1, 1), 1)[0] == dt.datetime(2024, 2, 5)


def test_years_and_the_end_of_time() -> None:
    assert times("cron(0 0 1 1 ? 2030-2031)", dt.datetime(2024, 1, 1), 2) == [dt.datetime(2030, 1, 1),
                                                                              dt.datetime(2031, 1, 1)]
    assert EventBridgeCron.parse("cron(0 0 1 1 ? 2030)").next_after(dt.datetime(2030, 6, 1)) is None


@pytest.mark.parametrize("expression", [
    "cron(* * * * * *)",  # neither day field is '?'
    "cron(* * ? * ? *)",  # both are
    "cron(* * * * ?)",  # five fields
    "cron(60 * * * ? *)", "cron(* 24 * * ? *)", "cron(* * 0 * ? *)", "cron(* * ? * 8 *)",
    "cron(* * ? * FOO *)", "cron(5-1 * * * ? *)", "rate(1 minute)",
])
def test_what_eventbridge_refuses_is_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        EventBridgeCron.parse(expression)


def test_cron_next_reads_epochs_in_the_schedules_zone() -> None:
    after = dt.datetime(2024, 7, 1, 0, 0, tzinfo=dt.timezone.utc).timestamp()
    assert cron_next("cron(0 12 * * ? *)", after) == after + 12 * 3600
    # noon in Paris (UTC+2 in July) is 10:00 UTC
    assert cron_next("cron(0 12 * * ? *)", after, "Europe/Paris") == after + 10 * 3600
