"""Sirocco's language layer against Mistral 23.0.0's recorded validation verdicts.

Each validation/*.yaml holds one definition and what real Mistral's
POST /v2/{workflows,workbooks,actions}/validate said about it (see record.py).
Sirocco must give the same verdict, except where the file has a `sirocco:`
entry stating a deliberate difference (Sirocco is stricter there). A refusal
must be a ValidationFailed, never another exception, and must name every
substring of `expect_in_error` (what a user needs to see to fix the document:
the task, the attribute, the bad name...). Substrings are searched,
case-insensitively, in str(exc), the SpecError messages, and their
workflow/task/attribute fields.
"""

import glob
import os

import pytest
import yaml

language = pytest.importorskip('sirocco.language')

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = sorted(glob.glob(os.path.join(HERE, 'validation', '*.yaml')))

if not all(hasattr(language, f) for f in
           ('parse_workflows', 'parse_workbook', 'parse_actions',
            'ValidationFailed')):
    pytest.skip('sirocco.language does not offer parse_workflows/'
                'parse_workbook/parse_actions/ValidationFailed yet',
                allow_module_level=True)

PARSERS = {
    'workflows': language.parse_workflows,
    'workbook': language.parse_workbook,
    'actions': language.parse_actions,
}


def load(path):
    with open(path, encoding='utf-8') as f:
        return yaml.safe_load(f)


def error_text(exc):
    parts = [str(exc)]
    for e in getattr(exc, 'errors', None) or []:
        for field in ('message', 'workflow', 'task', 'attribute'):
            value = getattr(e, field, None)
            if value is not None:
                parts.append(str(value))
    return '\n'.join(parts)


@pytest.mark.parametrize('path', FILES,
                         ids=[os.path.basename(p)[:-5] for p in FILES])
def test_verdict_matches_mistral(path):
    case = load(path)
    expected = case.get('sirocco', case['mistral'])['valid']
    parse = PARSERS[case['kind']]
    try:
        parse(case['definition'])
    except language.ValidationFailed as exc:
        if expected:
            pytest.fail('Sirocco refuses a definition that Mistral accepts: '
                        '%s\n%s' % (case['feature'], error_text(exc)))
        errors = getattr(exc, 'errors', None)
        assert errors, 'ValidationFailed without .errors'
        text = error_text(exc).lower()
        missing = [s for s in case.get('expect_in_error', [])
                   if str(s).lower() not in text]
        assert not missing, ('the error does not name %s:\n%s'
                             % (missing, error_text(exc)))
    else:
        if not expected:
            why = case.get('sirocco', {}).get('why') or \
                case['mistral'].get('error', '')
            pytest.fail('Sirocco accepts a definition that should be refused: '
                        '%s (%s)' % (case['feature'], why))


def test_corpus_is_well_formed():
    assert len(FILES) >= 80
    for path in FILES:
        case = load(path)
        assert case['kind'] in PARSERS, path
        assert isinstance(case['definition'], str), path
        assert isinstance(case['mistral']['valid'], bool), path
        if 'sirocco' in case:
            assert isinstance(case['sirocco']['valid'], bool), path
            assert case['sirocco'].get('why'), path
        if not case.get('sirocco', case['mistral'])['valid']:
            assert case.get('expect_in_error'), \
                '%s: a refusal needs expect_in_error' % path
