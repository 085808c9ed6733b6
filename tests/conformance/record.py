#!/usr/bin/env python3
"""Record what real Mistral 23.0.0 does into the conformance corpora.

Runs with the oracle's python (it needs python-mistralclient), against the
oracle server of ../../../shared/oracle (http://127.0.0.1:8990/v2 by default):

  PY=/tmp/mistral-oracle/venv/bin/python
  $PY tests/conformance/record.py validation            # every validation/*.yaml
  $PY tests/conformance/record.py expressions           # every expressions/*.yaml
  $PY tests/conformance/record.py validation FILE...    # only these files
  $PY tests/conformance/record.py all --url http://127.0.0.1:8990/v2 --jobs 4

It rewrites only the `mistral:` entries of the files (the rest of each file is
the hand-written source of the case); `git diff` then shows what changed.

validation/*.yaml   one document per file; POSTs `definition` as text/plain to
                    /v2/{workflows,workbooks,actions}/validate and stores
                    {valid, error} (the error trimmed to its first paragraph).
expressions/*.yaml  `cases:` lists. A pure case ({expression, data}) is run as
                    a one-task workflow with `input` = the keys of `data` and
                    `output: {v: [<expression>]}`; the value is output.v[0].
                    (Wrapping it in a list keeps Mistral's upload-time syntax
                    check out of the way: evaluation behaviour is what is
                    recorded here; upload checks live in validation/.)
                    A context case ({workflow, input, params}) runs its own
                    workflow and stores the state and the execution output,
                    with UUIDs masked as "<uuid>" and timestamps as
                    "<timestamp>". Cases with `mistral_shape: uuid` store
                    only whether the value looks like a UUID.
Workflows are created in the namespace `sirocco-conformance`, so as not to
disturb other users of the shared server, and are deleted afterwards.
"""

import argparse
import concurrent.futures
import glob
import json
import os
import re
import sys
import textwrap
import time
import urllib.error
import urllib.request
import warnings

import yaml

warnings.filterwarnings('ignore')

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_URL = 'http://127.0.0.1:8990/v2'
NAMESPACE = 'sirocco-conformance'
UUID_RE = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                     r'[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
TS_RE = re.compile(r'\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}'
                   r'(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?')
ENDPOINT = {'workflows': 'workflows', 'workbook': 'workbooks',
            'actions': 'actions'}


def mask(value):
    if isinstance(value, str):
        return TS_RE.sub('<timestamp>', UUID_RE.sub('<uuid>', value))
    if isinstance(value, list):
        return [mask(v) for v in value]
    if isinstance(value, dict):
        return {mask(k): mask(v) for k, v in value.items()}
    return value


def trim(msg, limit=400):
    """First paragraph of a Mistral message (schema errors embed the whole
    JSON schema), tracebacks cut, ids masked, at most `limit` characters."""
    msg = str(msg or '')
    msg = msg.split('\n\nFailed validating', 1)[0]
    msg = re.sub(r'\nTraceback \(most recent call last\):\n'
                 r'(?:[ \t][^\n]*(?:\n|\Z))*', '\n', msg)
    msg = mask(msg).strip()
    if len(msg) > limit:
        msg = msg[:limit].rstrip() + ' ...'
    return msg


def trim_eval(msg):
    """An evaluation failure: the first line of the state_info, without the
    engine's 'Failed to check and complete [...]: ' wrapper."""
    msg = re.sub(r'^Failed to check and complete \[[^\]]*\]: ', '',
                 str(msg or ''))
    return trim(msg.split('\n', 1)[0], 300)


# ------------------------------------------------------------------ YAML out

class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, s):
    if '\n' in s and not s.startswith((' ', '\t')) and '\t' not in s \
            and not re.search(r' +\n| +$', s):
        return dumper.represent_scalar('tag:yaml.org,2002:str', s, style='|')
    return dumper.represent_scalar('tag:yaml.org,2002:str', s)


_Dumper.add_representer(str, _str)


def dump_entry(key, value, flow):
    """`key: value` with value in flow style (a one-liner) or block style."""
    text = yaml.dump({key: value}, Dumper=_Dumper, width=1000,
                     default_flow_style=False, sort_keys=False,
                     allow_unicode=True).strip()
    if flow:
        inner = yaml.dump(value, Dumper=_Dumper, width=1000,
                          default_flow_style=True, sort_keys=False,
                          allow_unicode=True).strip()
        inner = re.sub(r'\n\.\.\.$', '', inner)
        if '\n' not in inner:
            text = '%s: %s' % (key, inner)
    return text


def dump_validation(d):
    """Fixed layout for validation/*.yaml: kind, feature, definition (a
    literal block where possible), expect_in_error, sirocco, mistral."""
    out = ['kind: %s' % d['kind'], dump_entry('feature', d['feature'], True)]
    body = d['definition']
    if '\t' in body or body != body.rstrip(' ') or not body.endswith('\n') \
            or re.search(r' +\n', body):
        out.append('definition: %s' % yaml.safe_dump(
            body, default_style='"', width=1000).strip())
    else:
        out.append('definition: |\n' + textwrap.indent(body, '  ').rstrip('\n'))
    for k in d:
        if k not in ('kind', 'feature', 'definition'):
            out.append(dump_entry(k, d[k], k == 'expect_in_error'))
    text = '\n'.join(out) + '\n'
    assert yaml.safe_load(text) == d, 'layout does not round-trip'
    return text


def dump_expressions(doc):
    text = yaml.dump(doc, Dumper=_Dumper, default_flow_style=None, width=100,
                     sort_keys=False, allow_unicode=True)
    assert yaml.safe_load(text) == doc, 'layout does not round-trip'
    return text


