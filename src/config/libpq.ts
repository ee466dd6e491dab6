/**
 * PostgreSQL connection strings, as `[Database] DB` and `[secretsAPI] DB` take them: libpq's
 * keyword/value form (`host=127.0.0.1 port=5432 user=postgres password='it''s' sslmode=disable`)
 * or a `postgres://` / `postgresql://` URL. The result is a subset of `pg`'s ClientConfig.
 *
 * Messages never repeat a value (the string holds a password); they name keywords and positions.
 */

/** The `pg` ClientConfig fields a connection string sets (assignable to `pg.ClientConfig`). */
export interface PgConnection {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  /** libpq's default applies when unset: the user name. */
  readonly database?: string;
  /** sslmode disable/allow/prefer → false; require → encrypted, unverified; verify-ca/verify-full → true. */
  readonly ssl?: boolean | { readonly rejectUnauthorized: false };
  readonly connectionTimeoutMillis?: number;
  readonly application_name?: string;
  readonly options?: string;
}

/** The libpq keywords we understand; any other keyword is an error that names it. */
export const LIBPQ_KEYWORDS = [
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'connect_timeout',
  'application_name',
  'options',
] as const;

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** Parses either form; throws an Error whose message is safe to show (no values). */
export function parseConnectionString(text: string): PgConnection {
  const s = text.trim();
  if (s === '') throw new Error('empty connection string');
  const params = /^postgres(?:ql)?:\/\//i.test(s) ? parseUrl(s) : parseKeywordValue(s);
  return toConnection(params);
}

/** libpq keyword/value pairs: `key = value`, values bare or in single quotes, `\` escapes. */
export function parseKeywordValue(s: string): Map<string, string> {
  const params = new Map<string, string>();
  let i = 0;
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
  const skipSpace = () => {
    while (isSpace(s[i])) i++;
  };
  for (skipSpace(); i < s.length; skipSpace()) {
    const keyStart = i;
    while (i < s.length && s[i] !== '=' && !isSpace(s[i])) i++;
    const key = s.slice(keyStart, i);
    skipSpace();
    if (s[i] !== '=') {
      // The word is not repeated: it may be the tail of a password with a space in it.
      throw new Error(`expected "keyword=value" at position ${keyStart + 1}`);
    }
    i++;
    skipSpace();
    let value = '';
    if (s[i] === "'") {
      const open = i++;
      for (;;) {
        if (i >= s.length) throw new Error(`unterminated quoted value of "${key}" (position ${open + 1})`);
        const c = s[i++]!;
        if (c === "'") break;
        if (c === '\\' && i < s.length) value += s[i++]!;
        else value += c;
      }
    } else {
      while (i < s.length && !isSpace(s[i])) {
        const c = s[i++]!;
        if (c === '\\' && i < s.length) value += s[i++]!;
        else value += c;
      }
    }
    setParam(params, key, value);
  }
  return params;
}

function parseUrl(s: string): Map<string, string> {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new Error('not a valid postgres:// URL (several hosts are not supported)');
  }
  const params = new Map<string, string>();
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new Error(`bad percent-encoding in the URL's ${what}`);
    }
  };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host) setParam(params, 'host', decode(host, 'host'));
  if (url.port) setParam(params, 'port', url.port);
  if (url.username) setParam(params, 'user', decode(url.username, 'user'));
  if (url.password) setParam(params, 'password', decode(url.password, 'password'));
  const db = url.pathname.replace(/^\//, '');
  if (db) setParam(params, 'dbname', decode(db, 'database name'));
  if (url.hash) throw new Error('a postgres:// URL has no #fragment');
  for (const [key, value] of url.searchParams) {
    params.delete(key); // query parameters override the URL's parts, as in libpq
    setParam(params, key, value);
  }
  return params;
}

function setParam(params: Map<string, string>, key: string, value: string): void {
  if (!(LIBPQ_KEYWORDS as readonly string[]).includes(key)) {
    throw new Error(`unsupported libpq keyword "${key}" (supported: ${LIBPQ_KEYWORDS.join(', ')})`);
  }
  if (params.has(key)) throw new Error(`libpq keyword "${key}" given twice`);
  params.set(key, value);
}

function toConnection(params: Map<string, string>): PgConnection {
  const conn: {
    -readonly [K in keyof PgConnection]: PgConnection[K];
  } = {};
  const host = params.get('host') || params.get('hostaddr');
  if (host !== undefined) {
    if (host.includes(',')) throw new Error('several hosts are not supported');
    conn.host = host;
  }
  const port = params.get('port');
  if (port !== undefined && port !== '') {
    const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= 65535)) throw new Error(`port "${port}" is not a port number (1-65535)`);
    conn.port = n;
  }
  const user = params.get('user');
  if (user) conn.user = user;
  const password = params.get('password');
  if (password !== undefined) conn.password = password;
  const dbname = params.get('dbname');
  if (dbname) conn.database = dbname;
  const sslmode = params.get('sslmode');
  if (sslmode !== undefined) {
    if (!SSL_MODES.includes(sslmode)) {
      throw new Error(`sslmode "${sslmode}" must be one of ${SSL_MODES.join(', ')}`);
    }
    conn.ssl =
      sslmode === 'require'
        ? { rejectUnauthorized: false }
        : sslmode === 'verify-ca' || sslmode === 'verify-full';
  }
  const timeout = params.get('connect_timeout');
  if (timeout !== undefined && timeout !== '') {
    if (!/^\d+$/.test(timeout)) throw new Error(`connect_timeout "${timeout}" must be whole seconds`);
    if (Number(timeout) > 0) conn.connectionTimeoutMillis = Number(timeout) * 1000;
  }
  const app = params.get('application_name');
  if (app) conn.application_name = app;
  const options = params.get('options');
  if (options) conn.options = options;
  return conn;
}
