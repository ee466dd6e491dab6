/**
 * fast-check generators for jq programs and JSON inputs, used by the fuzz test.
 *
 * Programs come from a small grammar of jq: they are syntactically plausible but not always valid
 * (an unknown name or a bad pattern is fine: compile must then throw JqCompileError). Bound names
 * are kept inside a few fixed variables (`$x`, `$v`) so most programs compile.
 */
import fc from 'fast-check';
import type { Value } from '../../src/jq/index.js';

type Arb = fc.Arbitrary<string>;

/** Builtins by arity (jq 1.8), without those that end the process or read files. */
export const BUILTINS: Record<0 | 1 | 2 | 3, string[]> = {
  0: [
    'length', 'utf8bytelength', 'not', 'keys', 'keys_unsorted', 'values', 'add', 'any', 'all',
    'flatten', 'floor', 'ceil', 'round', 'sqrt', 'fabs', 'abs', 'tostring', 'tonumber', 'type',
    'infinite', 'nan', 'isinfinite', 'isnan', 'isnormal', 'sort', 'unique', 'reverse', 'min', 'max',
    'tojson', 'fromjson', 'to_entries', 'from_entries', 'paths', 'leaf_paths', 'tostream', 'explode',
    'implode', 'ascii_downcase', 'ascii_upcase', 'ascii', 'trim', 'ltrim', 'rtrim', 'first', 'last',
    'nulls', 'booleans', 'numbers', 'strings', 'arrays', 'objects', 'iterables', 'scalars', 'empty',
    'error', 'env', 'builtins', 'recurse', 'transpose', 'todate', 'fromdate', 'gmtime', 'mktime',
    'todateiso8601', 'fromdateiso8601', 'toarray', 'have_decnum', 'have_literal_numbers',
    'combinations', 'input', 'debug', 'stderr', 'significand', 'logb', 'gamma', 'log', 'log2', 'exp',
    'exp10', 'sin', 'cos', 'atan', 'cbrt', 'trunc', 'frexp', 'modf', 'getpath([])', 'splits("a")',
    '$__loc__', '$ENV', 'not_a_builtin', 'input_line_number',
  ],
  1: [
    'map', 'map_values', 'select', 'has', 'in', 'contains', 'inside', 'split', 'join', 'test', 'match',
    'capture', 'scan', 'ltrimstr', 'rtrimstr', 'trimstr', 'startswith', 'endswith', 'range', 'first',
    'last', 'nth', 'recurse', 'with_entries', 'sort_by', 'group_by', 'unique_by', 'min_by', 'max_by',
    'path', 'paths', 'getpath', 'del', 'delpaths', 'to_entries', 'error', 'indices', 'index', 'rindex',
    'any', 'all', 'flatten', 'splits', 'isempty', 'add', 'repeat', 'walk', 'pick', 'debug', 'tojson',
    'IN', 'INDEX', 'combinations', 'fromstream', 'truncate_stream', 'strftime', 'strptime', 'ascii',
    'implode', 'limit', 'until', 'env', 'isvalid', 'getpath', 'tostream', 'min_by', 'abs', 'splits',
  ],
  2: [
    'limit', 'skip', 'range', 'sub', 'gsub', 'setpath', 'test', 'match', 'capture', 'scan', 'split',
    'splits', 'until', 'while', 'nth', 'recurse', 'any', 'all', 'IN', 'INDEX', 'pow', 'atan2', 'fmin',
    'fmax', 'fmod', 'ldexp', 'JOIN', 'getpath', 'dateadd', 'datesub', 'ltrimstr',
  ],
  3: ['range', 'sub', 'gsub', 'fma', 'JOIN', 'not_a_builtin'],
};

const numberLiteral = fc.constantFrom(
  '0', '1', '2', '3', '-1', '10', '0.5', '-0', '1e3', '1e1000', '-1e1000', '1e-5', '1e9',
  '100000000000000000000', '0.1', '3.14159', '255', '65', '1114112',
);

const stringLiteral = fc.constantFrom(
  '""', '"a"', '"b"', '"abc"', '"a,b"', '"\\u00e9"', '"\\ud83d\\ude00"', '"x\\ty"', '"1"', '"__proto__"',
  '"constructor"', '"[a-c]+"', '"(?<n>a)"', '"\\\\d"', '"%Y-%m-%d"', '"2015-03-05T23:51:47Z"', '"gx"',
  '"null"', '"[1,2]"', '"nan"', '"ab"',
);

const field = fc.constantFrom('a', 'b', 'c', 'length', '__proto__', 'constructor', 'toString', 'foo');

const formats = fc.constantFrom(
  '@text', '@json', '@csv', '@tsv', '@html', '@uri', '@urid', '@sh', '@base64', '@base64d', '@base32',
  '@base32d',
);

const binop = fc.constantFrom(
  '|', ',', '+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', 'and', 'or', '//',
);

