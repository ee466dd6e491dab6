// Stand-in for vorteil/greeting: greets the input's `name`.
import { serve, FunctionError } from './sdk/index.mjs';

serve(async (input) => {
  // A string input is taken as the name: the event-and example passes one (`input:
  // .greetingcloudevent` without jq() is a literal), and a stand-in should let it finish.
  const name = typeof input === 'string' ? input : input?.name;
  if (typeof name !== 'string' || name === '') throw new FunctionError('com.greeting.error', 'no name given: expected {"name": "..."}');
  return { greeting: `Welcome to Direktiv, ${name}!` };
});
