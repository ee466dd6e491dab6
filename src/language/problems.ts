/**
 * Collecting the problems of one workflow, each with its path and where it is written.
 */
import type { Problem } from './model.js';
import { formatPath, type Path, type YamlSource } from './yaml-source.js';

export class Problems {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];

  constructor(private readonly source: YamlSource) {}

  /** `at: 'key'` points at the field's name rather than its value (for unknown fields). */
  error(path: Path, message: string, at: 'value' | 'key' = 'value'): void {
    this.errors.push(this.problem(path, message, at));
  }

  warning(path: Path, message: string): void {
    this.warnings.push(this.problem(path, message, 'value'));
  }

  private problem(path: Path, message: string, at: 'value' | 'key'): Problem {
    return { path: formatPath(path), ...this.source.locate(path, at), message };
  }
}

/** Problems in the order they are written, each reported once. */
export function inSourceOrder(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (p: Problem): number => (p.line ?? Number.MAX_SAFE_INTEGER) * 100_000 + (p.column ?? 0);
  return unique.sort((a, b) => rank(a) - rank(b));
}