const assignOp = fc.constantFrom('=', '|=', '+=', '-=', '*=', '/=', '%=', '//=');

/** Expressions that are valid paths (usable in `path(…)`, on the left of `|=`, in `del`). */
function pathExpr(depth: number): Arb {
  const atoms: Arb[] = [
    fc.constant('.'),
    fc.constant('..'),
    fc.constant('.[]'),
    fc.constant('.[]?'),
    field.map((f) => `.${f}`),
    field.map((f) => `.${f}?`),
    field.map((f) => `."${f}"`),
    fc.integer({ min: -3, max: 3 }).map((n) => `.[${n}]`),
    fc.tuple(fc.integer({ min: -2, max: 3 }), fc.integer({ min: -2, max: 4 })).map(([a, b]) => `.[${a}:${b}]`),
    fc.constant('.[1:]'),
    fc.constant('empty'),
    fc.constant('first(.[])'),
    fc.constant('getpath(["a", 0])'),
    fc.constant('recurse'),
  ];
  if (depth <= 0) return fc.oneof(...atoms);
  const sub = pathExpr(depth - 1);
  return fc.oneof(
    { depthSize: 'small' },
    ...atoms,
    fc.tuple(sub, sub).map(([a, b]) => `${a} | ${b}`),
    fc.tuple(sub, sub).map(([a, b]) => `(${a}, ${b})`),
    fc.tuple(sub, field).map(([a, f]) => `${a}.${f}`),
    fc.tuple(sub, sub).map(([a, b]) => `if type == "object" then ${a} else ${b} end`),
    sub.map((a) => `select(type == "array") | ${a}`),
    sub.map((a) => `(${a})?`),
  );
}

/** Memoised by depth so building a depth-n arbitrary is linear in n. */
const exprCache = new Map<number, Arb>();

