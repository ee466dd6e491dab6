import { describe, expect, it } from 'vitest';
import { mathBuiltins } from '../../src/jq/builtins/math.js';
import { JqRuntimeError } from '../../src/jq/errors.js';
import { compile } from '../../src/jq/index.js';
import type { Value } from '../../src/jq/values.js';

const N = mathBuiltins.natives;

function unary(name: string, x: Value): Value {
  return N[`${name}/0`]!(x);
}

function binary(name: string, a: Value, b: Value): Value {
  return N[`${name}/2`]!(null, a, b);
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(JqRuntimeError);
    return (e as Error).message;
  }
  throw new Error('did not fail');
}

/** Distance in units in the last place between two doubles. */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const buf = new DataView(new ArrayBuffer(8));
  const ord = (x: number): bigint => {
    buf.setFloat64(0, x);
    const bits = buf.getBigInt64(0);
    return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  };
  const d = ord(a) - ord(b);
  return Number(d < 0n ? -d : d);
}

function close(actual: Value, expected: number, maxUlps: number): void {
  expect(typeof actual).toBe('number');
  const u = ulps(actual as number, expected);
  expect(u, `${JSON.stringify(actual)} vs ${expected}`).toBeLessThanOrEqual(maxUlps);
}

// Reference values from glibc 2.36's libm (what jq uses on Linux), at 0.5, 3.7, 25 and -1.5.
const GLIBC: Record<string, [number, number][]> = {
  j0: [[0.5, 0.9384698072408129], [3.7, -0.39923020337119114], [25, 0.09626678327595814], [-1.5, 0.5118276717359181]],
  j1: [[0.5, 0.2422684576748739], [3.7, 0.05383398774546179], [25, -0.1253502495802899], [-1.5, -0.5579365079100996]],
  y0: [[0.5, -0.44451873350670656], [3.7, 0.10607431532035409], [25, -0.12724943226800614], [-1.5, NaN]],
  y1: [[0.5, -1.4714723926702433], [3.7, 0.4166743726838075], [25, -0.09882996478323743], [-1.5, NaN]],
  erf: [[0.5, 0.5204998778130465], [3.7, 0.9999998328489421], [25, 1], [-1.5, -0.9661051464753108]],
  erfc: [[0.5, 0.4795001221869535], [3.7, 1.6715105790914596e-7], [25, 8.300172571196522e-274], [-1.5, 1.9661051464753108]],
  tgamma: [[0.5, 1.772453850905516], [3.7, 4.170651783796604], [25, 6.204484017332394e23], [-1.5, 2.363271801207355]],
  lgamma: [[0.5, 0.5723649429247001], [3.7, 1.428072326665388], [25, 54.78472939811231], [-1.5, 0.8600470153764809]],
  gamma: [[0.5, 0.5723649429247001], [-1.5, 0.8600470153764809]],
  exp10: [[0.5, 3.1622776601683795], [3.7, 5011.872336272725], [25, 1e25], [-1.5, 0.03162277660168379]],
  cbrt: [[0.5, 0.7937005259840998], [3.7, 1.5466803737720356], [25, 2.924017738212866], [-1.5, -1.1447142425533317]],
  significand: [[0.5, 1], [3.7, 1.85], [25, 1.5625], [-1.5, -1.5]],
  logb: [[0.5, -1], [3.7, 1], [25, 4], [-1.5, 0]],
  expm1: [[0.5, 0.6487212707001282], [3.7, 39.4473043600674], [25, 72004899336.38588], [-1.5, -0.7768698398515702]],
  log1p: [[0.5, 0.4054651081081644], [3.7, 1.547562508716013], [25, 3.258096538021482], [-1.5, NaN]],
};

