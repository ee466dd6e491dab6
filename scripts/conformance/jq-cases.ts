/**
 * Reading jq's own test files (jqlang/jq tests/*.test) into cases, and deciding which cases
 * are out of scope. Pure text processing: no engine import, so it can be tested on its own.
 *
 * The grammar follows jq's runner (src/jq_test.c, run_jq_tests):
 *   - a line that is empty, blank or whose first non-blank character is `#` is skipped
 *     while looking for a program;
 *   - `%%FAIL` / `%%FAIL IGNORE MSG` marks the next program as one that must not compile; the line
 *     after it is the expected error message (only its first line is compared). jq 1.8 prints the
 *     offending source and a caret under it, so further lines up to the next skipped line belong
 *     to the message too;
 *   - otherwise a program line is followed by exactly one input line (read verbatim, never
 *     skipped) and then expected outputs, one JSON text per line, up to the next skipped line
 *     (blank *or comment*).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface RunCase {
  kind: 'run';
  file: string;
  /** 1-based line of the program. */
  line: number;
  program: string;
  input: string;
  expected: string[];
}

export interface FailCase {
  kind: 'fail';
  file: string;
  line: number;
  program: string;
  /** `%%FAIL` (true) or `%%FAIL IGNORE MSG` (false). */
  checkMessage: boolean;
  /** First line of jq's message, e.g. `jq: error: syntax error, … at <top-level>, line 1, column 1:`. */
  message: string;
  /** The lines after it (source excerpt and caret), informational only. */
  messageContext: string[];
}

export type JqCase = RunCase | FailCase;

export type ExclusionReason =
  | 'modules'
  | 'input'
  | 'program-args'
  | 'halt'
  | 'origin'
  | 'decnum';

export const EXCLUSION_REASONS: Record<ExclusionReason, string> = {
  modules: 'uses modules (import/include/module/modulemeta/get_search_list/name::call)',
  input: 'uses input/inputs/input_filename/input_line_number',
  'program-args': 'uses $__prog_args',
  halt: 'uses halt/halt_error',
  origin: 'uses get_prog_origin/get_jq_origin',
  decnum: 'relies on arbitrary-precision number literals (decNumber)',
};

function isSkipLine(line: string): boolean {
  const t = line.replace(/^[ \t]+/, '');
  return t === '' || t.startsWith('#');
}

/** Parses the text of one `.test` file. */
export function parseTestFile(text: string, file: string): JqCase[] {
  const lines = text.split('\n');
  // A final newline leaves one empty string behind; it is a blank line, which is harmless.
  const cases: JqCase[] = [];
  let i = 0;
  let mustFail: null | { checkMessage: boolean } = null;
  while (i < lines.length) {
    const lineNo = i + 1;
    const program = lines[i++]!;
    if (isSkipLine(program)) continue;
    if (program === '%%FAIL' || program === '%%FAIL IGNORE MSG') {
      mustFail = { checkMessage: program === '%%FAIL' };
      continue;
    }
    if (mustFail) {
      const message = i < lines.length ? lines[i++]! : '';
      const messageContext: string[] = [];
      while (i < lines.length && !isSkipLine(lines[i]!)) messageContext.push(lines[i++]!);
      cases.push({
        kind: 'fail',
        file,
        line: lineNo,
        program,
        checkMessage: mustFail.checkMessage,
        message,
        messageContext,
      });
      mustFail = null;
      continue;
    }
    const input = i < lines.length ? lines[i++]! : '';
    const expected: string[] = [];
    while (i < lines.length && !isSkipLine(lines[i]!)) expected.push(lines[i++]!);
    // The skipped line that ended the group is consumed, as jq's runner does.
    if (i < lines.length) i++;
    cases.push({ kind: 'run', file, line: lineNo, program, input, expected });
  }
  return cases;
}

/** The conformance directory: `$JQ_CONFORMANCE_DIR`, else `<repo>/../shared/conformance/jq`. */
export function conformanceDir(repoRoot: string): string {
  const override = process.env['JQ_CONFORMANCE_DIR'];
  return override ? path.resolve(override) : path.resolve(repoRoot, '../shared/conformance/jq');
}

/** Every `*.test` file of a directory, sorted by name, parsed. */
export function loadSuite(dir: string): Map<string, JqCase[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test'))
    .sort();
  const suite = new Map<string, JqCase[]>();
  for (const f of files) suite.set(f, parseTestFile(readFileSync(path.join(dir, f), 'utf8'), f));
  return suite;
}

/**
 * The program with the text of string literals removed (interpolated code is kept) and a
 * trailing comment dropped, so keyword checks do not fire on `"The input was \(.)"`.
 */
export function codeOnly(program: string): string {
  let out = '';
  let i = 0;
  // Each entry is the paren depth of an open `\(`; while non-empty we are inside code that
  // itself sits in a string.
  const interp: number[] = [];
  let depth = 0;
  let inString = false;
  while (i < program.length) {
    const c = program[i]!;
    if (inString) {
      if (c === '\\' && program[i + 1] === '(') {
        interp.push(depth);
        depth = 0;
        inString = false;
        out += ' (';
        i += 2;
        continue;
      }
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '"') {
        inString = false;
        out += '"';
      }
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += '"';
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '(') depth++;
    if (c === ')') {
      if (depth === 0 && interp.length > 0) {
        depth = interp.pop()!;
        inString = true;
        out += ') ';
        i++;
        continue;
      }
      depth--;
    }
    out += c;
    i++;
  }
  return out;
}

const MODULE_PATTERNS = [
  /\b(?:import|include)\s*"/,
  /^\s*module\b/,
  /(?<![.$\w])(?:modulemeta|get_search_list)\b/,
  /(?<![.$\w])[A-Za-z_]\w*::[A-Za-z_$]/,
  /\$[A-Za-z_]\w*::/,
];

function significantDigits(s: string): number {
  const digits = s.replace(/[^0-9]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return digits.length;
}

/**
 * Expected outputs that only an arbitrary-precision build can produce: a string holding a
 * number with more than 17 significant digits, unless the program branches on `have_decnum`
 * (jq's suite does that so both builds pass). Numeric expected values are compared as doubles,
 * so they never need decNumber. Deliberately conservative.
 */
function needsDecnum(c: JqCase): boolean {
  if (c.kind !== 'run' || /\bhave_(?:decnum|literal_numbers)\b/.test(c.program)) return false;
  for (const e of c.expected) {
    for (const m of e.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
      for (const num of m[1]!.matchAll(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
        if (significantDigits(num[0].replace(/[eE].*$/, '')) > 17) return true;
      }
    }
  }
  return false;
}

/** Why a case is out of scope, or null when it counts. */
export function exclusionOf(c: JqCase): ExclusionReason | null {
  const code = codeOnly(c.program);
  if (MODULE_PATTERNS.some((re) => re.test(code))) return 'modules';
  if (/(?<![.$\w])(?:input|inputs|input_filename|input_line_number)\b(?!\s*:(?!:))/.test(code)) {
    return 'input';
  }
  if (/\$__prog_args\b/.test(code)) return 'program-args';
  if (/(?<![.$\w])(?:halt|halt_error)\b(?!\s*:(?!:))/.test(code)) return 'halt';
  if (/(?<![.$\w])(?:get_prog_origin|get_jq_origin)\b/.test(code)) return 'origin';
  if (needsDecnum(c)) return 'decnum';
  return null;
}
