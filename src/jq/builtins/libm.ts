/**
 * C math library functions JavaScript lacks, for jq's math builtins: IEEE helpers
 * (frexp, ldexp, nextafter, remainder, exact fma, ...) plus erf, erfc, lgamma and tgamma.
 *
 * erf/erfc and lgamma_r follow FreeBSD msun / musl (origin: Sun fdlibm):
 *   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunSoft, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this software is freely granted,
 *   provided that this notice is preserved.
 * tgamma follows musl's Lanczos approximation (MIT licence, constants from Boost/Python).
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The upper 32 bits of a double, as a signed integer (fdlibm's GET_HIGH_WORD). */
export function highWord(x: number): number {
  f64[0] = x;
  return u32[HI]! | 0;
}

export function lowWord(x: number): number {
  f64[0] = x;
  return u32[LO]!;
}

export function fromWords(hi: number, lo: number): number {
  u32[HI] = hi >>> 0;
  u32[LO] = lo >>> 0;
  return f64[0]!;
}

export function signBit(x: number): boolean {
  return highWord(x) < 0;
}

/** C's conversion of a double to int on x86: out of range (or NaN) becomes INT_MIN. */
export function toCInt(x: number): number {
  return x > -2147483649 && x < 2147483648 ? Math.trunc(x) : -2147483648;
}

/** C's conversion of a double to a 64-bit long on x86, with the same overflow rule. */
export function toCLong(x: number): number {
  return x > -9223372036854775808 && x < 9223372036854775808 ? Math.trunc(x) : -9223372036854775808;
}

/** Binary exponent of a finite non-zero number, subnormals included. */
export function ilogb(x: number): number {
  const e = (highWord(x) >>> 20) & 0x7ff;
  if (e !== 0) return e - 1023;
  return ((highWord(x * 18014398509481984) >>> 20) & 0x7ff) - 1023 - 54;
}

/** x * 2^n with a single rounding (musl's scalbn). */
export function scalbn(x: number, n: number): number {
  let y = x;
  if (n > 1023) {
    y *= 2 ** 1023;
    n -= 1023;
    if (n > 1023) {
      y *= 2 ** 1023;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    // Stay above the subnormal range until the last step, so only it rounds.
    y *= 2 ** -969;
    n += 969;
    if (n < -1022) {
      y *= 2 ** -969;
      n += 969;
      if (n < -1022) n = -1022;
    }
  }
  return y * fromWords((0x3ff + n) << 20, 0);
}

/** glibc's scalb: the exponent must be an integer-valued double. */
export function scalb(x: number, fn: number): number {
  if (Number.isNaN(x) || Number.isNaN(fn)) return x * fn;
  if (!Number.isFinite(fn)) return fn > 0 ? x * fn : x / -fn;
  if (rint(fn) !== fn) return NaN;
  if (fn > 65000) return scalbn(x, 65000);
  if (-fn > 65000) return scalbn(x, -65000);
  return scalbn(x, fn);
}

export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  const e = ilogb(x) + 1;
  return [scalbn(x, -e), e];
}

export function modf(x: number): [number, number] {
  if (Number.isNaN(x)) return [x, x];
  if (!Number.isFinite(x)) return [signBit(x) ? -0 : 0, x];
  const i = Math.trunc(x);
  const f = x - i;
  return [f === 0 ? (signBit(x) ? -0 : 0) : f, i];
}

export function logb(x: number): number {
  if (x === 0) return -Infinity;
  if (!Number.isFinite(x)) return x * x;
  return ilogb(x);
}

export function significand(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return scalbn(x, -ilogb(x));
}

/** Round half to even (rint and nearbyint in the default rounding mode). */
export function rint(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < 4503599627370496)) return x;
  const r = ax + 4503599627370496 - 4503599627370496;
  return signBit(x) ? -r : r;
}

/** C's round: half away from zero. */
export function round(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < 4503599627370496)) return x;
  let r = Math.floor(ax);
  if (ax - r >= 0.5) r += 1;
  return signBit(x) ? -r : r;
}

