/**
 * The secrets service behind mutual TLS ([Certs] Directory): flow nodes with a client
 * certificate of the CA get in without a token; a client without a certificate, or with one
 * from another CA, is refused in the handshake; `[Certs] Secure = false` skips only the
 * client's check of the server certificate.
 */
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsUnavailableError, buildSecretsService, httpBackend } from '../../src/secrets/index.js';
import { CertsError, clientTls, serverTls } from '../../src/util/certs.js';
import { makeCertsDirectory, removeCertsDirectory } from '../helpers/certs.js';
import type { TestDb } from '../helpers/db.js';
import { createSecretsTestDb } from './helpers.js';

const CIPHERTEXT = Buffer.alloc(64, 7);

describe('secrets service with mutual TLS', () => {
  let sec: TestDb;
  let app: FastifyInstance;
  let endpoint: string;
  let certs: string;
  let otherCerts: string;

  beforeAll(async () => {
    certs = makeCertsDirectory(['flow', 'secrets']);
    otherCerts = makeCertsDirectory(['flow']);
    sec = await createSecretsTestDb('postgres');
    app = buildSecretsService({ db: sec.db, tls: serverTls({ directory: certs, secure: true }, 'secrets')! });
    await app.listen({ host: '127.0.0.1', port: 0 });
    endpoint = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await sec?.drop();
    for (const d of [certs, otherCerts]) if (d) removeCertsDirectory(d);
  });

  it('a flow node with its client certificate stores and fetches without a token', async () => {
    const backend = httpBackend(endpoint, 'not-checked', { tls: clientTls({ directory: certs, secure: true }, 'flow')! });
    try {
      await backend.put('alpha', 'secret', 'A', CIPHERTEXT);
      expect((await backend.fetch('alpha', 'secret', ['A'])).get('A')).toEqual(CIPHERTEXT);
    } finally {
      backend.close();
    }
  });

  it('a client without a certificate is refused in the handshake', async () => {
    const tls = clientTls({ directory: certs, secure: true }, 'flow')!;
    const backend = httpBackend(endpoint, 'a-token', { tls: { ca: tls.ca! } });
    try {
      await expect(backend.fetch('alpha', 'secret', ['A'])).rejects.toThrow(SecretsUnavailableError);
    } finally {
      backend.close();
    }
  });

  it('a client certificate of another CA is refused', async () => {
    const mine = clientTls({ directory: certs, secure: true }, 'flow')!;
    const foreign = clientTls({ directory: otherCerts, secure: true }, 'flow')!;
    const backend = httpBackend(endpoint, 'a-token', { tls: { ca: mine.ca!, cert: foreign.cert!, key: foreign.key! } });
    try {
      await expect(backend.fetch('alpha', 'secret', ['A'])).rejects.toThrow(SecretsUnavailableError);
    } finally {
      backend.close();
    }
  });

  it('the client checks the server certificate unless Secure = false', async () => {
    // The flow certificates of another CA: that CA did not sign the server's certificate.
    const foreign = clientTls({ directory: otherCerts, secure: true }, 'flow')!;
    const mine = clientTls({ directory: certs, secure: true }, 'flow')!;
    const checking = httpBackend(endpoint, 't', { tls: { ...mine, ca: foreign.ca! } });
    const trusting = httpBackend(endpoint, 't', { tls: { ...clientTls({ directory: certs, secure: false }, 'flow')!, ca: foreign.ca! } });
    try {
      await expect(checking.fetch('alpha', 'secret', ['A'])).rejects.toThrow(/certificate/);
      expect((await trusting.fetch('alpha', 'secret', ['A'])).size).toBe(1);
    } finally {
      checking.close();
      trusting.close();
    }
  });

  it('a missing certificate file is named', () => {
    expect(() => serverTls({ directory: join(certs, 'nowhere'), secure: true }, 'secrets')).toThrow(CertsError);
    expect(() => serverTls({ directory: join(certs, 'nowhere'), secure: true }, 'secrets')).toThrow(/server\.key is missing/);
  });
});