# ------------------------------------------------------------- validation

def validate(url, kind, definition):
    req = urllib.request.Request(
        '%s/%s/validate' % (url.rstrip('/'), ENDPOINT[kind]),
        data=definition.encode('utf-8'), method='POST',
        headers={'Content-Type': 'text/plain'})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            body = json.loads(resp.read().decode('utf-8'))
    except urllib.error.HTTPError as e:  # still a verdict, with a code
        body = json.loads(e.read().decode('utf-8') or '{}')
        return {'valid': False, 'http_status': e.code,
                'error': trim(body.get('faultstring') or body)}
    out = {'valid': bool(body.get('valid'))}
    if body.get('error'):
        out['error'] = trim(body['error'])
    return out


def record_validation(url, files, jobs):
    def one(path):
        with open(path, encoding='utf-8') as f:
            d = yaml.safe_load(f)
        d['mistral'] = validate(url, d['kind'], d['definition'])
        d = {k: v for k, v in d.items() if k != 'mistral'} | \
            {'mistral': d['mistral']}
        with open(path, 'w', encoding='utf-8') as f:
            f.write(dump_validation(d))
        return path, d['mistral']

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for path, m in pool.map(one, files):
            print('%-55s %s' % (os.path.basename(path),
                                'valid' if m['valid'] else
                                'INVALID: ' + m.get('error', '')[:70]))


# ------------------------------------------------------------ expressions

def client(url):
    from mistralclient.api import client as mistral_client
    return mistral_client.client(mistral_url=url)


def wf_name(case_name):
    return 'sirocco_expr_' + re.sub(r'\W', '_', case_name)


def pure_definition(case):
    name = wf_name(case['name'])
    data = case.get('data') or {}
    wf = {'tasks': {'t1': {'action': 'std.noop'}},
          'output': {'v': [case['expression']]}}
    if data:
        wf = {'input': list(data)} | wf
    return name, yaml.safe_dump({'version': '2.0', name: wf},
                                sort_keys=False, width=1000)


def run_workflow(c, definition, name, wf_input, params, timeout=120):
    """Create, run to a final state, delete. Returns (state, output, info)."""
    from mistralclient.api.base import APIException
    try:
        c.workflows.delete(name, namespace=NAMESPACE)
    except Exception:
        pass
    try:
        c.workflows.create(definition, namespace=NAMESPACE)
    except APIException as e:
        return 'REFUSED', None, trim(getattr(e, 'error_message', e))
    try:
        ex = c.executions.create(name, namespace=NAMESPACE,
                                 workflow_input=wf_input or {},
                                 **(params or {}))
        deadline = time.monotonic() + timeout
        while ex.state not in ('SUCCESS', 'ERROR', 'CANCELLED'):
            if time.monotonic() > deadline:
                raise TimeoutError('execution %s still %s' % (ex.id, ex.state))
            time.sleep(0.1)
            ex = c.executions.get(ex.id)
        output = json.loads(ex.output) if ex.output else None
        return ex.state, output, ex.state_info
    finally:
        try:
            c.executions.delete(ex.id, force=True)
        except Exception:
            pass
        try:
            c.workflows.delete(name, namespace=NAMESPACE)
        except Exception:
            pass


def record_case(c, case):
    if 'workflow' in case:  # a context case: its own workflow
        doc = yaml.safe_load(case['workflow'])
        name = [k for k in doc if k != 'version'][0]
        state, output, info = run_workflow(
            c, case['workflow'], name, case.get('input'), case.get('params'))
        out = {'state': state}
        if state == 'SUCCESS':
            out['output'] = mask(output)
        else:
            out['error'] = trim_eval(info)
        return out
    name, definition = pure_definition(case)
    state, output, info = run_workflow(c, definition, name, case.get('data'),
                                       None)
    if state == 'SUCCESS':
        value = output['v'][0]
        if case.get('mistral_shape') == 'uuid':
            return {'shape': 'uuid' if isinstance(value, str) and
                    UUID_RE.fullmatch(value) else 'not a uuid: %r' % value}
        return {'value': value}
    if state == 'REFUSED':
        return {'error': True, 'at': 'upload', 'message': info}
    message = trim_eval(info or (output or {}).get('result'))
    return {'error': True, 'message': message}


def record_expressions(url, files, jobs):
    c = client(url)
    for path in files:
        with open(path, encoding='utf-8') as f:
            doc = yaml.safe_load(f)
        cases = doc['cases']

        def one(case):
            try:
                return record_case(c, case)
            except Exception as e:  # noqa: recorded as a failure to record
                return {'not_recorded': '%s: %s' % (type(e).__name__, e)}

        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(one, cases))
        for case, result in zip(cases, results):
            case.pop('mistral', None)
            case['mistral'] = result
            print('%-40s %s' % (case['name'], json.dumps(result)[:90]))
        with open(path, 'w', encoding='utf-8') as f:
            f.write(dump_expressions(doc))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('what', choices=('validation', 'expressions', 'all'))
    p.add_argument('files', nargs='*')
    p.add_argument('--url', default=DEFAULT_URL)
    p.add_argument('--jobs', type=int, default=4)
    a = p.parse_args(argv)
    if a.what in ('validation', 'all'):
        files = a.files if a.what == 'validation' and a.files else \
            sorted(glob.glob(os.path.join(HERE, 'validation', '*.yaml')))
        record_validation(a.url, files, a.jobs)
    if a.what in ('expressions', 'all'):
        files = a.files if a.what == 'expressions' and a.files else \
            sorted(glob.glob(os.path.join(HERE, 'expressions', '*.yaml')))
        record_expressions(a.url, files, a.jobs)


if __name__ == '__main__':
    sys.exit(main())
