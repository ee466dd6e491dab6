/**
 * ajv's errors, rewritten for people: one message per mistake, pointing at the field concerned.
 *
 *   additionalProperties → unknown field "catsh" (did you mean "catch"?)      at the key
 *   required             → missing required field "transition"               at the parent
 *   enum                 → must be one of: small, medium, large
 *   discriminator        → unknown state type "bogus"; allowed types: ...
 *
 * Cascades are dropped: the `if` keyword's own "must match then/else" (its branch's errors say
 * what is wrong), and the branch errors of a oneOf/anyOf that only says "one of these fields is
 * required" (reported as one message instead).
 */
import type { AnySchemaObject, ErrorObject } from 'ajv';
import type { Path } from './yaml-source.js';

export interface SchemaProblem {
  path: Path;
  message: string;
  /** 'key' for problems with a field's name rather than its value */
  at: 'value' | 'key';
}

/** Friendlier messages for the named patterns of the schema's `definitions`. */
const PATTERN_MESSAGES: Record<string, string> = {
  workflowId:
    'must be 3 to 36 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter and ending with a letter or digit',
  stateId: 'must not contain white space',
  functionId: 'must be letters, digits, ".", "_" or "-", starting with a letter or digit',
  variableKey: 'must be letters, digits, ".", "_" or "-", not starting with "."',
  duration: 'must be an ISO-8601 duration such as PT30S, PT1H or P1D',
};

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'null',
};

export function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown, root: AnySchemaObject): SchemaProblem[] {
  const collapsed = errors.filter(
    (e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && requiredOnlyBranches(e) !== undefined,
  );
  const isBranchError = (e: ErrorObject): boolean =>
    collapsed.some((c) => c !== e && c.instancePath === e.instancePath && e.schemaPath.startsWith(`${c.schemaPath}/`));

  const problems: SchemaProblem[] = [];
  for (const e of errors) {
    if (e.keyword === 'if' || isBranchError(e)) continue;
    const problem = describe(e, toPath(e.instancePath, data), root);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

function describe(e: ErrorObject, path: Path, root: AnySchemaObject): SchemaProblem | undefined {
  const at = (message: string, where: Path = path, target: 'value' | 'key' = 'value'): SchemaProblem => ({
    path: where,
    message,
    at: target,
  });
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return at(`missing required field "${String(params.missingProperty)}"`);
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      return at(`unknown field "${name}"${unknownFieldHint(name, known, path)}`, [...path, name], 'key');
    }
    case 'type': {
      const types = Array.isArray(params.type) ? (params.type as string[]) : [String(params.type)];
      return at(`must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}`);
    }
    case 'enum':
      return at(`must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'const':
      return at(`must be ${JSON.stringify(params.allowedValue)}`);
    case 'pattern':
      return at(patternMessage(String(params.pattern), root));
    case 'minLength':
      return at(params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`);
    case 'maxLength':
      return at(`must be at most ${String(params.limit)} characters long`);
    case 'minItems':
      return at(params.limit === 1 ? 'must list at least one item' : `must list at least ${String(params.limit)} items`);
    case 'minimum':
      return at(`must be at least ${String(params.limit)}`);
    case 'discriminator':
      return describeDiscriminator(e, path, root);
    case 'not': {
      // Every `not` of the schema forbids a field together with its old spelling:
      // {type: object, required: [name, alias]}.
      const [name, alias] = (e.schema as { required: [string, string] }).required;
      return at(`"${alias}" is an old spelling of "${name}": give only one of them`, [...path, alias], 'key');
    }
    case 'oneOf':
    case 'anyOf': {
      const names = requiredOnlyBranches(e);
      if (names === undefined) return at('does not match any of the allowed forms');
      const list = names.map((n) => `"${n}"`).join(' or ');
      const passing = params.passingSchemas;
      return Array.isArray(passing) ? at(`give only one of ${list}`) : at(`missing required field: one of ${list}`);
    }
    default:
      return at(e.message ?? `fails the "${e.keyword}" rule of the schema`);
  }
}

/**
 * An unknown `type` of a state or start lists the allowed types; a `type` that is not a string
 * says so. A missing `type` is left to the `required` error next to this one.
 */
function describeDiscriminator(e: ErrorObject, path: Path, root: AnySchemaObject): SchemaProblem | undefined {
  const params = e.params as { error: string; tagValue: unknown };
  if (params.tagValue === undefined) return undefined;
  const allowed = discriminatedTypes(e.parentSchema ?? {}, root);
  const what = path.length === 1 && path[0] === 'start' ? 'start type' : 'state type';
  const message =
    params.error === 'tag'
      ? `must be a string: one of ${allowed.join(', ')}`
      : `unknown ${what} ${JSON.stringify(params.tagValue)}; allowed types: ${allowed.join(', ')}`;
  return { path: [...path, 'type'], message, at: 'value' };
}

/** The first value of each oneOf branch's `type` (aliases such as eventsAnd are left out). */
function discriminatedTypes(schema: AnySchemaObject, root: AnySchemaObject): string[] {
  const definitions = (root.definitions ?? {}) as Record<string, AnySchemaObject>;
  return ((schema.oneOf ?? []) as AnySchemaObject[]).map((branch) => {
    const target = typeof branch.$ref === 'string' ? definitions[branch.$ref.replace('#/definitions/', '')] : branch;
    const tag = (target?.properties as Record<string, AnySchemaObject> | undefined)?.type;
    return String(tag?.const ?? (tag?.enum as unknown[] | undefined)?.[0]);
  });
}

function patternMessage(pattern: string, root: AnySchemaObject): string {
  const definitions = (root.definitions ?? {}) as Record<string, AnySchemaObject>;
  const name = Object.keys(PATTERN_MESSAGES).find((n) => definitions[n]?.pattern === pattern);
  return name === undefined ? `must match the pattern ${pattern}` : PATTERN_MESSAGES[name]!;
}

/** The field names of a oneOf/anyOf whose branches are each just `{required: [name]}`. */
function requiredOnlyBranches(e: ErrorObject): string[] | undefined {
  if (!Array.isArray(e.schema)) return undefined;
  const names: string[] = [];
  for (const branch of e.schema as AnySchemaObject[]) {
    const keys = Object.keys(branch);
    if (keys.length !== 1 || !Array.isArray(branch.required) || branch.required.length !== 1) return undefined;
    names.push(String(branch.required[0]));
  }
  return names;
}

/** A JSON pointer as a path, with array positions as numbers. */
function toPath(pointer: string, data: unknown): Path {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(seg));
      node = node[Number(seg)] as unknown;
    } else {
      path.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}

/** Fields every state has: found inside a state's action or event, they are most likely indented too far. */
const STATE_FIELDS = new Set(['catch', 'transition', 'transform', 'log', 'timeout']);

function unknownFieldHint(name: string, known: readonly string[], parent: Path): string {
  const guess = closest(name, known);
  if (guess !== undefined) return ` (did you mean "${guess}"?)`;
  if (parent[0] === 'states' && parent.length > 2 && STATE_FIELDS.has(name)) {
    return ` here: "${name}" belongs to the state; check its indentation`;
  }
  return '';
}

/** The known name closest to a misspelt one, if it is close enough to be a likely typo. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(name.length / 3));
  for (const candidate of known) {
    if (candidate.toLowerCase() === name.toLowerCase()) return candidate;
    const d = distance(name, candidate);
    if (d <= bestDistance) {
      best = candidate;
      bestDistance = d - 1;
    }
  }
  return best;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}
