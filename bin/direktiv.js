#!/usr/bin/env node
// The `direktiv` command: runs the compiled server (dist/, built by `npm install` through the
// `prepare` script), or the TypeScript sources through tsx when no build exists.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/direktiv.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/direktiv.ts', import.meta.url).href);
}
