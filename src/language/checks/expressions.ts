/**
 * Checks of the jq templates: every `jq(...)` is closed and compiles, and a template's form fits
 * its use. A transform must give a map, so it is a map or exactly one `jq(...)`; foreach items
 * come from a list or exactly one `jq(...)`. A condition that is a plain string is a literal and
 * always true, almost certainly an old-style expression missing its `jq(...)`: a warning.
 */
import { JqCompileError } from '../../jq/index.js';
import { statesOf, templatesOf, type TemplateField } from '../document.js';
import type { Problems } from '../problems.js';
import {
  compileExpression,
  parseTemplateString,
  quoteExpression,
  TemplateSyntaxError,
  type TemplateString,
} from '../template-syntax.js';
import type { Path } from '../yaml-source.js';

export function checkExpressions(doc: unknown, problems: Problems): void {
  for (const state of statesOf(doc)) {
    for (const template of templatesOf(state)) {
      compileAll(template.value, template.path, problems);
      checkForm(template, problems);
    }
  }
}

/** Compiles every expression in a template, walking maps and lists. */
function compileAll(value: unknown, path: Path, problems: Problems): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => compileAll(item, [...path, i], problems));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) compileAll(v, [...path, k], problems);
  } else if (typeof value === 'string') {
    const parsed = parse(value, path, problems);
    if (parsed === undefined || parsed.kind === 'literal') return;
    const exprs = parsed.kind === 'query' ? [parsed.expr] : parsed.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.expr]));
    for (const expr of exprs) {
      try {
        compileExpression(expr);
      } catch (e) {
        if (!(e instanceof JqCompileError)) throw e;
        problems.error(path, `${quoteExpression(expr)} is not valid jq: ${e.message}`);
      }
    }
  }
}

function parse(value: string, path: Path, problems: Problems): TemplateString | undefined {
  try {
    return parseTemplateString(value);
  } catch (e) {
    if (!(e instanceof TemplateSyntaxError)) throw e;
    problems.error(path, e.message);
    return undefined;
  }
}

function checkForm(template: TemplateField, problems: Problems): void {
  if (typeof template.value !== 'string') return;
  let parsed: TemplateString;
  try {
    parsed = parseTemplateString(template.value);
  } catch {
    return; // reported by compileAll
  }
  if (parsed.kind === 'query') return;
  const what =
    parsed.kind === 'literal' ? 'a plain string, which is taken literally' : 'text around jq(...), which makes a string';
  switch (template.use) {
    case 'object':
      problems.error(template.path, `must be a map or exactly one jq(...) expression that yields an object; this is ${what}`);
      break;
    case 'items':
      problems.error(template.path, `must be a list or exactly one jq(...) expression; this is ${what}`);
      break;
    case 'condition':
      if (parsed.kind === 'literal') {
        problems.warning(
          template.path,
          `this condition is a plain string, which is always true; did you mean 'jq(${template.value})'?`,
        );
      }
      break;
    case 'value':
      break;
  }
}
