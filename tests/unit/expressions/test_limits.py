"""Memory and work limits refuse runaway expressions in both languages, cleanly."""

import pytest

from sirocco.expressions import DEFAULT_LIMITS, ExpressionLimitError, Limits, evaluate

SMALL = Limits(work_budget=200_000, memory_quota=100_000, max_iterations=1000)
BIG = {"big": "x" * 50_000, "l": list(range(1000))}


def refused(text, data=None, limits=DEFAULT_LIMITS):
    with pytest.raises(ExpressionLimitError) as info:
        evaluate(text, data if data is not None else {}, limits=limits)
    return info.value.cause


@pytest.mark.parametrize("text", [
    "<% 'a' * 10000000000 %>",
    "<% 10000000000 * 'a' %>",
    "{{ 'a' * 10**10 }}",
    "{{ 10**10 * 'a' }}",
    "{{ 'a'.ljust(10**10) }}",
    "{{ 'a'.zfill(10**10) }}",
    "{{ 'a'.center(10**10) }}",
    "{{ '\t'.expandtabs(10**10) }}",
    "{{ 'a' | center(10**10) }}",
    "{{ '{:>10000000000}'.format(1) }}",
    "{{ '%10000000000s' % 1 }}",
    "{{ '%10000000000s' | format(1) }}",
    "{{ (10).to_bytes(10**10, 'big') }}",
    "{{ [1] | tojson(indent=10**8) }}",
])
def test_huge_strings_are_refused_before_they_are_built(text):
    assert "string of" in refused(text)


@pytest.mark.parametrize("text", [
    "<% [1] * 10000000000 %>",
    "{{ [1] * 10**10 }}",
    "{{ range(10**10) }}",
    "{{ range(10**10) | length }}",
    "{{ [1] | batch(10**10, 0) | list }}",
    "{{ [1] | slice(10**10) | list }}",
])
def test_huge_collections_are_refused(text):
    assert "items" in refused(text)


@pytest.mark.parametrize("text", [
    "<% sequence() %>",
    "<% range(5000).toList() %>",
    "<% range(10000000000).select($) %>",
])
def test_yaql_iterator_limit(text):
    assert "1000 items" in refused(text, limits=Limits(max_iterations=1000))


def test_default_iterator_limit_is_200000_items():
    assert "200000 items" in refused("<% range(300000).toList() %>")


@pytest.mark.parametrize("text", [
    "{{ 2 ** (10 ** 10) }}",
    "{{ 10 ** 100000 }}",
    "<% pow(10, 100000) %>",
    "<% pow(a => 10, b => 100000) %>",
    "<% shiftBitsLeft(1, 10000000000) %>",
])
def test_huge_integers_are_refused(text):
    assert "integer of about" in refused(text)


def test_ordinary_formatting_and_replacing_are_fine():
    assert evaluate(["{{ '%s-%s' % (1, 2) }}", "{{ '%(a)s' % {'a': 1} }}", "{{ '%d%%' | format(5) }}",
                     "{{ '{0}-{1}'.format(1, 2) }}", "{{ '{a}'.format_map({'a': 1}) }}",
                     "<% 'abc'.replace({a => x, b => y}) %>", "<% regex('a.').replace('abcadc', 'xx') %>",
                     "<% regex('a.c').replaceBy('abcadc', switch($.value = 'abc' => xx, true => yy)) %>"], {}) \
        == ["1-2", "1", "5%", "1-2", "1", "xyc", "xxcxxc", "xxyy"]


def test_modular_and_float_powers_are_fine():
    assert evaluate("<% pow(2, 1000000, 7) %>", {}) == pow(2, 1000000, 7)
    assert evaluate("{{ 2 ** 0.5 }}", {}) == 2 ** 0.5
    assert evaluate("{{ 2 ** 100 }}", {}) == 2 ** 100


