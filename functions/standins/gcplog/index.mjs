// Stand-in for vorteil/gcplog: logs the entry it would write to Google Cloud Logging and returns
// a summary; nothing leaves the machine.
import { serve, FunctionError } from './sdk/index.mjs';

const CODE = 'com.gcplog.error';

serve(async (input, ctx) => {
  // The original cannot authenticate without the key: a missing secret shows here.
  if (!input?.serviceAccountKey) throw new FunctionError(CODE, 'no serviceAccountKey given');
  const project = input['project-id'];
  const log = input['log-name'];
  if (!project || !log) throw new FunctionError(CODE, '"project-id" and "log-name" are required');
  const logName = `projects/${project}/logs/${log}`;
  const message = typeof input.message === 'string' ? input.message : JSON.stringify(input.message ?? null);
  await ctx.log(`Would write to ${logName}: ${message}`);
  return { logged: true, logName, message };
});
