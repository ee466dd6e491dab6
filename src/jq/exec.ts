/**
 * The shapes of compiled code. A jq expression compiles to a `Fn` that pushes each of its
 * outputs into a callback (continuation-passing): multiple outputs are multiple calls, no
 * output is no call, an error is a thrown JqRuntimeError, and early exits (`limit`, `first`,
 * `label`/`break`) are thrown signals. When a path is tracked (inside `path(f)` and
 * assignments), each output carries its path; values that did not come from a path carry an
 * InvalidPath, which only becomes an error if it is used as a path.
 */
import { JqRuntimeError } from './errors.js';
import { errorPreview, type Value } from './values.js';

export class InvalidPath {
  constructor(readonly value: Value) {}
}

export type Path = readonly Value[];
export type PathT = Path | InvalidPath | undefined;
export type Emit = (v: Value, path: PathT) => void;
export type Fn = (input: Value, path: PathT, env: Env | null, emit: Emit) => void;
/** A fast form for expressions that always give exactly one output (or throw), used when no path is tracked. */
export type Single = (input: Value, env: Env | null) => Value;

export interface Code {
  run: Fn;
  single: Single | null;
}

export interface Closure {
  fn: Fn;
  env: Env | null;
}

/** One runtime frame: a bound variable (or label token), or the closures passed to a function. */
export class Env {
  constructor(
    readonly up: Env | null,
    readonly value: unknown,
    readonly closures: readonly Closure[] | null,
  ) {}
}

export function envAt(env: Env | null, hops: number): Env | null {
  let e = env;
  while (hops-- > 0) e = e!.up;
  return e;
}

/** Thrown by `break $label`; caught only by the `label` invocation that made `token`. */
export class BreakSignal {
  constructor(readonly token: object) {}
}

/** The path of a non-path value, when paths are being tracked. */
export function noPath(path: PathT, v: Value): PathT {
  return path === undefined ? undefined : new InvalidPath(v);
}

export function extendPath(path: PathT, key: Value, target: Value): PathT {
  if (path === undefined) return undefined;
  if (path instanceof InvalidPath) {
    throw new JqRuntimeError(
      `Invalid path expression near attempt to access element ${errorPreview(key)} of ${errorPreview(target)}`,
    );
  }
  return [...path, key];
}

export function checkIterablePath(path: PathT, target: Value): void {
  if (path instanceof InvalidPath) {
    throw new JqRuntimeError(`Invalid path expression near attempt to iterate through ${errorPreview(target)}`);
  }
}

export function fromSingle(single: Single): Code {
  return {
    single,
    run: (input, path, env, emit) => {
      const v = single(input, env);
      emit(v, path === undefined ? undefined : new InvalidPath(v));
    },
  };
}

/** Collects every output of a Fn (value mode). */
export function collect(fn: Fn, input: Value, env: Env | null): Value[] {
  const out: Value[] = [];
  fn(input, undefined, env, (v) => {
    out.push(v);
  });
  return out;
}

/** Raised value of a caught jq error, as `catch` sees it. */
export function errorValue(e: JqRuntimeError): Value {
  return e.value;
}