/** A jq expression of bounded depth. */
export function jqExpr(depth: number): Arb {
  const cached = exprCache.get(depth);
  if (cached) return cached;

  const atoms: Arb[] = [
    fc.constant('.'),
    fc.constant('..'),
    fc.constant('.[]'),
    fc.constant('$x'),
    fc.constant('null'),
    fc.constant('true'),
    fc.constant('false'),
    fc.constant('[]'),
    fc.constant('{}'),
    numberLiteral,
    stringLiteral,
    field.map((f) => `.${f}`),
    fc.integer({ min: -3, max: 5 }).map((n) => `.[${n}]`),
    fc.constantFrom(...BUILTINS[0]),
    formats,
  ];
  let arb: Arb;
  if (depth <= 0) {
    arb = fc.oneof(...atoms);
  } else {
    const e = jqExpr(depth - 1);
    const p = pathExpr(Math.min(depth - 1, 2));
    const name1 = fc.constantFrom(...BUILTINS[1]);
    const name2 = fc.constantFrom(...BUILTINS[2]);
    const name3 = fc.constantFrom(...BUILTINS[3]);
    arb = fc.oneof(
      { depthSize: 'small' },
      ...atoms,
      // Operators, postfix forms.
      fc.tuple(e, binop, e).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(e, binop, e).map(([a, op, b]) => `(${a} ${op} ${b})`),
      e.map((a) => `-(${a})`),
      e.map((a) => `(${a})?`),
      fc.tuple(e, e).map(([a, b]) => `(${a})[${b}]`),
      fc.tuple(e, e, e).map(([a, b, c]) => `(${a})[${b}:${c}]`),
      fc.tuple(e, field).map(([a, f]) => `(${a}).${f}`),
      e.map((a) => `(${a})[]?`),
      // Constructors.
      e.map((a) => `[${a}]`),
      fc.tuple(field, e).map(([k, v]) => `{${k}: ${v}}`),
      fc.tuple(e, e).map(([k, v]) => `{(${k}): ${v}}`),
      fc.tuple(field, e, e).map(([k, a, b]) => `{${k}, "k\\(${a})": ${b}}`),
      fc.constant('{$x, a: 1}'),
      fc.tuple(e, e).map(([a, b]) => `"s\\(${a})-\\(${b})"`),
      fc.tuple(formats, e).map(([f, a]) => `${f} "v=\\(${a})"`),
      // Control flow.
      fc.tuple(e, e, e).map(([c, a, b]) => `if ${c} then ${a} else ${b} end`),
      fc.tuple(e, e, e, e).map(([c, a, d, b]) => `if ${c} then ${a} elif ${d} then ${b} end`),
      e.map((a) => `try ${a}`),
      fc.tuple(e, e).map(([a, b]) => `try (${a}) catch ${b}`),
      fc.tuple(e, e).map(([a, b]) => `error(${a}) // ${b}`),
      fc.tuple(e, e, e).map(([g, i, u]) => `reduce ${g} as $x (${i}; ${u})`),
      fc.tuple(e, e, e).map(([g, i, u]) => `foreach ${g} as $x (${i}; ${u})`),
      fc.tuple(e, e, e, e).map(([g, i, u, x]) => `foreach ${g} as $x (${i}; ${u}; ${x})`),
      fc.tuple(e, e).map(([a, b]) => `${a} as $x | ${b}`),
      fc.tuple(e, e).map(([a, b]) => `${a} as [$x, $v] | [$x, $v, ${b}]`),
      fc.tuple(e, e).map(([a, b]) => `${a} as {a: $x, $v} | ${b}`),
      fc.tuple(e, e).map(([a, b]) => `${a} as [$x] ?// $x | ${b}`),
      fc.tuple(e, e).map(([a, b]) => `label $out | ${a} | if ${b} then ., break $out else . end`),
      e.map((a) => `first(${a})`),
      fc.tuple(fc.integer({ min: -1, max: 4 }), e).map(([n, a]) => `limit(${n}; ${a})`),
      fc.tuple(fc.integer({ min: 0, max: 5 }), e).map(([n, a]) => `[limit(${n}; repeat(${a}))]`),
      fc.constant('[limit(5; repeat(.))]'),
      fc.constant('repeat(.)'),
      fc.tuple(e, e).map(([a, b]) => `range(${a}; ${b})`),
      e.map((a) => `[range(${a})]`),
      // Definitions, including recursion (bounded and unbounded: the budget must stop it).
      fc.tuple(e, e).map(([a, b]) => `def f: ${a}; ${b} | f`),
      fc.tuple(e, e).map(([a, b]) => `def f(g): g | ${a}; f(${b})`),
      fc.tuple(e, e).map(([a, b]) => `def f($p): [$p, ${a}]; f(${b})`),
      fc.tuple(e, e).map(
        ([a, b]) => `def r: if type == "number" and . > 0 then . - 1 | r else ${a} end; ${b} | r`,
      ),
      e.map((a) => `def r: ${a} | r; r`),
      e.map((a) => `def r: ., (${a} | r); [limit(5; r)]`),
      e.map((a) => `def r: [.[]? | r] + [${a}]; r`),
      // Builtin calls with the right arities.
      fc.tuple(name1, e).map(([n, a]) => `${n}(${a})`),
      fc.tuple(name2, e, e).map(([n, a, b]) => `${n}(${a}; ${b})`),
      fc.tuple(name3, e, e, e).map(([n, a, b, c]) => `${n}(${a}; ${b}; ${c})`),
      // Paths and assignments.
      p.map((a) => `[path(${a})]`),
      p.map((a) => `[path(${a}) as $v | getpath($v)]`),
      p.map((a) => `del(${a})`),
      p.map((a) => `[${a}]`),
      fc.tuple(p, assignOp, e).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(p, e).map(([a, b]) => `to_entries | ${a} |= ${b}`),
      fc.tuple(e, e).map(([a, b]) => `setpath([${a}]; ${b})`),
      fc.tuple(e, p).map(([a, b]) => `getpath([${a}]) | ${b}`),
      e.map((a) => `[paths(${a})]`),
    );
  }
  exprCache.set(depth, arb);
  return arb;
}

/** A whole program: an expression, sometimes with a definition or a syntax slip in front. */
export function jqProgram(depth = 3): Arb {
  const e = jqExpr(depth);
  return fc.oneof(
    { weight: 8, arbitrary: e },
    { weight: 1, arbitrary: fc.tuple(e, e).map(([a, b]) => `def g: ${a}; ${b}, g`) },
    // Small corruptions, so the parser's error paths are exercised as well.
    {
      weight: 1,
      arbitrary: fc
        .tuple(e, fc.nat(), fc.constantFrom('(', ')', '[', ']', '{', '}', '"', '|', ';', '\\', '$', '.', '?', ' as '))
        .map(([a, at, junk]) => {
          const i = a.length === 0 ? 0 : at % a.length;
          return a.slice(0, i) + junk + a.slice(i);
        }),
    },
  );
}

const keyArb = fc.constantFrom('a', 'b', 'c', 'foo', '__proto__', 'constructor', '', 'é', '1');

/** JSON inputs: small, with the awkward corners (-0, huge numbers, odd keys, unicode). */
export const jsonInput: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -5, max: 10 }),
    fc.constantFrom(-0, 0.5, 1e300, -1e300, 1.7976931348623157e308, 2 ** 53 + 2, 1e-300),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 6 }),
    fc.string({ unit: 'grapheme', maxLength: 4 }),
    fc.constantFrom('a', 'b', '1', '2015-03-05T23:51:47Z', 'a,b', '[1]'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(keyArb, tie('value')), { maxLength: 4, selector: ([k]) => k }).map((entries) => {
      const o: Record<string, Value> = {};
      for (const [k, v] of entries) {
        Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return o;
    }),
  ),
})).value;
