import { describe, expect, it } from 'vitest';
import {
  compile,
  JqBudgetError,
  JqCompileError,
  JqRuntimeError,
  type Value,
} from '../../src/jq/index.js';

const run = (src: string, input: Value = null): Value[] => compile(src).run(input);

function runtimeError(src: string, input: Value = null): JqRuntimeError {
  try {
    run(src, input);
  } catch (e) {
    if (e instanceof JqRuntimeError) return e;
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
}

describe('jq engine: language', () => {
  it('evaluates the typical workflow transform', () => {
    const input = { items: [{ name: 'a', price: 12, qty: 2 }, { name: 'b', price: 5, qty: 1 }] };
    expect(run('.items | map(select(.price > 10) | {name, total: (.price * .qty)})', input)).toEqual([
      [{ name: 'a', total: 24 }],
    ]);
  });

  it('orders cartesian products as jq does (right operand slowest, first argument of a $-function outermost)', () => {
    expect(run('[(1,2) + (10,20)]')).toEqual([[11, 12, 21, 22]]);
    expect(run('[range(0,1;3,4)]')).toEqual([[0, 1, 2, 0, 1, 2, 3, 1, 2, 1, 2, 3]]);
    expect(run('["\\(1,2)-\\(3,4)"]')).toEqual([['1-3', '2-3', '1-4', '2-4']]);
  });

  it('binds `as` over the arithmetic on its left (jq 1.8)', () => {
    expect(run('1 + 2 as $x | -$x')).toEqual([-3]);
    expect(run('[-1 as $x | 1, $x]')).toEqual([[1, -1]]);
    expect(run('[foreach .[] / .[] as $i (0; . + $i)]', [1, 2])).toEqual([[1, 3, 3.5, 4.5]]);
  });

  it('does not let try catch errors raised downstream of its body', () => {
    expect(() => run('(try (1, 2)) | error')).toThrow(JqRuntimeError);
    expect(run('[.[] | try error catch .]', ['a', 'b'])).toEqual([['a', 'b']]);
    expect(() => run('(.a // 1) | error("down")', { a: 5 })).toThrow('down');
  });

  it('supports label/break, limit, first, last, nth, until, while and repeat', () => {
    expect(run('[label $out | 1, 2, break $out, 3]')).toEqual([[1, 2]]);
    expect(run('[limit(3; repeat(1))]')).toEqual([[1, 1, 1]]);
    expect(run('[first(range(10)), last(range(10)), nth(5; range(10))]')).toEqual([[0, 9, 5]]);
    expect(run('[.[] | until(. > 100; . * 2)]', [1, 3])).toEqual([[128, 192]]);
    expect(run('[while(. < 100; . * 2)]', 1)).toEqual([[1, 2, 4, 8, 16, 32, 64]]);
  });

  it('tracks paths through path(), paths and assignments', () => {
    expect(run('[paths]', { a: [1, { b: 2 }] })).toEqual([[['a'], ['a', 0], ['a', 1], ['a', 1, 'b']]]);
    expect(run('.a[1:] |= map(. * 10)', { a: [1, 2, 3] })).toEqual([{ a: [1, 20, 30] }]);
    expect(run('(.[] | select(. >= 2)) |= empty', [1, 5, 3, 0, 7])).toEqual([[1, 0]]);
    expect(runtimeError('path(1)').value).toBe('Invalid path expression with result 1');
  });

  it('destructures with alternatives', () => {
    expect(run('[.[] as [$a] ?// $a | $a]', [[1], 2])).toEqual([[1, 2]]);
    expect(run('. as {a: $x, $b} | [$x, $b]', { a: 1, b: 2 })).toEqual([[1, 2]]);
  });

  it('writes jq error messages', () => {
    expect(runtimeError('.a', [1]).value).toBe('Cannot index array with string ("a")');
    expect(runtimeError('null + 1 | . + "x"').value).toBe('number (1) and string ("x") cannot be added');
    expect(runtimeError('{} | .[0]').value).toBe('Cannot index object with number (0)');
    expect(runtimeError('error({a: 1})').value).toEqual({ a: 1 });
  });

  it('handles nesting as deep as jq does', () => {
    expect(run('reduce range(10000) as $_ ([]; [.]) | flatten')).toEqual([[]]);
    expect(runtimeError('(reduce range(10001) as $_ ([]; [.])) as $x | [$x, $x] | sort').value).toBe(
      'Comparison too deep',
    );
  });
});

describe('jq engine: API', () => {
  it('caches compilations by source and variables', () => {
    expect(compile('.a + $x', { variables: ['x'] })).toBe(compile('.a + $x', { variables: ['x'] }));
    expect(compile('.a + $x', { variables: ['x'] }).one({ a: 1 }, { variables: { x: 2 } })).toBe(3);
  });

  it('gives compile errors with positions', () => {
    try {
      compile('.a |\n  foo(1)');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JqCompileError);
      const ce = e as JqCompileError;
      expect(ce.detail).toBe('foo/1 is not defined');
      expect(ce.position).toMatchObject({ line: 2, column: 3 });
    }
    expect(() => compile('$undefined')).toThrow('$undefined is not defined');
  });

  it('one() requires exactly one output; first() stops early', () => {
    expect(() => compile('1, 2').one(null)).toThrow(JqRuntimeError);
    expect(() => compile('empty').one(null)).toThrow(JqRuntimeError);
    expect(compile('1, error("never")').first(null)).toBe(1);
    expect(compile('empty').first(null)).toBeUndefined();
  });

  it('sees only the environment and input the caller passes', () => {
    expect(compile('$ENV').one(null)).toEqual({});
    expect(compile('env.A').one(null, { env: { A: 'x' } })).toBe('x');
    const queue: Value[] = [2, 3];
    expect(compile('[., inputs] | add').one(1, { hooks: { input: () => queue.shift() } })).toBe(6);
    const seen: Value[] = [];
    expect(compile('debug | .x').one({ x: 1 }, { hooks: { debug: (m) => seen.push(m) } })).toBe(1);
    expect(seen).toEqual([['DEBUG:', { x: 1 }]]);
  });

  it('stops runaway programs with typed budget errors', () => {
    const budget = (src: string, limits: object, input: Value = "a'b"): JqBudgetError => {
      try {
        compile(src).run(input, { limits });
      } catch (e) {
        if (e instanceof JqBudgetError) return e;
        throw e;
      }
      throw new Error('expected a budget error');
    };
    expect(budget('repeat(.)', { maxSteps: 10_000 }).kind).toBe('steps');
    expect(budget('[range(1e9)]', { timeoutMs: 50, maxSteps: 1e12 }).kind).toBe('time');
    expect(budget('def f: [f]; f', { maxDepth: 100 }).kind).toBe('depth');
    expect(budget('def f: [f]; f', {}).kind).toBe('depth');
    expect(budget('[range(100000)]', { maxOutputBytes: 1000 }).kind).toBe('output');
    // Found by the fuzz test: values that grow geometrically used to abort the process inside V8.
    for (const src of ['def r: @sh | r; r', 'def r: @base64 | r; r', 'def r: . + . | r; r', 'def r: "\\(.)\\(.)" | r; r']) {
      expect(budget(src, { maxOutputBytes: 1 << 20 }).kind).toBe('output');
    }
    expect(() => compile('try repeat(.) catch "caught"').run(null, { limits: { maxSteps: 1000 } })).toThrow(
      JqBudgetError,
    );
  });
});
