import type { ClientConfig } from 'pg';
import { describe, expect, it } from 'vitest';
import { parseConnectionString, type PgConnection } from '../../src/config/index.js';

describe('parseConnectionString: libpq keyword/value', () => {
  it('the seed string', () => {
    expect(parseConnectionString('host=127.0.0.1 port=5432 user=postgres password=example sslmode=disable')).toEqual({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      password: 'example',
      ssl: false,
    });
  });

  it('dbname and spaces around "="', () => {
    expect(parseConnectionString('  host = db  dbname=test user =u ')).toEqual({ host: 'db', database: 'test', user: 'u' });
  });

  it('single quotes and backslash escapes', () => {
    expect(parseConnectionString(String.raw`password='it\'s a \\ secret' user='' host=h`)).toEqual({
      password: "it's a \\ secret",
      host: 'h',
    });
    expect(parseConnectionString(String.raw`password=a\ b`).password).toBe('a b');
    expect(parseConnectionString("password=''").password).toBe('');
    expect(parseConnectionString("password='x=y z'").password).toBe('x=y z');
  });

  it('sslmode → ssl', () => {
    const ssl = (mode: string) => parseConnectionString(`sslmode=${mode}`).ssl;
    expect(ssl('disable')).toBe(false);
    expect(ssl('allow')).toBe(false);
    expect(ssl('prefer')).toBe(false);
    expect(ssl('require')).toEqual({ rejectUnauthorized: false });
    expect(ssl('verify-ca')).toBe(true);
    expect(ssl('verify-full')).toBe(true);
    expect(() => ssl('maybe')).toThrow('sslmode "maybe" must be one of disable, allow');
  });

  it('other keywords', () => {
    expect(
      parseConnectionString('hostaddr=10.0.0.1 connect_timeout=5 application_name=direktiv options=-csearch_path=x'),
    ).toEqual({ host: '10.0.0.1', connectionTimeoutMillis: 5000, application_name: 'direktiv', options: '-csearch_path=x' });
  });

  it('errors name the keyword, never the values', () => {
    expect(() => parseConnectionString('hots=x')).toThrow('unsupported libpq keyword "hots" (supported: host,');
    expect(() => parseConnectionString('host=a host=b')).toThrow('"host" given twice');
    expect(() => parseConnectionString("password='open")).toThrow('unterminated quoted value of "password"');
    expect(() => parseConnectionString('password=secret word')).toThrow('expected "keyword=value" at position 17');
    expect(() => parseConnectionString('password=secret word')).not.toThrow(/word"/);
    expect(() => parseConnectionString('port=x')).toThrow('port "x" is not a port number');
    expect(() => parseConnectionString('port=70000')).toThrow('not a port number');
    expect(() => parseConnectionString('host=a,b')).toThrow('several hosts');
    expect(() => parseConnectionString('   ')).toThrow('empty connection string');
  });
});

describe('parseConnectionString: URLs', () => {
  it('postgres:// and postgresql://', () => {
    expect(parseConnectionString('postgres://u:p%40ss@db.example:6543/direktiv?sslmode=verify-full')).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'u',
      password: 'p@ss',
      database: 'direktiv',
      ssl: true,
    });
    expect(parseConnectionString('postgresql://localhost/test')).toEqual({ host: 'localhost', database: 'test' });
    expect(parseConnectionString('POSTGRES://h')).toEqual({ host: 'h' });
  });

  it('IPv6, a socket directory and query parameters', () => {
    expect(parseConnectionString('postgres://[::1]:5433/x')).toEqual({ host: '::1', port: 5433, database: 'x' });
    expect(parseConnectionString('postgres:///db?host=/var/run/postgresql&user=me')).toEqual({
      host: '/var/run/postgresql',
      user: 'me',
      database: 'db',
    });
    expect(parseConnectionString('postgres://%2Ftmp/db').host).toBe('/tmp');
  });

  it('errors', () => {
    expect(() => parseConnectionString('postgres://h/db?foo=1')).toThrow('unsupported libpq keyword "foo"');
    expect(() => parseConnectionString('postgres://a:1,b:2/db')).toThrow(/not a valid postgres:\/\/ URL/);
    expect(() => parseConnectionString('postgres://h/db?sslmode=bad')).toThrow('sslmode "bad"');
  });

  it('is assignable to pg.ClientConfig', () => {
    const conn: PgConnection = parseConnectionString('postgres://u:p@h:1/d?sslmode=require');
    const client: ClientConfig = conn;
    expect(client.ssl).toEqual({ rejectUnauthorized: false });
  });
});
