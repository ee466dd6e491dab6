/** jq templates at run time (language reference §5). */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/jq/index.js';
import { Codes, evaluateObject, evaluateTemplate, evaluateTemplateAll, truthy, WorkflowError } from '../../src/language/index.js';

const data = { name: 'Ada', n: 2, list: [1, 2, 3], nested: { k: [true, null] }, secrets: { token: 's3cr3t' } };

function failure(f: () => unknown): WorkflowError {
  try {
    f();
  } catch (e) {
    if (e instanceof WorkflowError) return e;
    throw e;
  }
  throw new Error('expected a WorkflowError');
}

describe('evaluateTemplate', () => {
  it('gives the single result of a string that is exactly jq(EXPR), of any JSON type', () => {
    expect(evaluateTemplate('jq(.n)', data)).toBe(2);
    expect(evaluateTemplate('jq(.nested)', data)).toEqual({ k: [true, null] });
    expect(evaluateTemplate('jq(.missing)', data)).toBeNull();
    expect(evaluateTemplate('  jq(.name)\n', data)).toBe('Ada');
  });

  it('inserts results into surrounding text: strings verbatim, other values as compact JSON', () => {
    expect(evaluateTemplate('bearer jq(.secrets.token)', data)).toBe('bearer s3cr3t');
    expect(evaluateTemplate('jq(.name) has jq(.list) and jq(.nested); jq(.missing)', data)).toBe(
      'Ada has [1,2,3] and {"k":[true,null]}; null',
    );
    expect(evaluateTemplate('jq(.n)jq(.n)', data)).toBe('22');
  });

  it('walks maps and lists, keeping other values literal', () => {
    expect(evaluateTemplate({ a: ['jq(.n)', 5, null, false, 'text'], b: { c: 'x jq(.name)' } }, data)).toEqual({
      a: [2, 5, null, false, 'text'],
      b: { c: 'x Ada' },
    });
  });

  it('takes a string without jq( literally', () => {
    expect(evaluateTemplate('.greetingcloudevent', data)).toBe('.greetingcloudevent');
    expect(evaluateTemplate('jq without parentheses', data)).toBe('jq without parentheses');
  });

  it('keeps a "__proto__" key as a plain key', () => {
    const result = evaluateTemplate(JSON.parse('{"__proto__": "jq(.n)"}') as Value, data);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result as object)).toEqual(['__proto__']);
  });

  it('finds the closing parenthesis past nested parentheses and jq strings', () => {
    expect(evaluateTemplate('jq((.n + (1 * (2))) | tostring)', data)).toBe('4');
    expect(evaluateTemplate('<jq("a)b" + ")")>', data)).toBe('<a)b)>');
    expect(evaluateTemplate('jq("quote \\" ) inside")', data)).toBe('quote " ) inside');
    expect(evaluateTemplate('jq("sum \\(.n + (1)) )")', data)).toBe('sum 3 )');
    expect(evaluateTemplate('jq("\\("(" + ")")")', data)).toBe('()');
    expect(evaluateTemplate('jq(.n # a comment with )\n + 1)', data)).toBe(3);
  });

  it('takes an empty jq() as the identity, as jq does', () => {
    expect(evaluateTemplate('jq()', data)).toEqual(data);
  });

  it('binds variables', () => {
    expect(evaluateTemplate('jq($x + .n)', data, { variables: { x: 40 } })).toBe(42);
  });

  it('requires exactly one result of each expression', () => {
    const many = failure(() => evaluateTemplate('jq(.list[])', data));
    expect(many.code).toBe(Codes.jqNotObject);
    expect(many.message).toBe('jq(.list[]) produced more than one result; exactly one is required');
    const none = failure(() => evaluateTemplate('x jq(empty)', data));
    expect(none.code).toBe(Codes.jqNotObject);
    expect(none.message).toBe('jq(empty) produced no result; exactly one is required');
  });

  it('turns jq errors into direktiv.jq.badCommand', () => {
    const runtime = failure(() => evaluateTemplate('jq(.name + 1)', data));
    expect(runtime.code).toBe('direktiv.jq.badCommand');
    expect(runtime.message).toMatch(/^jq\(\.name \+ 1\) failed: string \("Ada"\) and number \(1\) cannot be added$/);
    expect(failure(() => evaluateTemplate('jq(error("boom"))', data)).message).toBe('jq(error("boom")) failed: boom');
    expect(failure(() => evaluateTemplate('jq(.a |)', data)).code).toBe('direktiv.jq.badCommand');
    expect(failure(() => evaluateTemplate('jq(.a', data)).code).toBe('direktiv.jq.badCommand');
  });

  it('turns exhausted budgets into direktiv.jq.timeout and direktiv.limits.size', () => {
    expect(failure(() => evaluateTemplate('jq(last(range(1e9)))', data, { limits: { timeoutMs: 20 } })).code).toBe(Codes.jqTimeout);
    expect(failure(() => evaluateTemplate('jq(last(range(1e9)))', data, { limits: { maxSteps: 1000 } })).code).toBe(Codes.jqTimeout);
    expect(failure(() => evaluateTemplate('jq([range(1e5)])', data, { limits: { maxOutputBytes: 1000 } })).code).toBe(Codes.limitsSize);
    expect(failure(() => evaluateTemplate('jq(def f: [f]; f)', data, { limits: { maxDepth: 50 } })).code).toBe(Codes.limitsSize);
  });

  it('errors are catchable', () => {
    expect(failure(() => evaluateTemplate('jq(error("x"))', data)).catchable).toBe(true);
  });
});

describe('evaluateTemplateAll (foreach items)', () => {
  it('gives the output stream of jq(EXPR)', () => {
    expect(evaluateTemplateAll('jq(.list[] | {x: .})', data)).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
    expect(evaluateTemplateAll('jq(.list, .list)', data)).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(evaluateTemplateAll('jq(empty)', data)).toEqual([]);
    expect(evaluateTemplateAll('jq(.n)', data)).toEqual([2]);
  });

  it('gives the elements of a single array output', () => {
    expect(evaluateTemplateAll('jq(.list)', data)).toEqual([1, 2, 3]);
  });

  it('gives the elements of a list template, and any other value as the only item', () => {
    expect(evaluateTemplateAll(['jq(.n)', 'a'], data)).toEqual([2, 'a']);
    expect(evaluateTemplateAll({ a: 'jq(.n)' }, data)).toEqual([{ a: 2 }]);
  });
});

describe('evaluateObject (transform)', () => {
  it('gives the object', () => {
    expect(evaluateObject({ greeting: 'jq(.name)' }, data)).toEqual({ greeting: 'Ada' });
    expect(evaluateObject('jq(. + {m: 1} | {m, n})', data)).toEqual({ m: 1, n: 2 });
  });

  it('refuses anything but an object', () => {
    const e = failure(() => evaluateObject('jq(.list)', data));
    expect(e.code).toBe(Codes.jqNotObject);
    expect(e.message).toBe('jq(.list) must produce an object, but produced an array');
    expect(failure(() => evaluateObject('jq(.name)', data)).message).toBe('jq(.name) must produce an object, but produced a string');
    expect(failure(() => evaluateObject('text', data)).message).toBe('the template must produce an object, but produced a string');
  });
});

describe('truthy', () => {
  it('is false for null, false, 0, "", [] and {}', () => {
    for (const v of [null, false, 0, '', [], {}]) expect([v, truthy(v)]).toEqual([v, false]);
  });

  it('is true for everything else', () => {
    for (const v of [true, 1, -1, 0.5, 'false', '0', [0], { a: null }]) expect([v, truthy(v)]).toEqual([v, true]);
  });
});
