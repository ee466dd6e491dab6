/** The machine's PostgreSQL (127.0.0.1:5432, user postgres, trust auth), used by every test. */
export const PG_ADMIN = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};

export const templateName = (fingerprint: string) => `direktiv_tpl_${fingerprint}`;
