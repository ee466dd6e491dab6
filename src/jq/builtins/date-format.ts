/**
 * strftime(3) and strptime(3) as glibc implements them in the C locale, which is what jq
 * uses on Linux.
 */
import type { Tm, Zone } from './date-calendar.js';
import { isLeap, localtime, mod, monYday, weekday } from './date-calendar.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** ISO 8601 week-based year and week number, as glibc's iso_week_days computes them. */
function isoWeekDays(yday: number, wday: number): number {
  const bigEnough = 382;
  return yday - ((yday - wday + bigEnough) % 7) + 3;
}

function isoWeek(tm: Tm): { year: number; week: number } {
  let year = tm.year;
  let days = isoWeekDays(tm.yday, tm.wday);
  if (days < 0) {
    year--;
    days = isoWeekDays(tm.yday + (isLeap(year) ? 366 : 365), tm.wday);
  } else {
    const d = isoWeekDays(tm.yday - (isLeap(year) ? 366 : 365), tm.wday);
    if (d >= 0) {
      year++;
      days = d;
    }
  }
  return { year, week: Math.floor(days / 7) + 1 };
}

export interface StrftimeContext {
  zone: Zone;
  /** What %s prints: the instant the broken-down time stands for. */
  epoch: (tm: Tm) => number;
}

function pad(s: string, width: number, ch: string): string {
  if (s.length >= width) return s;
  if (ch === '0' && s.startsWith('-')) return '-' + s.slice(1).padStart(width - 1, '0');
  return s.padStart(width, ch);
}

/** The flags and width between `%` and a conversion letter. */
interface Spec {
  padFlag: string;
  upper: boolean;
  swapCase: boolean;
  width: number;
}

function num(sp: Spec, n: number, digits: number, defPad = '0'): string {
  const p = sp.padFlag === '-' ? '' : sp.padFlag === '_' ? ' ' : sp.padFlag === '0' ? '0' : defPad;
  const s = String(n);
  return p === '' ? s : pad(s, sp.width >= 0 ? sp.width : digits, p);
}

/** glibc pads year-like numbers only when a flag or width asks for it. */
function yearish(sp: Spec, n: number, digits: number): string {
  return sp.padFlag === '0' || sp.padFlag === '_' || sp.width >= 0 ? num(sp, n, digits) : String(n);
}

function text(sp: Spec, s: string, swapToLower = false): string {
  let r = s;
  if (sp.upper) r = r.toUpperCase();
  else if (sp.swapCase) r = swapToLower ? r.toLowerCase() : r.toUpperCase();
  return sp.width > 0 ? pad(r, sp.width, sp.padFlag === '0' ? '0' : ' ') : r;
}

