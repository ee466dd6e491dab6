import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateWorkflow, type Problem } from '../../src/language/index.js';

/** The example workflows of the shared docs (../shared/examples from the repository root), read in place. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../shared/examples/', import.meta.url));

export function exampleNames(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

export function readExample(name: string): string {
  return readFileSync(EXAMPLES_DIR + name, 'utf8');
}

/** Strips the common indentation of a template literal, so YAML can be written indented in tests. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((out, s, i) => out + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** The errors of a workflow as `path: message` lines, for compact assertions. */
export function errorsOf(source: string): string[] {
  return validateWorkflow(source).errors.map(show);
}

export function warningsOf(source: string): string[] {
  return validateWorkflow(source).warnings.map(show);
}

function show(p: Problem): string {
  return `${p.path}: ${p.message}`;
}

/** A valid workflow whose states are the given YAML (indented as list items at column 0). */
export function withStates(states: string, extra = ''): string {
  return `id: test-flow\n${extra}states:\n${states}`;
}