export function copysign(x: number, y: number): number {
  return fromWords((highWord(x) & 0x7fffffff) | (highWord(y) & 0x80000000), lowWord(x));
}

export function fdim(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return x > y ? x - y : 0;
}

// On a tie (+0 against -0) glibc on x86-64 returns the second operand, as maxsd/minsd do.
export function fmax(x: number, y: number): number {
  if (Number.isNaN(x)) return y;
  if (Number.isNaN(y)) return x;
  return x > y ? x : y;
}

export function fmin(x: number, y: number): number {
  if (Number.isNaN(x)) return y;
  if (Number.isNaN(y)) return x;
  return x < y ? x : y;
}

export function nextafter(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return x + y;
  if (x === y) return y;
  if (x === 0) return y > 0 ? 5e-324 : -5e-324;
  let hi = highWord(x);
  let lo = lowWord(x);
  if (x > 0 === y > x) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) >>> 0;
  }
  return fromWords(hi, lo);
}

/** IEEE remainder: x - n*y with n = x/y rounded half to even (fdlibm e_remainder). */
export function remainder(x: number, p: number): number {
  if (p === 0 || !Number.isFinite(x) || Number.isNaN(p)) return NaN;
  const negative = signBit(x);
  const ap = Math.abs(p);
  if (Math.abs(x) === ap) return 0 * x;
  let r = Math.abs(ap <= Number.MAX_VALUE / 2 ? x % (ap + ap) : x);
  if (ap < 2 ** -1021) {
    if (r + r > ap) {
      r -= ap;
      if (r + r >= ap) r -= ap;
    }
  } else {
    const half = 0.5 * ap;
    if (r > half) {
      r -= ap;
      if (r >= half) r -= ap;
    }
  }
  return negative ? -r : r;
}

export function pow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

export function exp10(x: number): number {
  // A power of ten with an integer exponent is best read back from its decimal form.
  if (Number.isInteger(x) && x >= -400 && x <= 400) return Number(`1e${x}`);
  return Math.pow(10, x);
}

/** A finite non-zero double as sign * m * 2^e with an integer m. */
function decompose(x: number): [bigint, number] {
  const hi = highWord(x);
  const e = (hi >>> 20) & 0x7ff;
  let m = (hi & 0xfffff) * 4294967296 + lowWord(x);
  if (e !== 0) m += 4503599627370496;
  const big = BigInt(m);
  return [hi < 0 ? -big : big, (e === 0 ? 1 : e) - 1075];
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** x*y + z with one rounding, computed exactly with BigInts. */
export function fma(x: number, y: number, z: number): number {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x * y + z;
  if (!Number.isFinite(z)) return z;
  if (x === 0 || y === 0 || z === 0) return x * y + z;
  const [mx, ex] = decompose(x);
  const [my, ey] = decompose(y);
  const [mz, ez] = decompose(z);
  let mp = mx * my;
  let ep = ex + ey;
  let sz = mz;
  if (ep > ez) {
    mp <<= BigInt(ep - ez);
    ep = ez;
  } else {
    sz <<= BigInt(ez - ep);
  }
  let s = mp + sz;
  if (s === 0n) return 0;
  const negative = s < 0n;
  if (negative) s = -s;
  let e = ep;
  const shift = Math.max(bitLength(s) - 53, -1074 - e);
  if (shift > 0) {
    const b = BigInt(shift);
    let q = s >> b;
    const rem = s - (q << b);
    const half = 1n << (b - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    s = q;
    e += shift;
  }
  const r = scalbn(Number(s), e);
  return negative ? -r : r;
}

// ---- erf, erfc --------------------------------------------------------------------------

const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
const EFX8 = 1.02703333676410069053;
const PP = [1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const QQ = [3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.96022827877536812320e-6];
const PA = [-2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2, -2.16637559486879084300e-3];
const QA = [1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.19844998467991074170e-2];
const RA = [-9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592];
const SA = [1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2];
const RB = [-9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3, -4.83519191608651397019e2];
const SB = [3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2, -2.24409524465858183362e1];

/** c[0] + z*c[1] + z^2*c[2] + ... */
function poly(c: readonly number[], z: number): number {
  let r = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) r = r * z + c[i]!;
  return r;
}

/** 1 + z*c[0] + z^2*c[1] + ... */
function poly1(c: readonly number[], z: number): number {
  return 1 + z * poly(c, z);
}

function erfSmallRatio(x: number): number {
  const z = x * x;
  return poly(PP, z) / poly1(QQ, z);
}

/** erfc(|x|)*|x|... for 1.25 <= |x| < 28: the exp(-x^2) tail, without the 1/x. */
function erfcTail(ax: number, ix: number, bound: number): number {
  const s = 1 / (ax * ax);
  const R = ix < bound ? poly(RA, s) : poly(RB, s);
  const S = ix < bound ? poly1(SA, s) : poly1(SB, s);
  const z = fromWords(highWord(ax), 0);
  return Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + R / S);
}

export function erf(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) return (hx < 0 ? -1 : 1) + 1 / x;
  if (ix < 0x3feb0000) {
    if (ix < 0x3e300000) return ix < 0x00800000 ? 0.125 * (8 * x + EFX8 * x) : x + EFX * x;
    return x + x * erfSmallRatio(x);
  }
  if (ix < 0x3ff40000) {
    const s = Math.abs(x) - 1;
    const pq = poly(PA, s) / poly1(QA, s);
    return hx >= 0 ? ERX + pq : -ERX - pq;
  }
  if (ix >= 0x40180000) return hx >= 0 ? 1 - 1e-300 : 1e-300 - 1;
  const ax = Math.abs(x);
  const r = erfcTail(ax, ix, 0x4006db6e);
  return hx >= 0 ? 1 - r / ax : r / ax - 1;
}

