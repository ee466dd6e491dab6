// Stand-in for vorteil/cruncher: turns the selected rows into the two result sets the
// unreliable-action-retries example stores: {someResults, otherResults}, each {table, rows}.
import { serve, FunctionError } from './sdk/index.mjs';

serve(async (input) => {
  if (input?.fail) throw new FunctionError('com.cruncher.error', `asked to fail: ${input.fail}`);
  const rows = Array.isArray(input?.rows) ? input.rows : [];
  const values = rows.map((r) => Number(r?.value)).filter(Number.isFinite);
  const sum = values.reduce((a, b) => a + b, 0);
  // Per sensor: count and total, in the order the sensors first appear.
  const bySensor = new Map();
  for (const r of rows) {
    const s = bySensor.get(r?.sensor) ?? { sensor: r?.sensor ?? null, count: 0, total: 0 };
    s.count += 1;
    s.total += Number(r?.value) || 0;
    bySensor.set(r?.sensor, s);
  }
  return {
    someResults: { table: 'totals', rows: [{ count: values.length, sum, mean: values.length ? sum / values.length : null }] },
    otherResults: { table: 'sensors', rows: [...bySensor.values()] },
  };
});