@pytest.mark.parametrize("text", [
    "{{ 'ab'.replace('', _.big) }}",
    "{{ 'ab' | replace('', _.big) }}",
    "<% 'ab'.replace('', $.big) %>",
    "<% concat($.big, $.big, $.big) %>",
    "<% $.big * 100 %>",
    "<% let(b => $.big) -> $.l.select($b).join('') %>",
    "{{ _.big.join(_.l | map('string')) }}",
    "{{ _.l | join(_.big) }}",
    "{{ _.big | indent(10**6) }}",
    "{{ _.big | wordwrap(1, wrapstring=_.big) }}",
    "{{ _.big + _.big + _.big }}",
    "{{ _.big ~ _.big ~ _.big }}",
    "{{ _.big.translate({120: _.big}) }}",
    "{{ ('%s' * 100) % ((_.big,) * 100) }}",
    "{{ ('%(a)s' * 1000) % {'a': _.big} }}",
    "{{ ('%s' * 100) | format(*((_.big,) * 100)) }}",
    "{{ ('{0}' * 100).format(_.big) }}",
    "{{ ('{a}' * 1000).format_map({'a': _.big}) }}",
    "<% $.big.replace({x => $.big}) %>",
    "<% regex('').replace($.big, $.big) %>",
    "<% $.big.replace(regex('x'), 'yy') %>",
    "<% let(b => $.big) -> regex('').replaceBy($b, $b) %>",
    "<% let(b => $.big) -> $b.replaceBy(regex(''), $b) %>",
    "{% for i in range(1000) %}{{ _.big }}{% endfor %}",
])
def test_amplifying_operations_are_refused(text):
    assert "string of" in refused(text, BIG, SMALL)


@pytest.mark.parametrize("text", [
    "<% range(1000).select(range(1000).toList()).toList() %>",
    "<% range(1000).select(range(1000)) %>",
    "{% set ns = namespace(s='a') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
    "{% macro f(s, n) %}{{ f(s ~ s, n - 1) if n else s | length }}{% endmacro %}{{ f('a', 60) }}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
    # output joined in memory (set blocks, macros) is charged as it is produced
    "{% set x %}{% for i in range(1000) %}{{ _.big }}{% endfor %}{% endset %}{{ x | length }}",
    "{% macro m() %}{% for i in range(1000) %}{{ _.big }}{% endfor %}{% endmacro %}{{ m() | length }}",
    "{% set x %}{% for i in range(1000) %}{% for j in range(1000) %}" + "y" * 100
    + "{% endfor %}{% endfor %}{% endset %}{{ x | length }}",
])
def test_nested_or_repeated_growth_exhausts_the_work_budget(text):
    assert "work budget of 200000" in refused(text, BIG, SMALL)


def test_default_budget_stops_nested_collections_quickly():
    assert "work budget" in refused("<% range(10000).select(range(10000)) %>")


def test_unbounded_recursion_is_refused():
    assert "too deeply" in refused("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")


def test_each_string_gets_its_own_budget():
    limits = Limits(work_budget=20_000)
    one = "<% range(500).toList() %>"  # about 8 units per item built, twice (list, then result)
    assert evaluate([one, one, one], {}, limits=limits) == [list(range(500))] * 3


def test_limits_are_configurable():
    assert evaluate("{{ range(300000) | length }}", {}, limits=Limits(max_iterations=400_000)) == 300000
    assert "items" in refused("{{ range(300000) | length }}")
    assert "string of" in refused("{{ 'a' * 200 }}", limits=Limits(memory_quota=100))


def test_large_input_lists_pass_through(data):
    """with-items over a big input list must work: limits bound what expressions build."""
    rows = [{"id": i} for i in range(20_000)]
    assert len(evaluate("<% $.rows %>", {"rows": rows})) == 20_000
    assert len(evaluate("{{ _.rows }}", {"rows": rows})) == 20_000
    assert evaluate("<% $.rows.select($.id).len() %>", {"rows": rows}) == 20_000


def test_ordinary_expressions_stay_well_within_the_limits(data):
    rows = [{"name": f"n{i}", "v": i} for i in range(5000)]
    assert len(evaluate("<% $.rows.where($.v mod 2 = 0).select($.name) %>", {"rows": rows})) == 2500
    assert evaluate("{{ _.rows | map(attribute='v') | sum }}", {"rows": rows}) == sum(range(5000))
    assert len(evaluate("{% for r in _.rows %}{{ r.name }},{% endfor %}", {"rows": rows})) > 20000
