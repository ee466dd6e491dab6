// Stand-in for vorteil/insert: "inserts" {table, rows} (no database) and says how many rows it
// took; `fail` in the input makes the call fail, to try the example's compensation path.
import { serve, FunctionError } from './sdk/index.mjs';

const CODE = 'com.insert.error';

serve(async (input) => {
  if (input?.fail) throw new FunctionError(CODE, `asked to fail: ${input.fail}`);
  if (!input?.table || !Array.isArray(input.rows)) throw new FunctionError(CODE, 'expected {"table": "...", "rows": [...]}');
  return { table: input.table, inserted: input.rows.length };
});
