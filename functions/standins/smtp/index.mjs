// Stand-in for vorteil/smtp: logs the mail it would send and returns a summary; sends nothing.
import { serve, FunctionError } from './sdk/index.mjs';

const CODE = 'com.smtp.error';

serve(async (input, ctx) => {
  for (const field of ['to', 'from', 'server']) {
    if (!input?.[field]) throw new FunctionError(CODE, `no "${field}" given`);
  }
  const to = Array.isArray(input.to) ? input.to.map(String) : [String(input.to)];
  const server = `${input.server}:${input.port ?? 587}`;
  const subject = String(input.subject ?? '');
  const message = String(input.message ?? '');
  // The password is never logged nor returned.
  await ctx.log(`Would send mail from ${input.from} to ${to.join(', ')} via ${server}: "${subject}" (${message.length} characters)`);
  return { sent: true, to, from: String(input.from), subject, server, characters: message.length };
});
