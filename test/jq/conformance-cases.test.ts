/** The reader of jq's .test format and the exclusion rules used by the conformance runner. */
import { describe, expect, it } from 'vitest';
import { codeOnly, exclusionOf, parseTestFile, type JqCase } from '../../scripts/conformance/jq-cases.js';

const run = (program: string, input = 'null', expected: string[] = []): JqCase => ({
  kind: 'run',
  file: 't',
  line: 1,
  program,
  input,
  expected,
});

describe('parseTestFile', () => {
  it('reads program, input and expected lines; comments and blanks separate groups', () => {
    const text = [
      '# a comment',
      '',
      '.[]',
      '[1,2]',
      '1',
      '2',
      '',
      '  # indented comment',
      'empty',
      '# the input line is read verbatim, even when it looks like a comment',
      '',
      '.a',
      '{"a":1}',
      '1',
      '# a comment ends the expected outputs',
      '.b',
      'null',
      'null',
    ].join('\n');
    const cases = parseTestFile(text, 'x.test');
    expect(cases).toEqual([
      { kind: 'run', file: 'x.test', line: 3, program: '.[]', input: '[1,2]', expected: ['1', '2'] },
      {
        kind: 'run',
        file: 'x.test',
        line: 9,
        program: 'empty',
        input: '# the input line is read verbatim, even when it looks like a comment',
        expected: [],
      },
      { kind: 'run', file: 'x.test', line: 12, program: '.a', input: '{"a":1}', expected: ['1'] },
      { kind: 'run', file: 'x.test', line: 16, program: '.b', input: 'null', expected: ['null'] },
    ]);
  });

  it('reads %%FAIL groups with a multi-line message', () => {
    const text = [
      '%%FAIL',
      '{(0):1}',
      'jq: error: Cannot use number (0) as object key at <top-level>, line 1, column 3:',
      '    {(0):1}',
      '      ^',
      '',
      '%%FAIL IGNORE MSG',
      '. as [] | null',
      'jq: error: whatever',
      '',
      '.',
      '1',
      '1',
    ].join('\n');
    const [a, b, c] = parseTestFile(text, 'f.test');
    expect(a).toMatchObject({
      kind: 'fail',
      line: 2,
      program: '{(0):1}',
      checkMessage: true,
      message: 'jq: error: Cannot use number (0) as object key at <top-level>, line 1, column 3:',
      messageContext: ['    {(0):1}', '      ^'],
    });
    expect(b).toMatchObject({ kind: 'fail', program: '. as [] | null', checkMessage: false });
    expect(c).toMatchObject({ kind: 'run', program: '.', input: '1', expected: ['1'] });
  });
});

describe('exclusions', () => {
  it('ignores keywords inside strings but not inside interpolations', () => {
    expect(codeOnly('"The input was \\(.)", 1 # input')).toBe('" (.) ", 1 ');
    expect(exclusionOf(run('"The input was \\(.), which is one less than \\(.+1)"'))).toBeNull();
    expect(exclusionOf(run('"x\\(input)"'))).toBe('input');
  });

  it('recognises modules, input, halt, origin and program arguments', () => {
    expect(exclusionOf(run('import "a" as foo; foo::a'))).toBe('modules');
    expect(exclusionOf(run('include "c"; [a, c]'))).toBe('modules');
    expect(exclusionOf(run('module {a: 1}; .'))).toBe('modules');
    expect(exclusionOf(run('modulemeta'))).toBe('modules');
    expect(exclusionOf(run('get_search_list'))).toBe('modules');
    expect(exclusionOf(run('[., input]'))).toBe('input');
    expect(exclusionOf(run('[inputs]'))).toBe('input');
    expect(exclusionOf(run('input_filename'))).toBe('input');
    expect(exclusionOf(run('$__prog_args'))).toBe('program-args');
    expect(exclusionOf(run('halt_error(1)'))).toBe('halt');
    expect(exclusionOf(run('get_jq_origin'))).toBe('origin');
  });

  it('keeps keywords used as object keys, fields or variables', () => {
    expect(exclusionOf(run('{import:14,include:15,module:16}'))).toBeNull();
    expect(exclusionOf(run('{input: 1} | .input'))).toBeNull();
    expect(exclusionOf(run('. as $input | $input'))).toBeNull();
    expect(exclusionOf(run('$__loc__'))).toBeNull();
  });

  it('excludes only expected strings that hold more digits than a double keeps', () => {
    expect(exclusionOf(run('tostring', '100000000000000000001', ['"100000000000000000001"']))).toBe('decnum');
    // Numbers are compared as doubles, so long numeric literals need no decNumber.
    expect(exclusionOf(run('.', '100000000000000000001', ['100000000000000000001']))).toBeNull();
    // jq's suite branches on have_decnum so that builds without decNumber pass too.
    expect(
      exclusionOf(run('tojson == if have_decnum then "13911860366432393" else "13911860366432392" end')),
    ).toBeNull();
  });
});
