/**
 * One leniency of the YAML parser the original Direktiv used (libyaml's Go port), kept so its
 * workflows still load: a quoted string that spans lines may have continuation lines indented no
 * more than its key, as in
 *
 *     transform: 'jq({
 *       "number": 2
 *     })'
 *
 * where `  })'` sits at the indentation of `transform`. YAML 1.2 requires such lines to be
 * indented further, and the `yaml` package stops the string there. Leading white space on a
 * continuation line is not part of a quoted string's value, so indenting those lines further
 * changes nothing but the parse: that is all this module does, and only when the result then
 * parses without errors.
 */
import { CST, Parser, parseAllDocuments, type YAMLError } from 'yaml';

export interface Reindented {
  text: string;
  /** 1-based numbers of the lines that were indented further */
  lines: number[];
}

const MAX_ROUNDS = 1_000;

/** The text with under-indented continuation lines of quoted strings indented, or undefined. */
export function reindentQuotedContinuations(text: string): Reindented | undefined {
  const lines: number[] = [];
  let current = text;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const errors = syntaxErrors(current);
    if (errors.length === 0) return lines.length > 0 ? { text: current, lines } : undefined;
    const unclosed = errors.find((e) => e.code === 'MISSING_CHAR' && /quote/.test(e.message));
    if (unclosed === undefined) return undefined;
    const scalar = quotedScalarAround(current, unclosed.pos[0]);
    if (scalar === undefined) return undefined;

    // The lexer ended the string at the line break before the under-indented line.
    const lineBreak = current.indexOf('\n', scalar.offset + scalar.source.length);
    if (lineBreak < 0) return undefined;
    const lineStart = lineBreak + 1;
    const lineEnd = current.indexOf('\n', lineStart);
    const line = current.slice(lineStart, lineEnd < 0 ? current.length : lineEnd);
    const indent = /^[ \t]*/.exec(line)![0].length;
    const quoteColumn = scalar.offset - (current.lastIndexOf('\n', scalar.offset - 1) + 1);
    if (line.trim() === '' || indent > quoteColumn || /^(---|\.\.\.)(\s|$)/.test(line)) return undefined;

    current = current.slice(0, lineStart) + ' '.repeat(quoteColumn + 1 - indent) + current.slice(lineStart);
    lines.push(countLines(current, lineStart));
  }
  return undefined;
}

function syntaxErrors(text: string): YAMLError[] {
  const docs = parseAllDocuments(text, { prettyErrors: false });
  return Array.isArray(docs) ? docs.flatMap((d) => d.errors) : [];
}

/** The quoted scalar token of the CST that contains `offset`. */
function quotedScalarAround(text: string, offset: number): CST.FlowScalar | undefined {
  let found: CST.FlowScalar | undefined;
  const consider = (token: CST.Token | null | undefined): void => {
    if (token === undefined || token === null) return;
    if (token.type !== 'single-quoted-scalar' && token.type !== 'double-quoted-scalar') return;
    if (token.offset <= offset && offset <= token.offset + token.source.length) found = token;
  };
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    consider(token.value);
    CST.visit(token, (item) => {
      consider(item.key);
      consider(item.value);
    });
  }
  return found;
}

function countLines(text: string, end: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