export function erfc(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) return (hx < 0 ? 2 : 0) + 1 / x;
  if (ix < 0x3feb0000) {
    if (ix < 0x3c700000) return 1 - x;
    const y = erfSmallRatio(x);
    if (hx < 0x3fd00000) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ix < 0x3ff40000) {
    const s = Math.abs(x) - 1;
    const pq = poly(PA, s) / poly1(QA, s);
    return hx >= 0 ? 1 - ERX - pq : 1 + (ERX + pq);
  }
  if (ix < 0x403c0000) {
    if (hx < 0 && ix >= 0x40180000) return 2 - 1e-300;
    const ax = Math.abs(x);
    const r = erfcTail(ax, ix, 0x4006db6d);
    return hx > 0 ? r / ax : 2 - r / ax;
  }
  return hx > 0 ? 1e-300 * 1e-300 : 2 - 1e-300;
}

// ---- lgamma_r ---------------------------------------------------------------------------

const A = [7.72156649015328655494e-2, 3.22467033424113591611e-1, 6.73523010531292681824e-2, 2.05808084325167332806e-2, 7.38555086081402883957e-3, 2.89051383673415629091e-3, 1.19270763183362067845e-3, 5.10069792153511336608e-4, 2.20862790713908385557e-4, 1.08011567247583939954e-4, 2.52144565451257326939e-5, 4.48640949618915160150e-5];
const TC = 1.46163214496836224576;
const TF = -1.21486290535849611461e-1;
const TT = -3.63867699703950536541e-18;
const T = [4.83836122723810047042e-1, -1.47587722994593911752e-1, 6.46249402391333854778e-2, -3.27885410759859649565e-2, 1.79706750811820387126e-2, -1.03142241298341437450e-2, 6.10053870246291332635e-3, -3.68452016781138256760e-3, 2.25964780900612472250e-3, -1.40346469989232843813e-3, 8.81081882437654011382e-4, -5.38595305356740546715e-4, 3.15632070903625950361e-4, -3.12754168375120860518e-4, 3.35529192635519073543e-4];
const U = [-7.72156649015328655494e-2, 6.32827064025093366517e-1, 1.45492250137234768737, 9.77717527963372745603e-1, 2.28963728064692451092e-1, 1.33810918536787660377e-2];
const V = [2.45597793713041134822, 2.12848976379893395361, 7.69285150456672783825e-1, 1.04222645593369134254e-1, 3.21709242282423911810e-3];
const S = [-7.72156649015328655494e-2, 2.14982415960608852501e-1, 3.25778796408930981787e-1, 1.46350472652464452805e-1, 2.66422703033638609560e-2, 1.84028451407337715652e-3, 3.19475326584100867617e-5];
const R = [1.39200533467621045958, 7.21935547567138069525e-1, 1.71933865632803078993e-1, 1.86459191715652901344e-2, 7.77942496381893596434e-4, 7.32668430744625636189e-6];
const W = [4.18938533204672725052e-1, 8.33333333333329678849e-2, -2.77777777728775536470e-3, 7.93650558643019558500e-4, -5.95187557450339963135e-4, 8.36339918996282139126e-4, -1.63092934096575273989e-3];

