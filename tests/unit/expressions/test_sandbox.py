"""Expressions cannot reach Python internals, files, modules or the runtime object."""

import pytest

from sirocco.expressions import evaluate


@pytest.mark.parametrize("text", [
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__ }}",
    "{{ task.__globals__ }}",
    "{{ task.__closure__ }}",
    "{{ range.__globals__ }}",
    "{{ self.__init__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ _.__class__ }}",
    "{{ _['__class__'] }}",
    "{{ _ | attr('__class__') }}",
    "{{ '{0.__class__}'.format('') }}",
    "{{ (_.l | map('string')).gi_frame }}",
])
def test_jinja_cannot_reach_python_internals(text, fails):
    # matches Mistral 23.0.0 for ''.__class__ (run in-process): "... is unsafe."
    assert "unsafe" in fails(text, {"l": [1]}).cause


@pytest.mark.parametrize("text", ["{{ lipsum }}", "{{ __builtins__ }}", "{{ config }}", "{{ os }}", "{{ sirocco }}"])
def test_jinja_has_no_dangerous_globals(text, fails):
    assert fails(text).cause.endswith("is undefined")


@pytest.mark.parametrize("text", ["{% import 'os' as os %}{{ 1 }}", "{% include '/etc/passwd' %}",
                                  "{% extends '/etc/passwd' %}", "{% from 'x' import y %}{{ 1 }}"])
def test_jinja_cannot_load_templates_or_files(text, fails):
    # matches Mistral 23.0.0 (run in-process): "no loader for this environment specified"
    assert fails(text).cause == "no loader for this environment specified"


def test_jinja_cannot_mutate_data(fails):
    data = {"l": [1], "d": {"k": 1}}
    assert "unsafe" in fails("{{ _.l.append(2) }}", data).cause
    assert "unsafe" in fails("{{ _.d.update({'x': 1}) }}", data).cause
    assert "unsafe" in fails("{{ _.d.pop('k') }}", data).cause
    assert data == {"l": [1], "d": {"k": 1}}


@pytest.mark.parametrize("text, cause", [
    ("<% $.__class__ %>", "illegal character '_'"),
    ("<% ''.__class__ %>", "illegal character '_'"),
    ("<% $#sirocco_runtime %>", "illegal character '#'"),
    ("<% '{0.__class__}'.format('') %>", 'No method "format"'),
    ("<% import(os) %>", 'Unknown function "import"'),
    ("<% call('#get_context_data', ['#sirocco_runtime'], {}) %>", 'No function "#get_context_data"'),
])
def test_yaql_cannot_reach_python_internals_or_the_runtime(text, cause, fails):
    assert cause in fails(text).cause


def test_yaql_attribute_names_are_only_dict_keys():
    assert evaluate("<% $.get('__class__') %>", {}) is None
    assert evaluate("<% $.keys().len() %>", {"a": 1}) == 1