describe('one-argument functions', () => {
  it('match glibc closely', () => {
    for (const [name, points] of Object.entries(GLIBC)) {
      for (const [x, y] of points) close(unary(name, x), y, 8);
    }
  });

  it('cover the jq.test cases', () => {
    expect([-1.1, 1.1, 1.9].map((x) => unary('floor', x))).toEqual([-2, 1, 1]);
    expect([4, 9].map((x) => unary('sqrt', x))).toEqual([2, 3]);
    expect(Math.floor((unary('atan', 1) as number) * 4 * 1e6) / 1e6).toBe(3.141592);
    expect([-0, 0, -10, -1.1].map((x) => unary('fabs', x))).toEqual([0, 0, 10, 1.1]);
  });

  it('round the way C does', () => {
    const xs = [2.5, 3.5, -2.5, -0.4, 0.5, 1e300];
    expect(xs.map((x) => unary('round', x))).toEqual([3, 4, -3, -0, 1, 1e300]);
    expect(xs.map((x) => unary('rint', x))).toEqual([2, 4, -2, -0, 0, 1e300]);
    expect(xs.map((x) => unary('nearbyint', x))).toEqual([2, 4, -2, -0, 0, 1e300]);
    expect(xs.map((x) => unary('trunc', x))).toEqual([2, 3, -2, -0, 0, 1e300]);
    expect(unary('ceil', -0.5)).toBe(-0);
  });

  it('handle special values like glibc', () => {
    expect([0, -0, Infinity, 5e-324, -12].map((x) => unary('significand', x))).toEqual([0, -0, Infinity, 1, -1.5]);
    expect([0, -0, Infinity, -Infinity, 5e-324, -12].map((x) => unary('logb', x))).toEqual([
      -Infinity, -Infinity, Infinity, Infinity, -1074, 3,
    ]);
    expect([0, -0, 172, -184.5, -185.5, 5].map((x) => unary('tgamma', x))).toEqual([Infinity, -Infinity, Infinity, -0, 0, 24]);
    expect(unary('tgamma', -1)).toBeNaN();
    expect(unary('y0', 0)).toBe(-Infinity);
    expect(unary('j0', Infinity)).toBe(0);
    expect(unary('erf', -Infinity)).toBe(-1);
    expect(unary('erfc', -Infinity)).toBe(2);
  });

  it('split numbers into arrays', () => {
    expect(unary('frexp', 8)).toEqual([0.5, 4]);
    expect(unary('frexp', 5e-324)).toEqual([0.5, -1073]);
    expect(unary('frexp', 0)).toEqual([0, 0]);
    expect(unary('modf', 3.5)).toEqual([0.5, 3]);
    expect(unary('modf', -3)).toEqual([-0, -3]);
    expect(unary('modf', -Infinity)).toEqual([-0, -Infinity]);
    expect(unary('lgamma_r', -0.5)).toEqual([1.2655121234846454, -1]);
    expect(unary('lgamma_r', -1.5)).toEqual([0.8600470153764809, 1]);
    expect(unary('lgamma_r', -0)).toEqual([Infinity, -1]);
    expect(unary('lgamma_r', -2)).toEqual([Infinity, 1]);
  });

  it('require numbers', () => {
    expect(errorOf(() => unary('sin', 'abc'))).toBe('string ("abc") number required');
    expect(errorOf(() => unary('frexp', null))).toBe('null (null) number required');
  });
});

