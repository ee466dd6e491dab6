/**
 * jq 1.8's math builtins: the C library functions it exposes (one-argument ones act on `.`,
 * two- and three-argument ones such as `pow(a; b)` ignore `.`), plus infinite, nan and the
 * isnan/isinfinite/isnormal tests. A non-number operand fails with
 * `<type> (<value>) number required`, as in jq.
 */
import { typeFail } from '../errors.js';
import type { Value } from '../values.js';
import { j0, j1, jn, y0, y1, yn } from './bessel.js';
import {
  copysign,
  erf,
  erfc,
  exp10,
  fdim,
  fma,
  fmax,
  fmin,
  frexp,
  lgammaR,
  logb,
  modf,
  nextafter,
  pow,
  remainder,
  rint,
  round,
  scalb,
  scalbn,
  significand,
  tgamma,
  toCInt,
  toCLong,
} from './libm.js';
import type { BuiltinModule, NativeTable } from './types.js';

function num(v: Value): number {
  return typeof v === 'number' ? v : typeFail(v, 'number required');
}

const lgamma = (x: number): number => lgammaR(x)[0];

const unary: Record<string, (x: number) => number> = {
  acos: Math.acos,
  acosh: Math.acosh,
  asin: Math.asin,
  asinh: Math.asinh,
  atan: Math.atan,
  atanh: Math.atanh,
  cbrt: Math.cbrt,
  ceil: Math.ceil,
  cos: Math.cos,
  cosh: Math.cosh,
  erf,
  erfc,
  exp: Math.exp,
  exp10,
  exp2: (x) => Math.pow(2, x),
  expm1: Math.expm1,
  fabs: Math.abs,
  floor: Math.floor,
  gamma: lgamma,
  j0,
  j1,
  lgamma,
  log: Math.log,
  log10: Math.log10,
  log1p: Math.log1p,
  log2: Math.log2,
  logb,
  nearbyint: rint,
  rint,
  round,
  significand,
  sin: Math.sin,
  sinh: Math.sinh,
  sqrt: Math.sqrt,
  tan: Math.tan,
  tanh: Math.tanh,
  tgamma,
  trunc: Math.trunc,
  y0,
  y1,
};

const binary: Record<string, (a: number, b: number) => number> = {
  atan2: Math.atan2,
  copysign,
  drem: remainder,
  fdim,
  fmax,
  fmin,
  fmod: (a, b) => a % b,
  hypot: Math.hypot,
  jn: (n, x) => jn(toCInt(n), x),
  ldexp: (x, n) => scalbn(x, toCInt(n)),
  nextafter,
  nexttoward: nextafter,
  pow,
  remainder,
  scalb,
  scalbln: (x, n) => scalbn(x, Math.max(-65000, Math.min(65000, toCLong(n)))),
  yn: (n, x) => yn(toCInt(n), x),
};

const natives: NativeTable = {
  'frexp/0': (v) => frexp(num(v)),
  'modf/0': (v) => modf(num(v)),
  'lgamma_r/0': (v) => lgammaR(num(v)),
  'fma/3': (_, a, b, c) => fma(num(a), num(b), num(c)),
  'infinite/0': () => Infinity,
  'nan/0': () => NaN,
  'isinfinite/0': (v) => typeof v === 'number' && (v === Infinity || v === -Infinity),
  'isnan/0': (v) => typeof v === 'number' && v !== v,
  'isnormal/0': (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) >= 2.2250738585072014e-308,
};
for (const [name, f] of Object.entries(unary)) natives[`${name}/0`] = (v) => f(num(v));
for (const [name, f] of Object.entries(binary)) natives[`${name}/2`] = (_, a, b) => f(num(a), num(b));

export const mathBuiltins: BuiltinModule = {
  natives,
  jq: `
def isfinite: type == "number" and (isinfinite | not);
def finites: select(isfinite);
def normals: select(isnormal);
`,
};
