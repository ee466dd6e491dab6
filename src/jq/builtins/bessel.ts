/**
 * Bessel functions j0, j1, jn, y0, y1, yn for jq's math builtins, following FreeBSD msun /
 * musl (origin: Sun fdlibm e_j0.c, e_j1.c, e_jn.c):
 *   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunSoft, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this software is freely granted,
 *   provided that this notice is preserved.
 */
import { highWord, lowWord } from './libm.js';

const INVSQRTPI = 5.64189583547756279280e-1;
const TPI = 6.36619772367581382433e-1;

type Table = readonly number[];

/** Rational approximations of the asymptotic factors P and Q, chosen by the size of x. */
interface Asymptotic {
  p: [Table, Table, Table, Table];
  ps: [Table, Table, Table, Table];
  q: [Table, Table, Table, Table];
  qs: [Table, Table, Table, Table];
  q0: number;
}

function band(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix >= 0x40200000) return 0;
  if (ix >= 0x40122e8b) return 1;
  if (ix >= 0x4006db6d) return 2;
  return 3;
}

function horner(c: Table, z: number): number {
  let r = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) r = r * z + c[i]!;
  return r;
}

function pFactor(t: Asymptotic, x: number): number {
  const b = band(x);
  const z = 1 / (x * x);
  return 1 + horner(t.p[b], z) / (1 + z * horner(t.ps[b], z));
}

function qFactor(t: Asymptotic, x: number): number {
  const b = band(x);
  const z = 1 / (x * x);
  return (t.q0 + horner(t.q[b], z) / (1 + z * horner(t.qs[b], z))) / x;
}

const ORDER0: Asymptotic = {
  p: [
    [0, -7.03124999999900357484e-2, -8.08167041275349795626, -2.57063105679704847262e2, -2.48521641009428822144e3, -5.25304380490729545272e3],
    [-1.14125464691894502584e-11, -7.03124940873599280078e-2, -4.15961064470587782438, -6.76747652265167261021e1, -3.31231299649172967747e2, -3.46433388365604912451e2],
    [-2.54704601771951915620e-9, -7.03119616381481654654e-2, -2.40903221549529611423, -2.19659774734883086467e1, -5.80791704701737572236e1, -3.14479470594888503854e1],
    [-8.87534333032526411254e-8, -7.03030995483624743247e-2, -1.45073846780952986357, -7.63569613823527770791, -1.11931668860356747786e1, -3.23364579351335335033],
  ],
  ps: [
    [1.16534364619668181717e2, 3.83374475364121826715e3, 4.05978572648472545552e4, 1.16752972564375915681e5, 4.76277284146730962675e4],
    [6.07539382692300335975e1, 1.05125230595704579173e3, 5.97897094333855784498e3, 9.62544514357774460223e3, 2.40605815922939109441e3],
    [3.58560338055209726349e1, 3.61513983050303863820e2, 1.19360783792111533330e3, 1.12799679856907414432e3, 1.73580930813335754692e2],
    [2.22202997532088808441e1, 1.36206794218215208048e2, 2.70470278658083486789e2, 1.53875394208320329881e2, 1.46576176948256193810e1],
  ],
  q: [
    [0, 7.32421874999935051953e-2, 1.17682064682252693899e1, 5.57673380256401856059e2, 8.85919720756468632317e3, 3.70146267776887834771e4],
    [1.84085963594515531381e-11, 7.32421766612684765896e-2, 5.83563508962056953777, 1.35111577286449829671e2, 1.02724376596164097464e3, 1.98997785864605384631e3],
    [4.37741014089738620906e-9, 7.32411180042911447163e-2, 3.34423137516170720929, 4.26218440745412650017e1, 1.70808091340565596283e2, 1.66733948696651168575e2],
    [1.50444444886983272379e-7, 7.32234265963079278272e-2, 1.99819174093815998816, 1.44956029347885735348e1, 3.16662317504781540833e1, 1.62527075710929267416e1],
  ],
  qs: [
    [1.63776026895689824414e2, 8.09834494656449805916e3, 1.42538291419120476348e5, 8.03309257119514397345e5, 8.40501579819060512818e5, -3.43899293537866615225e5],
    [8.27766102236537761883e1, 2.07781416421392987104e3, 1.88472887785718085070e4, 5.67511122894947329769e4, 3.59767538425114471465e4, -5.35434275601944773371e3],
    [4.87588729724587182091e1, 7.09689221056606015736e2, 3.70414822620111362994e3, 6.46042516752568917582e3, 2.51633368920368957333e3, -1.49247451836156386662e2],
    [3.03655848355219184498e1, 2.69348118608049844624e2, 8.44783757595320139444e2, 8.82935845112488550512e2, 2.12666388511798828631e2, -5.31095493882666946917],
  ],
  q0: -0.125,
};