describe('two- and three-argument functions', () => {
  const pairs: [number, number][] = [[10, 3], [-10, 3], [5.5, 2], [-7.5, 2], [1, 0.5], [0, -1]];
  const table = (name: string) => pairs.map(([a, b]) => binary(name, a, b));

  it('match glibc', () => {
    expect(table('remainder')).toEqual([1, -1, -0.5, 0.5, 0, 0]);
    expect(table('drem')).toEqual([1, -1, -0.5, 0.5, 0, 0]);
    expect(table('fmod')).toEqual([1, -1, 1.5, -1.5, 0, 0]);
    expect(table('nextafter')).toEqual([9.999999999999998, -9.999999999999998, 5.499999999999999, -7.499999999999999, 0.9999999999999999, -5e-324]);
    expect(table('nexttoward')).toEqual(table('nextafter'));
    expect(table('fdim')).toEqual([7, 0, 3.5, 0, 0.5, 1]);
    expect(table('copysign')).toEqual([10, 10, 5.5, 7.5, 1, -0]);
    expect(binary('scalb', 10, 3)).toBe(80);
    expect(binary('scalb', 1, 0.5)).toBeNaN();
    expect(binary('ldexp', 3, 2)).toBe(12);
    expect(binary('ldexp', 1, -1074)).toBe(5e-324);
    expect(binary('scalbln', 1, 1e10)).toBe(Infinity);
    expect(binary('hypot', 3, 4)).toBe(5);
    expect(binary('atan2', 1, -1)).toBe((3 * Math.PI) / 4);
  });

  it('follow C for pow, fmin and fmax', () => {
    expect(binary('pow', 2, 10)).toBe(1024);
    expect(binary('pow', 1, NaN)).toBe(1);
    expect(binary('pow', -1, Infinity)).toBe(1);
    expect(binary('fmax', 1, NaN)).toBe(1);
    expect(binary('fmin', NaN, 2)).toBe(2);
    expect(binary('fmax', 0, -0)).toBe(-0);
    expect(binary('fmin', -0, 0)).toBe(0);
  });

  it('compute Bessel functions of any integer order', () => {
    close(binary('jn', 2, 0.5), 0.03060402345868264, 8);
    close(binary('jn', 5, 3.7), 0.09948541700833392, 8);
    close(binary('jn', 3, 25), 0.10834308106150889, 8);
    close(binary('jn', -3, 2), -0.12894324947440206, 8);
    close(binary('yn', 2, 0.5), -5.441370837174267, 8);
    close(binary('yn', 5, 3.7), -0.9790650682335421, 8);
    close(binary('yn', 3, 25), 0.11792485039689297, 8);
    close(binary('yn', -3, 2), 1.127783776840428, 8);
    expect(binary('yn', -3, 0)).toBe(Infinity);
    expect(binary('yn', 2, 0)).toBe(-Infinity);
  });

  it('fuse multiply-add with one rounding', () => {
    const fma = N['fma/3']!;
    expect(fma(null, 0.1, 10, -1)).toBe(5.551115123125783e-17);
    expect(fma(null, 1 + 2 ** -52, 1 - 2 ** -52, -1)).toBe(-4.930380657631324e-32);
    expect(fma(null, 2, 3, 4)).toBe(10);
    expect(fma(null, 1e308, 10, -Infinity)).toBe(-Infinity);
    expect(fma(null, 2 ** -1074, 0.5, 0)).toBe(0);
    expect(errorOf(() => fma(null, 1, 'x', 2))).toBe('string ("x") number required');
  });

  it('check their arguments in order', () => {
    expect(errorOf(() => binary('pow', 'a', 'b'))).toBe('string ("a") number required');
    expect(errorOf(() => binary('pow', 1, [2]))).toBe('array ([2]) number required');
  });
});

describe('classification', () => {
  it('infinite, nan and the predicates', () => {
    expect(N['infinite/0']!(null)).toBe(Infinity);
    expect(N['nan/0']!(null)).toBeNaN();
    const values = [NaN, Infinity, -Infinity, 1, 0, 5e-324, 'a'];
    expect(values.map((v) => N['isnan/0']!(v))).toEqual([true, false, false, false, false, false, false]);
    expect(values.map((v) => N['isinfinite/0']!(v))).toEqual([false, true, true, false, false, false, false]);
    expect(values.map((v) => N['isnormal/0']!(v))).toEqual([false, false, false, true, false, false, false]);
  });

  it('isfinite, finites and normals in jq', () => {
    const run = (p: string): Value[] => compile(p).run(null);
    expect(run('[1, infinite, nan, "a"] | map(isfinite)')).toEqual([[true, false, true, false]]);
    expect(run('[1, infinite, 0, 5e-324] | map(finites)')).toEqual([[1, 0, 5e-324]]);
    expect(run('[1, infinite, 0, 5e-324] | map(normals)')).toEqual([[1]]);
  });

  it('two-argument functions ignore their input', () => {
    expect(compile('[range(-52;52;1)] as $p | [$p[]|pow(2;.)|log2|round] == $p').run(null)).toEqual([true]);
    expect(compile('"ignored" | [pow(2;3), ldexp(1;3), fma(2;3;4)]').run(null)).toEqual([[8, 8, 10]]);
  });
});
