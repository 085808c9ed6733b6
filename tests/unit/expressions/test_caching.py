"""Parsed YAQL and compiled Jinja are cached per expression text, in bounded LRUs."""

from sirocco.expressions import DEFAULT_LIMITS, Limits, evaluate
from sirocco.expressions.jinja_engine import engine_for
from sirocco.expressions.yaql_engine import parser_for


def test_yaql_parse_is_reused():
    cache = parser_for(DEFAULT_LIMITS).parse
    evaluate("<% $.cached_yaql + 1 %>", {"cached_yaql": 1})
    hits = cache.cache_info().hits
    for value in range(5):
        assert evaluate("<% $.cached_yaql + 1 %>", {"cached_yaql": value}) == value + 1
    assert cache.cache_info().hits == hits + 5


def test_jinja_compilation_is_reused():
    engine = engine_for(DEFAULT_LIMITS)
    evaluate("{{ _.cached_jinja }}", {"cached_jinja": 1})
    evaluate("x {{ _.cached_jinja }}", {"cached_jinja": 1})
    expressions, templates = engine.expression.cache_info().hits, engine.template.cache_info().hits
    for value in range(3):
        assert evaluate("{{ _.cached_jinja }}", {"cached_jinja": value}) == value
        assert evaluate("x {{ _.cached_jinja }}", {"cached_jinja": value}) == f"x {value}"
    assert engine.expression.cache_info().hits == expressions + 3
    assert engine.template.cache_info().hits == templates + 3


def test_caches_are_bounded():
    limits = Limits(cache_size=4)
    for i in range(20):
        evaluate([f"<% {i} %>", f"{{{{ {i} }}}}", f"a {{{{ {i} }}}}"], {}, limits=limits)
    assert parser_for(limits).parse.cache_info().currsize == 4
    assert engine_for(limits).expression.cache_info().currsize == 4
    assert engine_for(limits).template.cache_info().currsize == 4


def test_evaluation_leaves_no_state_behind():
    # the same expression gives the same answer whatever ran before
    assert evaluate("{% set x = 5 %}{{ x }}", {}) == "5"
    assert evaluate("x{{ x is defined }}", {}) == "xFalse"
    assert evaluate("<% let(y => 1) -> $y %>", {}) == 1
    assert evaluate("x<% $y %>", {}) == "xNone"
