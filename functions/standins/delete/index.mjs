// Stand-in for vorteil/delete: "deletes" the rows {table, rows} named (no database) and says how
// many; the unreliable-action-retries example uses it to undo an insert.
import { serve, FunctionError } from './sdk/index.mjs';

const CODE = 'com.delete.error';

serve(async (input) => {
  if (input?.fail) throw new FunctionError(CODE, `asked to fail: ${input.fail}`);
  if (!input?.table || !Array.isArray(input.rows)) throw new FunctionError(CODE, 'expected {"table": "...", "rows": [...]}');
  return { table: input.table, deleted: input.rows.length };
});