const ORDER1: Asymptotic = {
  p: [
    [0, 1.17187499999988647970e-1, 1.32394806593073575129e1, 4.12051854307378562225e2, 3.87474538913960532227e3, 7.91447954031891731574e3],
    [1.31990519556243522749e-11, 1.17187493190614097638e-1, 6.80275127868432871736, 1.08308182990189109773e2, 5.17636139533199752805e2, 5.28715201363337541807e2],
    [3.02503916137373618024e-9, 1.17186865567253592491e-1, 3.93297750033315640650, 3.51194035591636932736e1, 9.10550110750781271918e1, 4.85590685197364919645e1],
    [1.07710830106873743082e-7, 1.17176219462683348094e-1, 2.36851496667608785174, 1.22426109148261232917e1, 1.76939711271687727390e1, 5.07352312588818499250],
  ],
  ps: [
    [1.14207370375678408436e2, 3.65093083420853463394e3, 3.69562060269033463555e4, 9.76027935934950801311e4, 3.08042720627888811578e4],
    [5.92805987221131331921e1, 9.91401418733614377743e2, 5.35326695291487976647e3, 7.84469031749551231769e3, 1.50404688810361062679e3],
    [3.47913095001251519989e1, 3.36762458747825746741e2, 1.04687139975775130551e3, 8.90811346398256432622e2, 1.03787932439639277504e2],
    [2.14364859363821409488e1, 1.25290227168402751090e2, 2.32276469057162813669e2, 1.17679373287147100768e2, 8.36463893371618283368],
  ],
  q: [
    [0, -1.02539062499992714161e-1, -1.62717534544589987888e1, -7.59601722513950107896e2, -1.18498066702429587167e4, -4.84385124285750353010e4],
    [-2.08979931141764104297e-11, -1.02539050241375426231e-1, -8.05644828123936029840, -1.83669607474888380239e2, -1.37319376065508163265e3, -2.61244440453215656817e3],
    [-5.07831226461766561369e-9, -1.02537829820837089745e-1, -4.61011581139473403113, -5.78472216562783643212e1, -2.28244540737631695038e2, -2.19210128478909325622e2],
    [-1.78381727510958865572e-7, -1.02517042607985553460e-1, -2.75220568278187460720, -1.96636162643703720221e1, -4.23253133372830490089e1, -2.13719211703704061733e1],
  ],
  qs: [
    [1.61395369700722909556e2, 7.82538599923348465381e3, 1.33875336287249578163e5, 7.19657723683240939863e5, 6.66601232617776375264e5, -2.94490264303834643215e5],
    [8.12765501384335777857e1, 1.99179873460485964642e3, 1.74684851924908907677e4, 4.98514270910352279316e4, 2.79480751638918118260e4, -4.71918354795128470869e3],
    [4.76651550323729509273e1, 6.73865112676699709482e2, 3.38015286679526343505e3, 5.54772909720722782367e3, 1.90311919338810798763e3, -1.35201191444307340817e2],
    [2.95333629060523854548e1, 2.52981549982190529136e2, 7.57502834868645436472e2, 7.39393205320467245656e2, 1.55949003336666123687e2, -4.95949898822628210127],
  ],
  q0: 0.375,
};

/**
 * For |x| >= 2: the large-argument form shared by j0/y0 (order 0) and j1/y1 (order 1).
 * `second` selects y instead of j.
 */
