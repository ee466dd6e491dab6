/**
 * TLS between components from `[Certs] Directory`, laid out as the original Direktiv did:
 * `<dir>/<component>/` holds `server.pem` + `server.key` (what the component serves with),
 * `client.pem` + `client.key` (what it presents when it calls another one) and `ca.pem` (the CA
 * both sides verify against). With a `ca.pem` a server requires client certificates (mutual
 * TLS); `[Certs] Secure = false` makes clients accept any server certificate (encryption only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertsConfig {
  readonly directory: string | undefined;
  readonly secure: boolean;
}

/** The component folders under `[Certs] Directory`. */
export type CertComponent = 'flow' | 'ingress' | 'isolate' | 'secrets';

export interface ServerTls {
  key: Buffer;
  cert: Buffer;
  /** set: clients must present a certificate signed by it (mutual TLS) */
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

export interface ClientTls {
  key?: Buffer;
  cert?: Buffer;
  ca?: Buffer;
  rejectUnauthorized: boolean;
}

export class CertsError extends Error {
  override name = 'CertsError';
}

function read(dir: string, file: string, required: boolean): Buffer | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (required) throw new CertsError(`[Certs] Directory: ${path} is missing`);
    return undefined;
  }
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CertsError(`[Certs] Directory: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** What `component` serves with, or undefined when no `[Certs] Directory` is configured. */
export function serverTls(certs: CertsConfig, component: CertComponent): ServerTls | undefined {
  if (!certs.directory) return undefined;
  const dir = join(certs.directory, component);
  const ca = read(dir, 'ca.pem', false);
  return {
    key: read(dir, 'server.key', true)!,
    cert: read(dir, 'server.pem', true)!,
    ...(ca ? { ca } : {}),
    requestCert: Boolean(ca),
    rejectUnauthorized: Boolean(ca),
  };
}

/** What `component` presents when it calls another component, or undefined without `[Certs]`. */
export function clientTls(certs: CertsConfig, component: CertComponent): ClientTls | undefined {
  if (!certs.directory) return undefined;
  const dir = join(certs.directory, component);
  const cert = read(dir, 'client.pem', false);
  const key = read(dir, 'client.key', Boolean(cert));
  const ca = read(dir, 'ca.pem', false);
  return { ...(cert ? { cert, key } : {}), ...(ca ? { ca } : {}), rejectUnauthorized: certs.secure };
}
