// Stand-in for vorteil/notifier: logs the notification it would send and returns a summary.
import { serve } from './sdk/index.mjs';

async function note(ctx, text) {
  try {
    await ctx.log(text);
  } catch {
    // No log callbacks from this action service: stdout is the function's log then.
    console.log(text);
  }
}

serve(async (input, ctx) => {
  // Whatever the workflow hands over is the notification: a message, or the state's data.
  const message = typeof input === 'string' ? input : typeof input?.message === 'string' ? input.message : JSON.stringify(input);
  await note(ctx, `Would notify: ${message}`);
  return { notified: true, message };
});
