// Stand-in for vorteil/notifier: logs the notification it would send and returns a summary.
import { serve } from './sdk/index.mjs';

serve(async (input, ctx) => {
  // Whatever the workflow hands over is the notification: a message, or the state's data.
  const message = typeof input === 'string' ? input : typeof input?.message === 'string' ? input.message : JSON.stringify(input);
  await ctx.log(`Would notify: ${message}`);
  return { notified: true, message };
});
