// Stand-in for vorteil/request: performs the HTTP request it is given and returns
// {status, headers, body}. Input: {method, url, headers?, params?, body?, username?, password?}.
// Header names come back in Go's canonical form with a list of values each, as the original's
// http.Header did (`.return.headers["Etag"][0]`); a JSON body comes back parsed, any other as text.
//
// A build may add redirects.json beside this file, {"https://example.com": "http://192.0.2.2:8000/x"}:
// a URL starting with a key (followed by nothing, "/", "?" or "#") goes to the value instead, so
// tests on an offline machine can answer the examples' internet URLs from a local server.
import { existsSync, readFileSync } from 'node:fs';
import { serve, FunctionError } from './sdk/index.mjs';

const REDIRECTS_FILE = new URL('./redirects.json', import.meta.url);
const REDIRECTS = existsSync(REDIRECTS_FILE) ? Object.entries(JSON.parse(readFileSync(REDIRECTS_FILE, 'utf8'))) : [];

function redirected(url) {
  for (const [from, to] of REDIRECTS) {
    if (url.startsWith(from) && /^([/?#]|$)/.test(url.slice(from.length))) return to + url.slice(from.length);
  }
  return url;
}

/** "last-modified" → "Last-Modified", "etag" → "Etag" (Go's CanonicalMIMEHeaderKey). */
const canonical = (name) => name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());

const text = (v) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

serve(async (input, ctx) => {
  if (typeof input?.url !== 'string' || input.url === '') throw new FunctionError('com.unmarshal-input.error', 'no "url" given');
  const method = String(input.method ?? 'GET').toUpperCase();
  let url;
  try {
    url = new URL(redirected(input.url));
  } catch (err) {
    throw new FunctionError('com.url-parse.error', err.message);
  }
  for (const [k, v] of Object.entries(input.params ?? {})) url.searchParams.set(k, text(v));
  const headers = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k] = text(v);
  if (input.username && input.password) {
    headers.Authorization = `Basic ${Buffer.from(`${input.username}:${input.password}`).toString('base64')}`;
  }
  const body = input.body === undefined || input.body === null || method === 'GET' || method === 'HEAD' ? undefined : text(input.body);

  await ctx.log(`${method} ${input.url}${url.href !== input.url ? ` (sent to ${url.href})` : ''}`);
  let res;
  try {
    res = await fetch(url, { method, headers, body, redirect: 'follow', signal: ctx.signal });
  } catch (err) {
    throw new FunctionError('com.send-request.error', `${err.message}${err.cause?.message ? `: ${err.cause.message}` : ''}`);
  }
  const out = {};
  res.headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[canonical(name)] = [value];
  });
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) out['Set-Cookie'] = cookies;
  const raw = await res.text();
  let parsed = raw === '' ? null : raw;
  if (raw !== '') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      // not JSON: kept as text
    }
  }
  return { status: res.status, headers: out, body: parsed };
});