/** One conversion, or null for a letter glibc does not know. */
function conversion(conv: string, sp: Spec, tm: Tm, ctx: StrftimeContext): string | null {
  const hour12 = tm.hour % 12 === 0 ? 12 : tm.hour % 12;
  switch (conv) {
    case '%':
      return text(sp, '%');
    case 'a':
      return text(sp, DAYS[tm.wday]?.slice(0, 3) ?? '?');
    case 'A':
      return text(sp, DAYS[tm.wday] ?? '?');
    case 'b':
    case 'h':
      return text(sp, MONTHS[tm.mon]?.slice(0, 3) ?? '?');
    case 'B':
      return text(sp, MONTHS[tm.mon] ?? '?');
    case 'c':
      return text(sp, strftime('%a %b %e %H:%M:%S %Y', tm, ctx));
    case 'C':
      return yearish(sp, Math.floor(tm.year / 100), 2);
    case 'd':
      return num(sp, tm.mday, 2);
    case 'D':
    case 'x':
      return text(sp, strftime('%m/%d/%y', tm, ctx));
    case 'e':
      return num(sp, tm.mday, 2, ' ');
    case 'F':
      return text(sp, strftime('%Y-%m-%d', tm, ctx));
    case 'g':
      return num(sp, mod(isoWeek(tm).year, 100), 2);
    case 'G':
      return yearish(sp, isoWeek(tm).year, 4);
    case 'H':
      return num(sp, tm.hour, 2);
    case 'I':
      return num(sp, hour12, 2);
    case 'j':
      return num(sp, tm.yday + 1, 3);
    case 'k':
      return num(sp, tm.hour, 2, ' ');
    case 'l':
      return num(sp, hour12, 2, ' ');
    case 'm':
      return num(sp, tm.mon + 1, 2);
    case 'M':
      return num(sp, tm.min, 2);
    case 'n':
      return text(sp, '\n');
    case 'p':
      return text(sp, tm.hour >= 12 ? 'PM' : 'AM', true);
    case 'P':
      return text(sp, tm.hour >= 12 ? 'pm' : 'am');
    case 'r':
      return text(sp, strftime('%I:%M:%S %p', tm, ctx));
    case 'R':
      return text(sp, strftime('%H:%M', tm, ctx));
    case 's':
      return num(sp, ctx.epoch(tm), 1);
    case 'S':
      return num(sp, tm.sec, 2);
    case 't':
      return text(sp, '\t');
    case 'T':
    case 'X':
      return text(sp, strftime('%H:%M:%S', tm, ctx));
    case 'u':
      return num(sp, mod(tm.wday - 1, 7) + 1, 1);
    case 'U':
      return num(sp, Math.floor((tm.yday - tm.wday + 7) / 7), 2);
    case 'V':
      return num(sp, isoWeek(tm).week, 2);
    case 'w':
      return num(sp, tm.wday, 1);
    case 'W':
      return num(sp, Math.floor((tm.yday - mod(tm.wday - 1, 7) + 7) / 7), 2);
    case 'y':
      return num(sp, mod(tm.year, 100), 2);
    case 'Y':
      return yearish(sp, tm.year, 4);
    case 'z': {
      const off = ctx.zone.offset;
      const a = Math.abs(off);
      const hhmm = Math.floor(a / 3600) * 100 + Math.floor((a % 3600) / 60);
      return (off < 0 ? '-' : '+') + pad(String(hhmm), sp.width > 1 ? sp.width - 1 : 4, '0');
    }
    case 'Z':
      return text(sp, ctx.zone.name, true);
    default:
      return null;
  }
}

export function strftime(fmt: string, tm: Tm, ctx: StrftimeContext): string {
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    const start = i;
    i++;
    const sp: Spec = { padFlag: '', upper: false, swapCase: false, width: -1 };
    for (; i < fmt.length; i++) {
      const f = fmt[i]!;
      if (f === '^') sp.upper = true;
      else if (f === '#') sp.swapCase = true;
      else if (f === '_' || f === '-' || f === '0') sp.padFlag = f;
      else break;
    }
    let widthText = '';
    while (i < fmt.length && fmt[i]! >= '0' && fmt[i]! <= '9') widthText += fmt[i++];
    if (widthText !== '') sp.width = Number(widthText);
    if (i < fmt.length && (fmt[i] === 'E' || fmt[i] === 'O')) i++;
    if (i >= fmt.length) {
      out += fmt.slice(start);
      break;
    }
    const conv = fmt[i++]!;
    // glibc copies an unknown conversion through unchanged.
    out += conversion(conv, sp, tm, ctx) ?? fmt.slice(start, i);
  }
  return out;
}

/** What strptime leaves behind: the fields, plus where parsing stopped (or null on failure). */
export interface Parsed {
  tm: Tm;
  rest: string | null;
}

interface State {
  haveI: boolean;
  isPm: boolean;
  century: number;
  wantCentury: boolean;
  wantXday: boolean;
  haveWday: boolean;
  haveYday: boolean;
  haveMon: boolean;
  haveMday: boolean;
  haveUweek: boolean;
  haveWweek: boolean;
  weekNo: number;
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

class StrptimeParser {
  rp = 0;
  constructor(
    private readonly s: string,
    readonly tm: Tm,
    readonly st: State,
  ) {}

  private skipSpace(): void {
    while (isSpace(this.s[this.rp])) this.rp++;
  }

  private digit(): boolean {
    const c = this.s.charCodeAt(this.rp);
    return c >= 48 && c <= 57;
  }

  /** glibc's get_number: up to n digits, stopping early once another would pass `to`. */
  private number(from: number, to: number, n: number): number | null {
    this.skipSpace();
    if (!this.digit()) return null;
    let val = 0;
    let left = n;
    do {
      val = val * 10 + (this.s.charCodeAt(this.rp++) - 48);
    } while (--left > 0 && val * 10 <= to && this.digit());
    return val < from || val > to ? null : val;
  }

