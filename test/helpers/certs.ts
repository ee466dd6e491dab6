/**
 * Certificates for mutual-TLS tests, made with the openssl command line (Debian's openssl, which
 * .ci/run installs): a CA, and per component of `[Certs] Directory` its server and client
 * certificates, laid out as src/util/certs.ts reads them.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A CA in a fresh directory (ca.pem, ca.key). */
export function makeCa(name = 'test-ca'): string {
  const dir = mkdtempSync(join(tmpdir(), 'direktiv-certs-'));
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name}`);
  return dir;
}

/** Signs `<out>/<base>.pem` + `<base>.key` with the CA in `caDir`, valid for 127.0.0.1 and localhost. */
export function issue(caDir: string, out: string, base: string, cn: string): void {
  mkdirSync(out, { recursive: true });
  const key = join(out, `${base}.key`);
  const csr = join(out, `${base}.csr`);
  const ext = join(out, `${base}.ext`);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(caDir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`);
  openssl(caDir, 'x509', '-req', '-in', csr, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', join(out, `${base}.pem`), '-days', '2', '-extfile', ext);
}

/**
 * A `[Certs] Directory` for `components`: each gets server and client certificates signed by
 * one CA, and its ca.pem. Returns the directory (its `ca` subfolder holds the CA's own files).
 */
export function makeCertsDirectory(components: string[]): string {
  const ca = makeCa();
  for (const c of components) {
    const dir = join(ca, 'certs', c);
    issue(ca, dir, 'server', `${c}-server`);
    issue(ca, dir, 'client', `${c}-client`);
    copyFileSync(join(ca, 'ca.pem'), join(dir, 'ca.pem'));
  }
  return join(ca, 'certs');
}

/** Removes what makeCertsDirectory made. */
export function removeCertsDirectory(certs: string): void {
  rmSync(dirname(certs), { recursive: true, force: true });
}