/** sin(pi*x) for negative x, reduced so no precision is lost (fdlibm sin_pi). */
function sinPi(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3fd00000) return Math.sin(Math.PI * x);
  let y = -x;
  let n: number;
  const z = Math.floor(y);
  if (z !== y) {
    y *= 0.5;
    y = 2 * (y - Math.floor(y));
    n = Math.trunc(y * 4);
  } else if (ix >= 0x43400000) {
    y = 0;
    n = 0;
  } else {
    n = lowWord(ix < 0x43300000 ? z + 4503599627370496 : z) & 1;
    y = n;
    n <<= 2;
  }
  switch (n) {
    case 0:
      y = Math.sin(Math.PI * y);
      break;
    case 1:
    case 2:
      y = Math.cos(Math.PI * (0.5 - y));
      break;
    case 3:
    case 4:
      y = Math.sin(Math.PI * (1 - y));
      break;
    case 5:
    case 6:
      y = -Math.cos(Math.PI * (y - 1.5));
      break;
    default:
      y = Math.sin(Math.PI * (y - 2));
  }
  return -y;
}

/** [log|Gamma(x)|, sign of Gamma(x)]. */
export function lgammaR(x: number): [number, number] {
  const hx = highWord(x);
  const lx = lowWord(x);
  const ix = hx & 0x7fffffff;
  let sign = 1;
  if (ix >= 0x7ff00000) return [x * x, sign];
  if ((ix | lx) === 0) return [Infinity, hx < 0 ? -1 : 1];
  if (ix < 0x3b900000) return hx < 0 ? [-Math.log(-x), -1] : [-Math.log(x), 1];
  let nadj = 0;
  if (hx < 0) {
    if (ix >= 0x43300000) return [Infinity, sign];
    const t = sinPi(x);
    if (t === 0) return [Infinity, sign];
    nadj = Math.log(Math.PI / Math.abs(t * x));
    if (t < 0) sign = -1;
    x = -x;
  }
  let r: number;
  if (((ix - 0x3ff00000) | lx) === 0 || ((ix - 0x40000000) | lx) === 0) {
    r = 0;
  } else if (ix < 0x40000000) {
    let y: number;
    let i: number;
    if (ix <= 0x3feccccc) {
      r = -Math.log(x);
      if (ix >= 0x3fe76944) {
        y = 1 - x;
        i = 0;
      } else if (ix >= 0x3fcda661) {
        y = x - (TC - 1);
        i = 1;
      } else {
        y = x;
        i = 2;
      }
    } else {
      r = 0;
      if (ix >= 0x3ffbb4c3) {
        y = 2 - x;
        i = 0;
      } else if (ix >= 0x3ff3b4c4) {
        y = x - TC;
        i = 1;
      } else {
        y = x - 1;
        i = 2;
      }
    }
    if (i === 0) {
      const z = y * y;
      const p1 = A[0]! + z * (A[2]! + z * (A[4]! + z * (A[6]! + z * (A[8]! + z * A[10]!))));
      const p2 = z * (A[1]! + z * (A[3]! + z * (A[5]! + z * (A[7]! + z * (A[9]! + z * A[11]!)))));
      r += y * p1 + p2 - 0.5 * y;
    } else if (i === 1) {
      const z = y * y;
      const w = z * y;
      const p1 = T[0]! + w * (T[3]! + w * (T[6]! + w * (T[9]! + w * T[12]!)));
      const p2 = T[1]! + w * (T[4]! + w * (T[7]! + w * (T[10]! + w * T[13]!)));
      const p3 = T[2]! + w * (T[5]! + w * (T[8]! + w * (T[11]! + w * T[14]!)));
      r += TF + (z * p1 - (TT - w * (p2 + y * p3)));
    } else {
      r += -0.5 * y + (y * poly(U, y)) / poly1(V, y);
    }
  } else if (ix < 0x40200000) {
    const i = Math.trunc(x);
    const y = x - i;
    r = 0.5 * y + (y * poly(S, y)) / poly1(R, y);
    let z = 1;
    for (let k = i - 1; k >= 2; k--) z *= y + k;
    if (i >= 3) r += Math.log(z);
  } else if (ix < 0x43900000) {
    const t = Math.log(x);
    const z = 1 / x;
    const y = z * z;
    const w = W[0]! + z * (W[1]! + y * (W[2]! + y * (W[3]! + y * (W[4]! + y * (W[5]! + y * W[6]!)))));
    r = (x - 0.5) * (t - 1) + w;
  } else {
    r = x * (Math.log(x) - 1);
  }
  if (hx < 0) r = nadj - r;
  return [r, sign];
}