function large(order: Asymptotic, x: number, ix: number, second: boolean): number {
  const s = Math.sin(x);
  const c = Math.cos(x);
  let ss: number;
  let cc: number;
  if (order === ORDER0) {
    ss = s - c;
    cc = s + c;
    if (ix < 0x7fe00000) {
      const z = -Math.cos(x + x);
      if (s * c < 0) cc = z / ss;
      else ss = z / cc;
    }
  } else {
    ss = -s - c;
    cc = s - c;
    if (ix < 0x7fe00000) {
      const z = Math.cos(x + x);
      if (s * c > 0) cc = z / ss;
      else ss = z / cc;
    }
  }
  if (ix > 0x48000000) return (INVSQRTPI * (second ? ss : cc)) / Math.sqrt(x);
  const u = pFactor(order, x);
  const v = qFactor(order, x);
  return second ? (INVSQRTPI * (u * ss + v * cc)) / Math.sqrt(x) : (INVSQRTPI * (u * cc - v * ss)) / Math.sqrt(x);
}

const R0 = [1.56249999999999947958e-2, -1.89979294238854721751e-4, 1.82954049532700665670e-6, -4.61832688532103189199e-9];
const S0 = [1.56191029464890010492e-2, 1.16926784663337450260e-4, 5.13546550207318111446e-7, 1.16614003333790000205e-9];

export function j0(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix >= 0x7ff00000) return 1 / (x * x);
  x = Math.abs(x);
  if (ix >= 0x40000000) return large(ORDER0, x, ix, false);
  if (ix < 0x3f200000) {
    if (ix < 0x3e400000) return 1;
    return 1 - 0.25 * x * x;
  }
  const z = x * x;
  const r = z * horner(R0, z);
  const s = 1 + z * horner(S0, z);
  if (ix < 0x3ff00000) return 1 + z * (-0.25 + r / s);
  const u = 0.5 * x;
  return (1 + u) * (1 - u) + z * (r / s);
}

const U00 = [-7.38042951086872317523e-2, 1.76666452509181115538e-1, -1.38185671945596898896e-2, 3.47453432093683650238e-4, -3.81407053724364161125e-6, 1.95590137035022920206e-8, -3.98205194132103398453e-11];
const V01 = [1.27304834834123699328e-2, 7.60068627350353253702e-5, 2.59150851840457805467e-7, 4.41110311332675467403e-10];

export function y0(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) return 1 / (x + x * x);
  if ((ix | lowWord(x)) === 0) return -Infinity;
  if (hx < 0) return NaN;
  if (ix >= 0x40000000) return large(ORDER0, x, ix, true);
  if (ix <= 0x3e400000) return U00[0]! + TPI * Math.log(x);
  const z = x * x;
  return horner(U00, z) / (1 + z * horner(V01, z)) + TPI * (j0(x) * Math.log(x));
}

const R1 = [-6.25e-2, 1.40705666955189706048e-3, -1.59955631084035597520e-5, 4.96727999609584448412e-8];
const S1 = [1.91537599538363460805e-2, 1.85946785588630915560e-4, 1.17718464042623683263e-6, 5.04636257076217042715e-9, 1.23542274426137913908e-11];

export function j1(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) return 1 / x;
  const y = Math.abs(x);
  if (ix >= 0x40000000) {
    const z = large(ORDER1, y, ix, false);
    return hx < 0 ? -z : z;
  }
  if (ix < 0x3e400000) return 0.5 * x;
  const z = x * x;
  const r = z * horner(R1, z) * x;
  const s = 1 + z * horner(S1, z);
  return x * 0.5 + r / s;
}

const U0 = [-1.96057090646238940668e-1, 5.04438716639811282616e-2, -1.91256895875763547298e-3, 2.35252600561610495928e-5, -9.19099158039878874504e-8];
const V0 = [1.99167318236649903973e-2, 2.02552581025135171496e-4, 1.35608801097516229404e-6, 6.22741452364621501295e-9, 1.66559246207992079114e-11];

