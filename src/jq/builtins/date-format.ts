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
function isoWeek(tm: Tm): { year: number; week: number } {
  const isoWeekDays = (yday: number, wday: number): number => {
    const bigEnough = 382;
    return yday - ((yday - wday + bigEnough) % 7) + 3;
  };
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
    let padFlag = '';
    let upper = false;
    let swapCase = false;
    while (i < fmt.length && '_-0^#'.includes(fmt[i]!)) {
      const f = fmt[i]!;
      if (f === '^') upper = true;
      else if (f === '#') swapCase = true;
      else padFlag = f;
      i++;
    }
    let widthText = '';
    while (i < fmt.length && fmt[i]! >= '0' && fmt[i]! <= '9') widthText += fmt[i++];
    if (i < fmt.length && (fmt[i] === 'E' || fmt[i] === 'O')) i++;
    if (i >= fmt.length) {
      out += fmt.slice(start);
      break;
    }
    const conv = fmt[i++]!;
    const width = widthText === '' ? -1 : Number(widthText);
    const num = (n: number, digits: number, defPad = '0'): string => {
      const p = padFlag === '-' ? '' : padFlag === '_' ? ' ' : padFlag === '0' ? '0' : defPad;
      const s = String(n);
      const w = width >= 0 ? width : digits;
      return p === '' ? s : pad(s, w, p);
    };
    const text = (s: string, swapToLower = false): string => {
      let r = s;
      if (upper) r = r.toUpperCase();
      else if (swapCase) r = swapToLower ? r.toLowerCase() : r.toUpperCase();
      return width > 0 ? pad(r, width, padFlag === '0' ? '0' : ' ') : r;
    };
    // glibc pads year-like numbers only when a flag or width asks for it.
    const yearish = (n: number, digits: number): string =>
      padFlag === '0' || padFlag === '_' || width >= 0 ? num(n, digits) : String(n);
    const sub = (f: string): string => text(strftime(f, tm, ctx));
    const hour12 = tm.hour % 12 === 0 ? 12 : tm.hour % 12;
    switch (conv) {
      case '%':
        out += text('%');
        break;
      case 'a':
        out += text(DAYS[tm.wday]?.slice(0, 3) ?? '?');
        break;
      case 'A':
        out += text(DAYS[tm.wday] ?? '?');
        break;
      case 'b':
      case 'h':
        out += text(MONTHS[tm.mon]?.slice(0, 3) ?? '?');
        break;
      case 'B':
        out += text(MONTHS[tm.mon] ?? '?');
        break;
      case 'c':
        out += sub('%a %b %e %H:%M:%S %Y');
        break;
      case 'C':
        out += yearish(Math.floor(tm.year / 100), 2);
        break;
      case 'd':
        out += num(tm.mday, 2);
        break;
      case 'D':
      case 'x':
        out += sub('%m/%d/%y');
        break;
      case 'e':
        out += num(tm.mday, 2, ' ');
        break;
      case 'F':
        out += sub('%Y-%m-%d');
        break;
      case 'g':
        out += num(mod(isoWeek(tm).year, 100), 2);
        break;
      case 'G':
        out += yearish(isoWeek(tm).year, 4);
        break;
      case 'H':
        out += num(tm.hour, 2);
        break;
      case 'I':
        out += num(hour12, 2);
        break;
      case 'j':
        out += num(tm.yday + 1, 3);
        break;
      case 'k':
        out += num(tm.hour, 2, ' ');
        break;
      case 'l':
        out += num(hour12, 2, ' ');
        break;
      case 'm':
        out += num(tm.mon + 1, 2);
        break;
      case 'M':
        out += num(tm.min, 2);
        break;
      case 'n':
        out += text('\n');
        break;
      case 'p':
        out += text(tm.hour >= 12 ? 'PM' : 'AM', true);
        break;
      case 'P':
        out += text(tm.hour >= 12 ? 'pm' : 'am');
        break;
      case 'r':
        out += sub('%I:%M:%S %p');
        break;
      case 'R':
        out += sub('%H:%M');
        break;
      case 's':
        out += num(ctx.epoch(tm), 1);
        break;
      case 'S':
        out += num(tm.sec, 2);
        break;
      case 't':
        out += text('\t');
        break;
      case 'T':
      case 'X':
        out += sub('%H:%M:%S');
        break;
      case 'u':
        out += num(mod(tm.wday - 1, 7) + 1, 1);
        break;
      case 'U':
        out += num(Math.floor((tm.yday - tm.wday + 7) / 7), 2);
        break;
      case 'V':
        out += num(isoWeek(tm).week, 2);
        break;
      case 'w':
        out += num(tm.wday, 1);
        break;
      case 'W':
        out += num(Math.floor((tm.yday - mod(tm.wday - 1, 7) + 7) / 7), 2);
        break;
      case 'y':
        out += num(mod(tm.year, 100), 2);
        break;
      case 'Y':
        out += yearish(tm.year, 4);
        break;
      case 'z': {
        const off = ctx.zone.offset;
        const a = Math.abs(off);
        const hhmm = Math.floor(a / 3600) * 100 + Math.floor((a % 3600) / 60);
        out += (off < 0 ? '-' : '+') + pad(String(hhmm), width > 1 ? width - 1 : 4, '0');
        break;
      }
      case 'Z':
        out += text(ctx.zone.name, true);
        break;
      default:
        // glibc copies an unknown conversion through unchanged.
        out += fmt.slice(start, i);
    }
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

  /** glibc's get_number: up to n digits, stopping early once another would pass `to`. */
  private number(from: number, to: number, n: number): number | null {
    this.skipSpace();
    const digit = (): boolean => this.s[this.rp] !== undefined && this.s[this.rp]! >= '0' && this.s[this.rp]! <= '9';
    if (!digit()) return null;
    let val = 0;
    let left = n;
    do {
      val = val * 10 + (this.s.charCodeAt(this.rp++) - 48);
    } while (--left > 0 && val * 10 <= to && digit());
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
  const monDayFromYday = (): void => {
    let t = 0;
    while (t < 12 && monYday(tm.year, t) <= tm.yday) t++;
    if (!st.haveMon) tm.mon = t - 1;
    if (!st.haveMday) tm.mday = tm.yday - monYday(tm.year, t - 1) + 1;
  };
  if (st.wantXday && !st.haveWday) {
    if (!(st.haveMon && st.haveMday) && st.haveYday) {
      monDayFromYday();
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
    if (!st.haveMday || !st.haveMon) monDayFromYday();
    tm.wday = saveWday;
  }
  return { tm, rest: input.slice(p.rp) };
}
