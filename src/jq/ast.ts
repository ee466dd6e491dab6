import type { Value } from './values.js';

/** The jq syntax tree. `at` is the source offset of the node, for error positions. */
export type Node =
  | { kind: 'identity' }
  | { kind: 'recurseAll' }
  | { kind: 'literal'; value: Value }
  | { kind: 'string'; parts: (string | Node)[]; format: string | null }
  | { kind: 'format'; name: string }
  | { kind: 'index'; target: Node; index: Node; at: number }
  | { kind: 'slice'; target: Node; from: Node | null; to: Node | null; at: number }
  | { kind: 'iterate'; target: Node; at: number }
  | { kind: 'try'; body: Node; handler: Node | null }
  | { kind: 'pipe'; left: Node; right: Node }
  | { kind: 'comma'; left: Node; right: Node }
  | { kind: 'neg'; body: Node }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node }
  | { kind: 'and'; left: Node; right: Node }
  | { kind: 'or'; left: Node; right: Node }
  | { kind: 'alt'; left: Node; right: Node }
  | { kind: 'assign'; op: AssignOp; left: Node; right: Node }
  | { kind: 'if'; cond: Node; then: Node; else: Node | null }
  | { kind: 'reduce'; source: Node; pattern: Pattern; init: Node; update: Node }
  | {
      kind: 'foreach';
      source: Node;
      pattern: Pattern;
      init: Node;
      update: Node;
      extract: Node | null;
    }
  | { kind: 'funcdef'; def: FuncDef; body: Node }
  | { kind: 'call'; name: string; args: Node[]; at: number }
  | { kind: 'var'; name: string; at: number }
  | { kind: 'loc'; line: number }
  | { kind: 'bind'; source: Node; patterns: Pattern[]; body: Node }
  | { kind: 'label'; name: string; body: Node }
  | { kind: 'break'; name: string; at: number }
  | { kind: 'array'; body: Node | null }
  | { kind: 'object'; entries: ObjectEntry[] };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=';
export type AssignOp = '=' | '|=' | '+=' | '-=' | '*=' | '/=' | '%=' | '//=';

export interface ObjectEntry {
  key: Node;
  value: Node;
}

export interface FuncDef {
  name: string;
  params: { name: string; isVar: boolean }[];
  body: Node;
  at: number;
}

export type Pattern =
  | { kind: 'var'; name: string; at: number }
  | { kind: 'array'; elements: Pattern[] }
  | { kind: 'object'; entries: ObjectPatternEntry[] };

/** `{$name}`, `{$name: pattern}`, `{key: pattern}`, `{"k\(x)": pattern}`, `{(expr): pattern}`. */
export interface ObjectPatternEntry {
  keyVar: string | null;
  key: Node | null;
  pattern: Pattern | null;
  at: number;
}
