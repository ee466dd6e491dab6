/**
 * The engine's ports, filled with the real modules (and, for the components this version does
 * not have yet, with implementations that say so clearly).
 */
import type { CallRef, FlowLink } from '../actions/index.js';
import type { EventsApi } from '../api/index.js';
import type { Db } from '../db/index.js';
import { EventIntake, EventInvalidError, buildEvent, getEvent, listEvents, registerWait, removeWait, replayEvent, storeAndDeliver } from '../events/index.js';
import type { InstanceStarter } from '../events/index.js';
import { Codes, WorkflowError } from '../language/index.js';
import type { Engine } from '../engine/index.js';
import type { ActionService, EventBus, SecretsProvider, VariableStore, WorkflowCatalog } from '../engine/index.js';
import { DecryptError, SecretNotFoundError, SecretsUnavailableError, UnknownMasterKeyError, imageRegistry, registryHost } from '../secrets/index.js';
import type { RegistryLogin, Secrets } from '../secrets/index.js';
import type { VariableScope } from '../language/index.js';
import * as variables from '../variables/index.js';
import * as workflows from '../workflows/index.js';

export const workflowCatalog: WorkflowCatalog = {
  find: async (q, namespace, name) => (await workflows.findByName(q, namespace, name)) ?? undefined,
  async load(q, uid, revision) {
    const wf = await workflows.loadRevision(q, uid, revision);
    if (!wf) throw new Error(`workflow ${uid} revision ${revision} is not stored`);
    return wf;
  },
  remove: (q, namespace, name) => workflows.remove(q, namespace, name),
  logToEvents: (q, uid) => workflows.logToEventsOf(q, uid),
};

export const variableStore: VariableStore = {
  get: (q, ref) => variables.getValue(q, ref),
  async set(q, ref, data, mimeType) {
    await variables.setValue(q, ref, data, mimeType);
  },
  async delete(q, ref) {
    await variables.deleteValue(q, ref);
  },
};

/** A flow node with no action service configured: function calls fail with a catchable error that says why. */
export const noActionService: ActionService = {
  available: false,
  unavailableReason: 'no action service is configured for this node ([isolateAPI] Endpoint, or -t i in this process)',
  dispatch: () => Promise.reject(new Error('no action service')),
  cancel: () => Promise.resolve(),
};

/**
 * Registry logins for image pulls: the namespace's registries and the `[flowAPI.Registry]`
 * default through the secrets component, or the default alone on a node without one.
 */
export function registryLogins(
  dflt: { name: string; user: string | undefined; token: string | undefined } | undefined,
  secrets: Secrets | undefined,
): (ns: string, image: string) => Promise<RegistryLogin | undefined> {
  if (secrets) return (ns, image) => secrets.registryLogin(ns, image);
  const login = dflt && { registry: registryHost(dflt.name), user: dflt.user ?? '', token: dflt.token ?? '' };
  return (_ns, image) => Promise.resolve(login && imageRegistry(image) === login.registry ? login : undefined);
}

/**
 * The flow side as an action service in the same process sees it: results go to the engine,
 * logs and variables to their modules, registry logins come from the secrets component.
 */
export function flowLink(engine: () => Engine, registryLogin: (ns: string, image: string) => Promise<RegistryLogin | undefined>): FlowLink {
  const db = () => engine().deps.db;
  const owner = async (req: CallRef, scope: VariableScope): Promise<variables.VariableRef> => {
    if (scope === 'namespace') return { namespace: req.namespace, scope, owner: '', key: '' };
    if (scope === 'instance') return { namespace: req.namespace, scope, owner: req.instanceId, key: '' };
    const wf = await workflows.findByName(db(), req.namespace, req.workflow);
    if (!wf) throw new Error(`workflow '${req.workflow}' no longer exists`);
    return { namespace: req.namespace, scope, owner: wf.uid, key: '' };
  };
  return {
    report: (req, result) =>
      engine().reportActionResult({ instanceId: req.instanceId, step: req.step, branch: req.branch, actionId: req.actionId, result }),
    log: (req, level, text) => engine().appendLog(req.namespace, req.instanceId, level, text),
    async getVariable(req, scope, key) {
      const ref = { ...(await owner(req, scope)), key };
      return variables.getValue(db(), ref);
    },
    async setVariable(req, scope, key, v) {
      const ref = { ...(await owner(req, scope)), key };
      await db().tx((q) => variables.setValue(q, ref, v.data, v.mimeType));
    },
    async registryAuth(req, image) {
      const login = await registryLogin(req.namespace, image);
      return login && { serveraddress: login.registry, username: login.user, password: login.token };
    },
  };
}

/** A flow node with no secrets service configured: a catchable error that says so. */
export const noSecretsService: SecretsProvider = {
  resolve: () =>
    Promise.reject(
      new WorkflowError(Codes.secretsUnavailable, 'no secrets service is configured for this node ([secretsAPI] Endpoint, or -t s in this process)'),
    ),
};

/**
 * Secrets for action inputs, from the secrets component. A missing secret is uncatchable
 * (direktiv.secrets.notFound, naming it); an unreachable service is catchable, so a workflow can
 * retry or handle it, and recovers by itself when the service returns.
 */
export function secretsProvider(secrets: Secrets): SecretsProvider {
  return {
    async resolve(namespace, names, q) {
      try {
        return await secrets.resolve(namespace, names, 'secret', q);
      } catch (err) {
        if (err instanceof SecretNotFoundError) {
          throw new WorkflowError(Codes.secretsNotFound, `secret '${err.secret}' not found in namespace '${namespace}'`, false);
        }
        if (err instanceof SecretsUnavailableError) {
          throw new WorkflowError(Codes.secretsUnavailable, `the secrets service cannot be reached: ${err.message}`);
        }
        // A node configured without the master key the namespace's key is wrapped by (or a
        // tampered row): catchable, as another node or a fixed configuration can succeed.
        if (err instanceof UnknownMasterKeyError || err instanceof DecryptError) {
          throw new WorkflowError(Codes.secretsUnavailable, `the secrets of namespace '${namespace}' cannot be decrypted on this node: ${err.message}`);
        }
        throw err;
      }
    },
  };
}

/** The events routes over the events module, starting instances through the engine. */
export function eventsApi(db: Db, engine: InstanceStarter): EventsApi {
  const intake = new EventIntake(db, engine);
  return {
    accept: (ns, evs) => intake.accept(ns, evs),
    list: (ns, page) => listEvents(db, ns, page),
    get: (ns, seq) => getEvent(db, ns, seq),
    replay: (ns, seq) => replayEvent(db, engine, ns, seq),
  };
}

/**
 * The events component as the engine uses it inside a step: waits, and events emitted into the
 * namespace (delivered at once, in the step's transaction). `engine` is read late because the
 * engine is built with this bus.
 */
export function eventBus(engine: () => InstanceStarter): EventBus {
  return {
    wait: (q, w) => registerWait(q, w),
    unwait: (q, instanceId, step) => removeWait(q, instanceId, step),
    async emit(q, namespace, e) {
      let ev;
      try {
        ev = buildEvent(e);
      } catch (err) {
        if (err instanceof EventInvalidError) throw new WorkflowError(Codes.eventInvalid, err.message);
        throw err;
      }
      const d = await storeAndDeliver(q, engine(), namespace, ev);
      return { id: ev.id, started: d?.started ?? [], woken: d?.woken ?? [] };
    },
  };
}
