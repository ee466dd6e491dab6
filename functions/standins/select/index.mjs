// Stand-in for vorteil/select: "selects" rows from a canned table (no database), as the
// unreliable-action-retries example's first step. {rows: [...]}; `fail` in the input makes the
// call fail, to try the example's retries and catch.
import { serve, FunctionError } from './sdk/index.mjs';

const TABLE = [
  { id: 1, sensor: 'a', value: 12 },
  { id: 2, sensor: 'b', value: 7 },
  { id: 3, sensor: 'a', value: 30 },
  { id: 4, sensor: 'c', value: 5 },
  { id: 5, sensor: 'b', value: 21 },
];

serve(async (input) => {
  if (input?.fail) throw new FunctionError('com.select.error', `asked to fail: ${input.fail}`);
  const rows = input?.where ? TABLE.filter((r) => Object.entries(input.where).every(([k, v]) => r[k] === v)) : TABLE;
  return { table: 'readings', rows };
});