// ---- tgamma -----------------------------------------------------------------------------

const GMHALF = 5.52468004077673;
const SNUM = [23531376880.41076, 42919803642.6491, 35711959237.35567, 17921034426.03721, 6039542586.352028, 1439720407.3117216, 248874557.86205417, 31426415.585400194, 2876370.6289353725, 186056.26539522348, 8071.672002365816, 210.82427775157936, 2.5066282746310002];
const SDEN = [0, 39916800, 120543840, 150917976, 105258076, 45995730, 13339535, 2637558, 357423, 32670, 1925, 66, 1];
const FACT = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800, 479001600, 6227020800, 87178291200, 1307674368000, 20922789888000, 355687428096000, 6402373705728000, 121645100408832000, 2432902008176640000, 51090942171709440000, 1124000727777607680000];

function lanczosSum(x: number): number {
  let num = 0;
  let den = 0;
  if (x < 8) {
    for (let i = 12; i >= 0; i--) {
      num = num * x + SNUM[i]!;
      den = den * x + SDEN[i]!;
    }
  } else {
    for (let i = 0; i <= 12; i++) {
      num = num / x + SNUM[i]!;
      den = den / x + SDEN[i]!;
    }
  }
  return num / den;
}

/** sin(pi*x) for positive normal x. */
function sinPiPositive(x: number): number {
  x *= 0.5;
  x = 2 * (x - Math.floor(x));
  let n = Math.trunc(4 * x);
  n = Math.trunc((n + 1) / 2);
  x -= n * 0.5;
  x *= Math.PI;
  switch (n) {
    case 1:
      return Math.cos(x);
    case 2:
      return Math.sin(0 - x);
    case 3:
      return -Math.cos(x);
    default:
      return Math.sin(x);
  }
}

export function tgamma(x: number): number {
  if (!Number.isFinite(x)) return x + Infinity;
  if (x === Math.floor(x)) {
    if (x === 0) return 1 / x;
    if (x < 0) return NaN;
    if (x <= FACT.length) return FACT[x - 1]!;
  }
  const absx = Math.abs(x);
  if (absx < 2 ** -54) return 1 / x;
  if (absx >= 184) {
    if (x < 0) return Math.floor(x) * 0.5 === Math.floor(x * 0.5) ? 0 : -0;
    return x * 2 ** 1023;
  }
  const y = absx + GMHALF;
  let dy = absx > GMHALF ? y - absx - GMHALF : y - GMHALF - absx;
  let z = absx - 0.5;
  let r = lanczosSum(absx) * Math.exp(-y);
  if (x < 0) {
    r = -Math.PI / (sinPiPositive(absx) * absx * r);
    dy = -dy;
    z = -z;
  }
  r += (dy * (GMHALF + 0.5) * r) / y;
  z = Math.pow(y, 0.5 * z);
  return r * z * z;
}