  private name(names: string[]): number | null {
    for (const len of [0, 3]) {
      for (let k = 0; k < names.length; k++) {
        const n = len === 0 ? names[k]! : names[k]!.slice(0, len);
        if (this.s.slice(this.rp, this.rp + n.length).toLowerCase() === n.toLowerCase()) {
          this.rp += n.length;
          return k;
        }
      }
    }
    return null;
  }

  parse(fmt: string): boolean {
    const { tm, st } = this;
    let f = 0;
    while (f < fmt.length) {
      const fc = fmt[f]!;
      if (isSpace(fc)) {
        this.skipSpace();
        f++;
        continue;
      }
      if (fc !== '%') {
        if (this.s[this.rp] !== fc) return false;
        this.rp++;
        f++;
        continue;
      }
      f++;
      while (f < fmt.length && '-_0^#'.includes(fmt[f]!)) f++;
      while (f < fmt.length && fmt[f]! >= '0' && fmt[f]! <= '9') f++;
      if (fmt[f] === 'E' || fmt[f] === 'O') f++;
      const conv = fmt[f++];
      let v: number | null;
      switch (conv) {
        case '%':
          if (this.s[this.rp] !== '%') return false;
          this.rp++;
          break;
        case 'a':
        case 'A':
          if ((v = this.name(DAYS)) === null) return false;
          tm.wday = v;
          st.haveWday = true;
          break;
        case 'b':
        case 'B':
        case 'h':
          if ((v = this.name(MONTHS)) === null) return false;
          tm.mon = v;
          st.haveMon = true;
          st.wantXday = true;
          break;
        case 'c':
          if (!this.parse('%a %b %e %H:%M:%S %Y')) return false;
          st.wantXday = true;
          break;
        case 'C':
          if ((v = this.number(0, 99, 2)) === null) return false;
          st.century = v;
          st.wantXday = true;
          break;
        case 'd':
        case 'e':
          if ((v = this.number(1, 31, 2)) === null) return false;
          tm.mday = v;
          st.haveMday = true;
          st.wantXday = true;
          break;
        case 'F':
          if (!this.parse('%Y-%m-%d')) return false;
          st.wantXday = true;
          break;
        case 'x':
        case 'D':
          if (!this.parse('%m/%d/%y')) return false;
          st.wantXday = true;
          break;
        case 'k':
        case 'H':
          if ((v = this.number(0, 23, 2)) === null) return false;
          tm.hour = v;
          st.haveI = false;
          break;
        case 'l':
        case 'I':
          if ((v = this.number(1, 12, 2)) === null) return false;
          tm.hour = v % 12;
          st.haveI = true;
          break;
        case 'j':
          if ((v = this.number(1, 366, 3)) === null) return false;
          tm.yday = v - 1;
          st.haveYday = true;
          break;
        case 'm':
          if ((v = this.number(1, 12, 2)) === null) return false;
          tm.mon = v - 1;
          st.haveMon = true;
          st.wantXday = true;
          break;
        case 'M':
          if ((v = this.number(0, 59, 2)) === null) return false;
          tm.min = v;
          break;
        case 'n':
        case 't':
          this.skipSpace();
          break;
        case 'p': {
          const ap = this.s.slice(this.rp, this.rp + 2).toUpperCase();
          if (ap !== 'AM' && ap !== 'PM') return false;
          st.isPm = ap === 'PM';
          this.rp += 2;
          break;
        }
        case 'r':
          if (!this.parse('%I:%M:%S %p')) return false;
          break;
        case 'R':
          if (!this.parse('%H:%M')) return false;
          break;
        case 's': {
          const m = /^[0-9]+/.exec(this.s.slice(this.rp));
          if (m === null) return false;
          this.rp += m[0].length;
          Object.assign(tm, localtime(Number(m[0])));
          break;
        }
        case 'S':
          if ((v = this.number(0, 61, 2)) === null) return false;
          tm.sec = v;
          break;
        case 'X':
        case 'T':
          if (!this.parse('%H:%M:%S')) return false;
          break;
        case 'u':
          if ((v = this.number(1, 7, 1)) === null) return false;
          tm.wday = v % 7;
          st.haveWday = true;
          break;
        case 'g':
          if (this.number(0, 99, 2) === null) return false;
          break;
        case 'G': {
          const m = /^[0-9]+/.exec(this.s.slice(this.rp));
          if (m === null) return false;
          this.rp += m[0].length;
          break;
        }
        case 'U':
        case 'W':
          if ((v = this.number(0, 53, 2)) === null) return false;
          st.weekNo = v;
          if (conv === 'U') st.haveUweek = true;
          else st.haveWweek = true;
          break;
        case 'V':
          if (this.number(0, 53, 2) === null) return false;
          break;
        case 'w':
          if ((v = this.number(0, 6, 1)) === null) return false;
          tm.wday = v;
          st.haveWday = true;
          break;
        case 'y':
          if ((v = this.number(0, 99, 2)) === null) return false;
          tm.year = 1900 + (v >= 69 ? v : v + 100);
          st.wantCentury = true;
          st.wantXday = true;
          break;
        case 'Y':
          if ((v = this.number(0, 9999, 4)) === null) return false;
          tm.year = v;
          st.wantCentury = false;
          st.wantXday = true;
          break;
        case 'Z':
          this.skipSpace();
          while (this.rp < this.s.length && !isSpace(this.s[this.rp])) this.rp++;
          break;
        case 'z':
          if (!this.zone()) return false;
          break;
        default:
          return false;
      }
    }
    return true;
  }

