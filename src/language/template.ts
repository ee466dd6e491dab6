/**
 * Evaluating jq templates at run time (language reference §5). A template is any value from a
 * jq-capable field, walked recursively: maps and lists are rebuilt element by element, a string
 * that is exactly `jq(EXPR)` becomes EXPR's single result, a string with `jq(...)` inside text
 * becomes a string with each result inserted (strings verbatim, other values as compact JSON),
 * and every other value is kept as written.
 *
 * Failures are WorkflowErrors with the language's codes, so the engine can send them through
 * `catch`: a jq error is `direktiv.jq.badCommand`, zero or several results where one is needed
 * (or a non-object where an object is needed) `direktiv.jq.notObject`, an exhausted time or step
 * budget `direktiv.jq.timeout`, and too large an output or too deep a nesting `direktiv.limits.size`.
 * Results may share structure with `data`: treat both as immutable.
 */
import {
  JqBudgetError,
  JqCompileError,
  JqRuntimeError,
  toJson,
  typeOf,
  type JqLimits,
  type JqProgram,
  type JsonObject,
  type Value,
} from '../jq/index.js';
import { Codes, WorkflowError } from './errors.js';
import type { Template } from './model.js';
import {
  compileExpression,
  parseTemplateString,
  quoteExpression,
  TemplateSyntaxError,
  type TemplateString,
} from './template-syntax.js';

export interface TemplateOptions {
  /** jq variables, visible to every expression as `$name` */
  variables?: Readonly<Record<string, Value>>;
  /** overrides of the jq engine's DEFAULT_LIMITS (10 s, 64 MiB of output, ...) */
  limits?: Partial<JqLimits>;
}

/** The template's value against `data`. */
export function evaluateTemplate(template: Template, data: Value, opts: TemplateOptions = {}): Value {
  if (typeof template === 'string') return evaluateString(template, data, opts);
  if (Array.isArray(template)) return template.map((item) => evaluateTemplate(item, data, opts));
  if (template !== null && typeof template === 'object') {
    // Object.fromEntries defines keys, so a "__proto__" key stays a plain key.
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, evaluateTemplate(v, data, opts)]));
  }
  return template;
}

/**
 * The items of a foreach `array`. A string that is exactly `jq(EXPR)` gives EXPR's whole output
 * stream (`jq(.items[])`), except that a stream of one array gives that array's elements
 * (`jq(.items)`); any other template gives its value's elements when it is a list, else the value
 * as the only item.
 */
export function evaluateTemplateAll(template: Template, data: Value, opts: TemplateOptions = {}): Value[] {
  if (typeof template === 'string') {
    const parsed = parse(template);
    if (parsed.kind === 'query') {
      const outputs: Value[] = [];
      run(parsed.expr, data, opts, (v) => {
        outputs.push(v);
      });
      return outputs.length === 1 && Array.isArray(outputs[0]) ? outputs[0] : outputs;
    }
  }
  const value = evaluateTemplate(template, data, opts);
  return Array.isArray(value) ? value : [value];
}

/** A template that must give an object, such as `transform`: anything else is `direktiv.jq.notObject`. */
export function evaluateObject(template: Template, data: Value, opts: TemplateOptions = {}): JsonObject {
  const value = evaluateTemplate(template, data, opts);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WorkflowError(
      Codes.jqNotObject,
      `${describe(template)} must produce an object, but produced ${article(typeOf(value))}`,
    );
  }
  return value;
}

/** Truthiness of a switch condition's result: null, false, 0, "", [] and {} are false. */
export function truthy(v: Value): boolean {
  if (v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function evaluateString(text: string, data: Value, opts: TemplateOptions): Value {
  const parsed = parse(text);
  switch (parsed.kind) {
    case 'literal':
      return text;
    case 'query':
      return single(parsed.expr, data, opts);
    case 'interpolated':
      return parsed.parts
        .map((part) => {
          if (typeof part === 'string') return part;
          const v = single(part.expr, data, opts);
          return typeof v === 'string' ? v : toJson(v);
        })
        .join('');
  }
}

function parse(text: string): TemplateString {
  try {
    return parseTemplateString(text);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) throw new WorkflowError(Codes.jqBadCommand, `${e.message} in ${JSON.stringify(text)}`);
    throw e;
  }
}

/** The one result of an embedded expression. */
function single(expr: string, data: Value, opts: TemplateOptions): Value {
  const outputs: Value[] = [];
  run(expr, data, opts, (v) => {
    outputs.push(v);
    if (outputs.length > 1) return false;
  });
  if (outputs.length === 1) return outputs[0]!;
  throw new WorkflowError(
    Codes.jqNotObject,
    `${quoteExpression(expr)} produced ${outputs.length === 0 ? 'no result' : 'more than one result'}; exactly one is required`,
  );
}

function run(expr: string, data: Value, opts: TemplateOptions, onOutput: (v: Value) => boolean | void): void {
  const variables = opts.variables ?? {};
  let program: JqProgram;
  try {
    program = compileExpression(expr, Object.keys(variables));
    program.each(data, onOutput, { variables, limits: opts.limits });
  } catch (e) {
    throw asWorkflowError(expr, e);
  }
}

function asWorkflowError(expr: string, e: unknown): unknown {
  const where = quoteExpression(expr);
  if (e instanceof JqBudgetError) {
    const code = e.kind === 'time' || e.kind === 'steps' ? Codes.jqTimeout : Codes.limitsSize;
    return new WorkflowError(code, `${where}: ${e.message}`);
  }
  if (e instanceof JqCompileError) return new WorkflowError(Codes.jqBadCommand, `${where} does not compile: ${e.message}`);
  if (e instanceof JqRuntimeError) return new WorkflowError(Codes.jqBadCommand, `${where} failed: ${e.message}`);
  return e;
}

function describe(template: Template): string {
  if (typeof template === 'string') {
    const parsed = parse(template);
    if (parsed.kind === 'query') return quoteExpression(parsed.expr);
  }
  return 'the template';
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
