/**
 * Globs over error codes (`catch[].error`, `retries.codes`) and CloudEvent attributes (event
 * `context`): `*` matches any run of characters and the whole text must match. Every other
 * character stands for itself.
 */

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 1_000;

export function matchesGlob(glob: string, text: string): boolean {
  let re = cache.get(glob);
  if (re === undefined) {
    const body = glob.split('*').map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`, 's');
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(glob, re);
  }
  return re.test(text);
}

/**
 * Whether an error code matches a `catch` or `retries` pattern. The original engine took these
 * patterns as regular expressions, and `.*` is how its users wrote "any error", so `.*` is kept as
 * a synonym of `*`.
 */
export function matchesCode(pattern: string, code: string): boolean {
  return pattern === '.*' ? true : matchesGlob(pattern, code);
}
