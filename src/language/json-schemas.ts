/**
 * Compiling the JSON Schemas of `validate` states, at validation (so a broken schema is refused
 * with the workflow) and when the engine runs the state (compile once per workflow revision:
 * a compilation takes a few milliseconds).
 *
 * Dialect: the one `$schema` names, draft 2020-12 or draft-07. Without `$schema`, draft 2020-12,
 * unless the schema is only valid as draft-07 (array-form `items`, as schemas written for the
 * original engine, draft-04 to 07, may have it). Formats such as `email`
 * are checked (unknown formats are ignored, as the standard says). Nothing is fetched: a `$ref` to
 * another document is an error.
 *
 * Each schema is compiled by an ajv instance of its own, so that schemas of different workflows
 * can never clash over an `$id` (or replace a meta-schema); a shared instance per dialect only
 * checks schemas against the meta-schema, which registers nothing.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Value } from '../jq/index.js';

/** Why the subject does not match, one reason per entry; empty when it matches. */
export type SchemaCheck = (subject: Value) => string[];

export class JsonSchemaError extends Error {
  override name = 'JsonSchemaError';
}

interface Dialect {
  name: string;
  uri: RegExp;
  create: (meta: boolean) => Ajv | Ajv2020;
  checker?: Ajv | Ajv2020;
}

const DRAFT_2020_12: Dialect = {
  name: 'draft 2020-12',
  uri: /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/,
  create: (meta) => new Ajv2020({ allErrors: true, strict: false, logger: false, meta, validateSchema: meta }),
};
const DRAFT_07: Dialect = {
  name: 'draft-07',
  uri: /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/,
  create: (meta) => new Ajv({ allErrors: true, strict: false, logger: false, meta, validateSchema: meta }),
};

export function compileJsonSchema(schema: Value): SchemaCheck {
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
    throw new JsonSchemaError('a JSON Schema is a map (or true / false)');
  }
  const named = typeof schema === 'object' ? schema.$schema : undefined;
  let validate: ValidateFunction;
  if (named === undefined) {
    try {
      validate = compileAs(DRAFT_2020_12, schema);
    } catch (e) {
      try {
        validate = compileAs(DRAFT_07, schema);
      } catch {
        throw e;
      }
    }
  } else {
    const dialect = [DRAFT_2020_12, DRAFT_07].find((d) => typeof named === 'string' && d.uri.test(named));
    if (dialect === undefined) {
      throw new JsonSchemaError(`unsupported $schema ${JSON.stringify(named)}; use draft 2020-12 or draft-07`);
    }
    validate = compileAs(dialect, schema);
  }
  return (subject) => {
    if (validate(subject)) return [];
    return (validate.errors ?? []).map((e) => {
      const where = e.instancePath === '' ? '(subject)' : e.instancePath;
      return `${where}: ${e.message ?? e.keyword}`;
    });
  };
}

function compileAs(dialect: Dialect, schema: boolean | Record<string, Value>): ValidateFunction {
  dialect.checker ??= withFormats(dialect.create(true));
  if (!dialect.checker.validateSchema(schema)) {
    const reasons = dialect.checker.errorsText(dialect.checker.errors, { dataVar: 'schema' });
    throw new JsonSchemaError(`not a valid ${dialect.name} schema: ${reasons}`);
  }
  try {
    return withFormats(dialect.create(false)).compile(schema);
  } catch (e) {
    throw new JsonSchemaError((e as Error).message);
  }
}

function withFormats<T extends Ajv | Ajv2020>(ajv: T): T {
  // ajv-formats is CommonJS: under NodeNext its default import types as the module object.
  addFormats.default(ajv);
  return ajv;
}