export function y1(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) return 1 / (x + x * x);
  if ((ix | lowWord(x)) === 0) return -Infinity;
  if (hx < 0) return NaN;
  if (ix >= 0x40000000) return large(ORDER1, x, ix, true);
  if (ix <= 0x3c900000) return -TPI / x;
  const z = x * x;
  const u = horner(U0, z);
  const v = 1 + z * horner(V0, z);
  return x * (u / v) + TPI * (j1(x) * Math.log(x) - 1 / x);
}

/** Bessel function of the first kind of integer order n. */
export function jn(n: number, x: number): number {
  if (Number.isNaN(x)) return x + x;
  let hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (n < 0) {
    n = -n;
    x = -x;
    hx ^= 0x80000000;
  }
  if (n === 0) return j0(x);
  if (n === 1) return j1(x);
  const negate = (n & 1) === 1 && hx < 0;
  x = Math.abs(x);
  let b: number;
  if (x === 0 || ix >= 0x7ff00000) {
    b = 0;
  } else if (n <= x) {
    if (ix >= 0x52d00000) {
      const s = Math.sin(x);
      const c = Math.cos(x);
      const t = [c + s, -c + s, -c - s, c - s][n & 3]!;
      b = (INVSQRTPI * t) / Math.sqrt(x);
    } else {
      let a = j0(x);
      b = j1(x);
      for (let i = 1; i < n; i++) {
        const tmp = b;
        b = b * ((i + i) / x) - a;
        a = tmp;
      }
    }
  } else if (n > 2 * x + 2000) {
    // Below 1e-600, so zero; skips a recurrence that could run for billions of steps.
    b = 0;
  } else if (ix < 0x3e100000) {
    if (n > 33) {
      b = 0;
    } else {
      const half = x * 0.5;
      b = half;
      let a = 1;
      for (let i = 2; i <= n; i++) {
        a *= i;
        b *= half;
      }
      b = b / a;
    }
  } else {
    b = backward(n, x);
  }
  return negate ? -b : b;
}

/** jn for n > x: continued fraction for J(n)/J(n-1), then backward recurrence. */
function backward(n: number, x: number): number {
  let w = (n + n) / x;
  const h = 2 / x;
  let q0 = w;
  let z = w + h;
  let q1 = w * z - 1;
  let k = 1;
  while (q1 < 1e9) {
    k += 1;
    z += h;
    const tmp = z * q1 - q0;
    q0 = q1;
    q1 = tmp;
  }
  let t = 0;
  for (let i = 2 * (n + k); i >= n + n; i -= 2) t = 1 / (i / x - t);
  let a = t;
  let b = 1;
  const scale = n * Math.log(Math.abs((2 / x) * n)) >= 7.09782712893383973096e2;
  let di = 2 * (n - 1);
  for (let i = n - 1; i > 0; i--) {
    const tmp = b;
    b *= di;
    b = b / x - a;
    a = tmp;
    di -= 2;
    if (scale && b > 1e100) {
      a /= b;
      t /= b;
      b = 1;
    }
  }
  z = j0(x);
  w = j1(x);
  return Math.abs(z) >= Math.abs(w) ? (t * z) / b : (t * w) / a;
}

/** Bessel function of the second kind of integer order n. */
export function yn(n: number, x: number): number {
  if (Number.isNaN(x)) return x + x;
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  let sign = 1;
  if (n < 0) {
    n = -n;
    sign = 1 - ((n & 1) << 1);
  }
  if ((ix | lowWord(x)) === 0) return n === 0 ? -Infinity : -sign / 0;
  if (hx < 0) return NaN;
  if (n === 0) return y0(x);
  if (n === 1) return sign * y1(x);
  if (ix === 0x7ff00000) return 0;
  let b: number;
  if (ix >= 0x52d00000) {
    const s = Math.sin(x);
    const c = Math.cos(x);
    const t = [s - c, -s - c, -s + c, s + c][n & 3]!;
    b = (INVSQRTPI * t) / Math.sqrt(x);
  } else {
    let a = y0(x);
    b = y1(x);
    for (let i = 1; i < n && b !== -Infinity; i++) {
      const tmp = b;
      b = ((i + i) / x) * b - a;
      a = tmp;
    }
  }
  return sign > 0 ? b : -b;
}
