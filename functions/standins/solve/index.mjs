// Stand-in for vorteil/solve: evaluates the arithmetic expression in `x` ("10+5" gives 15).
// A small recursive-descent parser, so nothing of the input is ever run as code.
import { serve, FunctionError } from './sdk/index.mjs';

const CODE = 'com.solve.error';

/** Tokens: numbers, operators (`**` before `*`) and parentheses; anything else is an error. */
function tokenize(text) {
  const tokens = [];
  const re = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(\*\*|[-+*/%()]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new FunctionError(CODE, `unexpected character at ${at + 1} in ${JSON.stringify(text)}`);
    tokens.push(m[1] !== undefined ? { num: Number(m[1]) } : { op: m[2] });
    at = re.lastIndex;
  }
  return tokens;
}

/**
 * expr   = term (('+' | '-') term)*
 * term   = unary (('*' | '/' | '%') unary)*
 * unary  = ('+' | '-') unary | power
 * power  = atom ('**' unary)?          (right-associative, binds tighter than unary minus on its left)
 * atom   = number | '(' expr ')'
 */
function evaluate(text) {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i]?.op;
  const fail = (what) => {
    throw new FunctionError(CODE, `${what} in ${JSON.stringify(text)}`);
  };
  const expr = () => {
    let v = term();
    while (peek() === '+' || peek() === '-') v = tokens[i++].op === '+' ? v + term() : v - term();
    return v;
  };
  const term = () => {
    let v = unary();
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      i++;
      const r = unary();
      if ((op === '/' || op === '%') && r === 0) fail('division by zero');
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  const unary = () => {
    const op = peek();
    if (op !== '-' && op !== '+') return power();
    i++;
    return op === '-' ? -unary() : unary();
  };
  const power = () => {
    const base = atom();
    if (peek() !== '**') return base;
    i++;
    return base ** unary();
  };
  const atom = () => {
    const t = tokens[i++];
    if (t === undefined) fail('unexpected end');
    if (t.num !== undefined) return t.num;
    if (t.op === '(') {
      const v = expr();
      if (tokens[i++]?.op !== ')') fail('missing ")"');
      return v;
    }
    return fail(`unexpected "${t.op}"`);
  };
  if (tokens.length === 0) fail('empty expression');
  const v = expr();
  if (i < tokens.length) fail(`unexpected "${tokens[i].op ?? tokens[i].num}"`);
  if (!Number.isFinite(v)) fail('the result is not a finite number');
  return v;
}

serve(async (input) => {
  const x = input?.x;
  if (typeof x === 'number') return x;
  if (typeof x !== 'string') throw new FunctionError(CODE, 'no expression: expected {"x": "10+5"}');
  // The original answers the bare value, which the action service stores as JSON: a number.
  return evaluate(x);
});
