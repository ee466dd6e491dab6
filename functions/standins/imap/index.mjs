// Stand-in for vorteil/imap: "reads" the last message of the inbox without a mail server. The
// message is a canned complaint (so the listen-for-email example goes on to answer it) unless the
// input names one in `message`.
import { serve, FunctionError } from './sdk/index.mjs';

const CODE = 'com.imap.error';
const CANNED = 'Hello, I am very disappointed: your service was terrible and nobody answered my calls.';

serve(async (input, ctx) => {
  // A real server would refuse a login without them: so does the stand-in (a missing secret shows).
  if (!input?.email || !input?.password) throw new FunctionError(CODE, 'login failed: email and password are required');
  await ctx.log(`Reading the last message of ${input.email} at ${input['imap-address'] ?? 'the IMAP server'} (stand-in: no connection made)`);
  return { msg: typeof input.message === 'string' ? input.message : CANNED };
});