  /** %z: `Z`, or a sign and hh, hhmm or hh:mm; jq's broken-down time has nowhere to keep it. */
  private zone(): boolean {
    this.skipSpace();
    const m = /^(?:Z|[+-](?:[0-9]{2}:[0-5][0-9]|[0-9]{2}(?:[0-5][0-9])?)(?![0-9]))/.exec(this.s.slice(this.rp));
    if (m === null) return false;
    this.rp += m[0].length;
    return true;
  }
}

/** Month and day from the day of the year, for the ones the input did not give. */
function monDayFromYday(tm: Tm, st: State): void {
  let t = 0;
  while (t < 12 && monYday(tm.year, t) <= tm.yday) t++;
  if (!st.haveMon) tm.mon = t - 1;
  if (!st.haveMday) tm.mday = tm.yday - monYday(tm.year, t - 1) + 1;
}

/** glibc's strptime over a `struct tm` that jq zeroed and marked (wday 8, yday 367). */
export function strptime(input: string, fmt: string): Parsed {
  const tm: Tm = { year: 1900, mon: 0, mday: 0, hour: 0, min: 0, sec: 0, wday: 8, yday: 367 };
  const st: State = {
    haveI: false,
    isPm: false,
    century: -1,
    wantCentury: false,
    wantXday: false,
    haveWday: false,
    haveYday: false,
    haveMon: false,
    haveMday: false,
    haveUweek: false,
    haveWweek: false,
    weekNo: 0,
  };
  const p = new StrptimeParser(input, tm, st);
  if (!p.parse(fmt)) return { tm, rest: null };
  if (st.haveI && st.isPm) tm.hour += 12;
  if (st.century !== -1) {
    const y = tm.year - 1900;
    tm.year = 1900 + (st.wantCentury ? (y % 100) + (st.century - 19) * 100 : (st.century - 19) * 100);
  }
  if (st.wantXday && !st.haveWday) {
    if (!(st.haveMon && st.haveMday) && st.haveYday) {
      monDayFromYday(tm, st);
      st.haveMon = true;
      st.haveMday = true;
    }
    if (tm.year >= 0) tm.wday = weekday(tm.year, tm.mon, tm.mday);
  }
  if (st.wantXday && !st.haveYday) {
    tm.yday = monYday(tm.year, tm.mon) + tm.mday - 1;
  }
  if ((st.haveUweek || st.haveWweek) && st.haveWday) {
    const saveWday = tm.wday;
    const wOffset = st.haveUweek ? 0 : 1;
    const jan1 = weekday(tm.year, 0, 1);
    if (!st.haveYday) {
      tm.yday = ((7 - (jan1 - wOffset)) % 7) + (st.weekNo - 1) * 7 + ((saveWday - wOffset + 7) % 7);
    }
    if (!st.haveMday || !st.haveMon) monDayFromYday(tm, st);
    tm.wday = saveWday;
  }
  return { tm, rest: input.slice(p.rp) };
}
