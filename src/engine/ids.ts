import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random id of lowercase letters and digits (8 characters: 2.8e12 values). */
export function randomId(length = 8): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/** Instance ids are `<namespace>/<workflow>/<random>` (language reference §10). */
export const instanceId = (namespace: string, workflow: string) => `${namespace}/${workflow}/${randomId()}`;

export const actionId = () => randomId(16);
