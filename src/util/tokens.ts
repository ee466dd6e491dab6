import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * A check of presented tokens against `expected`. Both are compared as SHA-256 digests with
 * timingSafeEqual, so the time taken says nothing about the token, not even its length.
 */
export function tokenChecker(expected: string): (presented: string) => boolean {
  const want = digest(expected);
  return (presented) => timingSafeEqual(digest(presented), want);
}
