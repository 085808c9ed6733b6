"""Sirocco's expression layer against values recorded on Mistral 23.0.0.

expressions/{yaql,jinja,rendering,errors}.yaml hold pure cases: an
`expression` (any YAML value, YAQL and/or Jinja2 inside) evaluated by real
Mistral with `data` as the workflow input (see record.py). For each one
sirocco.expressions.evaluate(expression, data) must give Mistral's value, or
raise ExpressionError where Mistral failed.

Values are compared after a JSON round trip (Mistral's output reached us as
JSON, so tuples are lists, and a value JSON cannot hold is a failure), and
strictly: True is not 1 and 1.0 is not 1.

expressions/context.yaml (task(), execution(), env(), global(), tasks())
needs the engine and is not run here.

A case may carry `sirocco: {value: ...}` or `sirocco: {error: true}` plus
`why:` to state a deliberate difference from Mistral; it then wins over
`mistral:` (see the README).
"""

import glob
import json
import os
import re

import pytest
import yaml

expressions = pytest.importorskip('sirocco.expressions')

if not all(hasattr(expressions, n) for n in ('evaluate', 'ExpressionError')):
    pytest.skip('sirocco.expressions does not offer evaluate/ExpressionError '
                'yet', allow_module_level=True)

HERE = os.path.dirname(os.path.abspath(__file__))
UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                     r'[0-9a-f]{12}')


def pure_cases():
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, 'expressions', '*.yaml'))):
        with open(path, encoding='utf-8') as f:
            doc = yaml.safe_load(f)
        for case in doc['cases']:
            if 'expression' in case:
                marks = [pytest.mark.slow] if case.get('slow') else []
                out.append(pytest.param(case, id=case['name'], marks=marks))
    return out


CASES = pure_cases()


def same(a, b):
    """Equality that tells bool from int and int from float."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize('case', CASES)
def test_expression_matches_mistral(case):
    expected = case.get('sirocco', case['mistral'])
    if expected.get('error'):
        with pytest.raises(expressions.ExpressionError):
            got = expressions.evaluate(case['expression'], case['data'])
            pytest.fail('Mistral fails here (%s); Sirocco gives %r'
                        % (expected.get('message'), got))
        return
    got = expressions.evaluate(case['expression'], case['data'])
    got = json.loads(json.dumps(got))
    if expected.get('shape') == 'uuid':
        assert isinstance(got, str) and UUID_RE.fullmatch(got), got
        return
    assert same(got, expected['value']), \
        'Sirocco gives %r, Mistral %r' % (got, expected['value'])


def test_corpus_is_well_formed():
    assert len(CASES) >= 60
    names = [p.values[0]['name'] for p in CASES]
    assert len(names) == len(set(names))
    for p in CASES:
        m = p.values[0]['mistral']
        assert 'value' in m or m.get('error') or 'shape' in m, p.id
        if 'sirocco' in p.values[0]:
            assert p.values[0]['sirocco'].get('why'), p.id
