#!/usr/bin/env node
// The `direktiv` command. In a checkout it runs the TypeScript sources through tsx; an
// installed package (no src/) runs the compiled dist/ from `npm run build`.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const source = new URL('../src/cli/direktiv.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/direktiv.js', import.meta.url).href);
}
