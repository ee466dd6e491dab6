import type { FastifyPluginCallback } from 'fastify';
import type { ComponentLetter, Deps } from '../types.js';

const COMPONENTS: Record<ComponentLetter, string> = {
  w: 'flow and ingress',
  i: 'action (isolate) service',
  s: 'secrets service',
};

const componentSchema = {
  type: 'object',
  required: ['name', 'enabled', 'available'],
  properties: {
    name: { type: 'string' },
    enabled: { type: 'boolean', description: 'this node runs it (-t)' },
    available: { type: 'boolean' },
    message: { type: 'string' },
  },
} as const;

const healthSchema = {
  type: 'object',
  required: ['status', 'components', 'warnings'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    components: { type: 'object', properties: { w: componentSchema, i: componentSchema, s: componentSchema } },
    warnings: { type: 'array', items: { type: 'string' } },
  },
} as const;

/**
 * The entry of `unavailable` about a component: its letter alone (then a generic message), or a
 * message that names it as `(i)`.
 */
function unavailableNotice(unavailable: readonly string[], letter: ComponentLetter): string | undefined {
  if (unavailable.includes(letter)) return `the ${COMPONENTS[letter]} (${letter}) is not available in this version yet`;
  return unavailable.find((u) => u.includes(`(${letter})`));
}

interface Component {
  name: string;
  enabled: boolean;
  available: boolean;
  message?: string;
}

const CHECK_TIMEOUT_MS = 2000;

/** The problem `check` reports or throws, or a timeout; undefined when it is fine. */
async function bounded(what: string, check: () => Promise<string | undefined>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    return `${what} is not reachable: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    clearTimeout(timer);
  }
}

/** GET /api/healthz: each component of this node and whether it is available (no key needed). */
export const healthRoutes: FastifyPluginCallback<Deps> = (app, deps, done) => {
  app.get(
    '/api/healthz',
    {
      schema: {
        summary: 'Liveness and readiness of this node\'s components',
        tags: ['health'],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const { config, secrets } = deps;
      const { actionsProblem } = deps;
      const [dbProblem, secretsProblem, actionProblem] = await Promise.all([
        bounded('the database', async () => {
          await deps.db.query('SELECT 1');
          return undefined;
        }),
        secrets ? bounded('the secrets service', () => secrets.problem()) : undefined,
        actionsProblem ? bounded('the action service', actionsProblem) : undefined,
      ]);
      const components = {} as Record<ComponentLetter, Component>;
      // Components this node depends on, run here or not: the secrets and actions the flow component uses.
      const used = (letter: ComponentLetter) =>
        config.components[letter] || (letter === 's' && secrets !== undefined) || (letter === 'i' && actionsProblem !== undefined);
      for (const letter of ['w', 'i', 's'] as const) {
        const c: Component = { name: COMPONENTS[letter], enabled: config.components[letter], available: false };
        const notice = unavailableNotice(config.unavailable, letter);
        if (notice !== undefined) c.message = notice;
        else if (!used(letter)) c.message = 'not started on this node';
        else if (letter === 'w' && dbProblem) c.message = dbProblem;
        else if (letter === 's' && secretsProblem) c.message = secretsProblem;
        else if (letter === 'i' && actionProblem) c.message = actionProblem;
        else {
          c.available = true;
          if (!c.enabled) c.message = 'not started on this node; the flow component reaches it';
        }
        components[letter] = c;
      }
      const warnings: string[] = [];
      if (config.insecure && !config.apiKey) {
        warnings.push('Insecure = true: the API requires no key, so anyone who can reach it has full access');
      }
      const down = dbProblem !== undefined;
      const degraded = (['w', 'i', 's'] as const).some((l) => used(l) && !components[l].available);
      return reply
        .code(down ? 503 : 200)
        .send({ status: down ? 'down' : degraded ? 'degraded' : 'ok', components, warnings });
    },
  );
  done();
};
