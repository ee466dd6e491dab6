/**
 * `npx tsx scripts/jq-demo.ts [EXPRESSION [JSON]]`: evaluates a jq expression the way a workflow
 * state does (state data in, transformed data out) and prints every output, one per line.
 * Without arguments it runs a built-in example on a sample order.
 */
import {
  compile,
  JqBudgetError,
  JqCompileError,
  JqRuntimeError,
  parseJson,
  toJson,
  type Value,
} from '../src/jq/index.js';

const SAMPLE_EXPRESSION = `.order as $o
| {
    id: $o.id,
    customer: $o.customer.name,
    total: ($o.lines | map(.price * .qty) | add),
    bulky: [$o.lines[] | select(.qty > 1) | .sku],
    priority: (if $o.shipping == "express" then "high" else "normal" end),
    handledBy: $instance
  }`;

const SAMPLE_INPUT = `{
  "order": {
    "id": "A-1017",
    "shipping": "express",
    "customer": { "name": "Ada", "email": "ada@example.com" },
    "lines": [
      { "sku": "BOLT-8", "price": 0.25, "qty": 40 },
      { "sku": "NUT-8", "price": 0.1, "qty": 40 },
      { "sku": "DRILL", "price": 89.9, "qty": 1 }
    ]
  }
}`;

function main(): number {
  const [expression = SAMPLE_EXPRESSION, inputText = SAMPLE_INPUT] = process.argv.slice(2);
  try {
    const program = compile(expression, { variables: ['instance'] });
    const input: Value = parseJson(inputText);
    const outputs = program.run(input, {
      variables: { instance: 'demo-instance-1' },
      limits: { maxSteps: 1_000_000, timeoutMs: 1_000, maxOutputBytes: 1_000_000, maxDepth: 1_000 },
    });
    if (process.argv.length <= 2) process.stdout.write(`jq: ${expression}\n\n`);
    for (const v of outputs) process.stdout.write(toJson(v) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof JqCompileError) process.stderr.write(`compile error: ${e.message}\n`);
    else if (e instanceof JqRuntimeError) process.stderr.write(`jq error: ${e.message}\n`);
    else if (e instanceof JqBudgetError) process.stderr.write(`limit reached (${e.kind}): ${e.message}\n`);
    else throw e;
    return 5;
  }
}

process.exitCode = main();
