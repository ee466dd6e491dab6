/**
 * The YAML text of a workflow: parsed into plain data, with a way back from a path in that data
 * (`states[2].catch[0]`) to a line and column, so every problem can point at what the user wrote.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Problem } from './model.js';
import { reindentQuotedContinuations } from './yaml-compat.js';

export type Path = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** `states[2].catch[0].transition`; keys that are not plain words are quoted: `input["project-id"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export class YamlSource {
  constructor(
    /** the document as plain data */
    readonly value: unknown,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Where the value at `path` is written, or its key when `at` is 'key'. A path that goes past
   * what the YAML holds (a missing field) gives the position of the deepest node that exists.
   */
  locate(path: Path, at: 'value' | 'key' = 'value'): Position | undefined {
    let node: unknown = this.doc.contents;
    let found: Node | undefined = isNode(node) ? node : undefined;
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(this.doc);
      const seg = path[i]!;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair === undefined) break;
        const key = pair.key as Node;
        if (i === path.length - 1 && at === 'key') return this.position(key);
        // A key without a value (`transition:`) has a null value node, or none at all.
        node = pair.value ?? key;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
      } else {
        break;
      }
      if (!isNode(node)) break;
      found = node;
    }
    return found === undefined ? undefined : this.position(found);
  }

  private position(node: Node): Position | undefined {
    if (node.range === undefined || node.range === null) return undefined;
    const { line, col } = this.lines.linePos(node.range[0]);
    return { line, column: col };
  }
}

function isNode(v: unknown): v is Node {
  return isScalar(v) || isMap(v) || isSeq(v) || isAlias(v);
}

export interface ParsedYaml {
  /** absent when the text is not one well-formed YAML document */
  source?: YamlSource;
  errors: Problem[];
  warnings: Problem[];
}

/**
 * Parses a workflow's text: exactly one YAML 1.2 document, with no syntax errors, except that
 * quoted strings may continue on lines indented as little as the original Direktiv allowed
 * (./yaml-compat.ts), with a warning.
 */
export function parseYaml(text: string): ParsedYaml {
  const strict = parseOne(text);
  if (strict.errors.length === 0) return strict;
  const relaxed = reindentQuotedContinuations(text);
  if (relaxed === undefined) return strict;
  const result = parseOne(relaxed.text);
  for (const line of relaxed.lines) {
    result.warnings.push({
      path: '',
      line,
      column: 1,
      message: 'this line continues a quoted string but is indented less than YAML 1.2 requires; indent it further',
    });
  }
  return result;
}

function parseOne(text: string): ParsedYaml {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  const at = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };

  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  for (const doc of docs) {
    for (const e of doc.errors) errors.push({ path: '', ...at(e.pos[0]), message: `YAML syntax error: ${e.message}` });
    for (const w of doc.warnings) warnings.push({ path: '', ...at(w.pos[0]), message: `YAML: ${w.message}` });
  }
  if (docs.length === 0 || (docs.length === 1 && docs[0]!.contents === null)) {
    errors.push({ path: '', message: 'the workflow is empty' });
  }
  if (docs.length > 1) {
    errors.push({
      path: '',
      ...at(docs[1]!.range[0]),
      message: `a workflow is one YAML document, but this text holds ${docs.length} (separated by "---")`,
    });
  }
  if (errors.length > 0) return { errors, warnings };

  const doc = docs[0]!;
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    // yaml refuses documents whose aliases expand too much (a "billion laughs" bomb).
    return { errors: [{ path: '', message: `YAML: ${(e as Error).message}` }], warnings };
  }
  const source = new YamlSource(value, doc, lines);
  for (const path of nonFiniteNumbers(value, [])) {
    errors.push({
      path: formatPath(path),
      ...source.locate(path),
      message: 'must be a finite number (.inf and .nan have no JSON form)',
    });
  }
  return errors.length > 0 ? { errors, warnings } : { source, errors, warnings };
}

function nonFiniteNumbers(v: unknown, path: (string | number)[]): Path[] {
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [[...path]];
  if (Array.isArray(v)) return v.flatMap((item, i) => nonFiniteNumbers(item, [...path, i]));
  if (v !== null && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, item]) => nonFiniteNumbers(item, [...path, k]));
  }
  return [];
}
