import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, CONFIG_SECTIONS, formatConfigKeys, formatConfigKeysMarkdown } from '../../src/config/index.js';

describe('CONFIG_KEYS', () => {
  it('covers the seed sections and our [Engine]', () => {
    expect(CONFIG_SECTIONS).toEqual([
      'Database',
      'flowAPI',
      'flowAPI.Registry',
      'ingressAPI',
      'isolateAPI',
      'secretsAPI',
      'InstanceLogging',
      'Minio',
      'Kernel',
      'Certs',
      'Engine',
    ]);
    expect(Object.isFrozen(CONFIG_KEYS)).toBe(true);
  });

  it('marks credentials as secret', () => {
    const secret = CONFIG_KEYS.filter((k) => k.secret).map((k) => `[${k.section}] ${k.key}`);
    expect(secret).toEqual([
      '[Database] DB',
      '[flowAPI.Registry] Token',
      '[ingressAPI] Key',
      '[isolateAPI] Token',
      '[secretsAPI] DB',
      '[secretsAPI] Key',
      '[secretsAPI] PreviousKeys',
      '[secretsAPI] Token',
      '[Minio] Password',
      '[Minio] Encrypt',
    ]);
  });

  it('prints as text (for --help) and as Markdown (for the README)', () => {
    const text = formatConfigKeys();
    const md = formatConfigKeysMarkdown().split('\n');
    expect(md).toHaveLength(CONFIG_KEYS.length + 2);
    for (const k of CONFIG_KEYS) {
      expect(text).toContain(`[${k.section}] ${k.key}`);
      expect(text).toContain(k.env.join(', '));
      expect(md.some((row) => row.startsWith(`| \`[${k.section}] ${k.key}\``))).toBe(true);
    }
  });
});
