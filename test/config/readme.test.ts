import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatConfigKeysMarkdown } from '../../src/config/index.js';

describe('README', () => {
  it('documents every config key as the code knows them', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const line of formatConfigKeysMarkdown().trim().split('\n')) expect(readme).toContain(line);
  });
});
