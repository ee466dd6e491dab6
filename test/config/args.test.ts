import { describe, expect, it } from 'vitest';
import { ConfigError, normalizeArgv, parseArgs } from '../../src/config/index.js';

const all = new Set(['w', 'i', 's']);

describe('parseArgs', () => {
  it('defaults: all components, no file, no debug', () => {
    expect(parseArgs([])).toEqual({ components: all, debug: false });
  });

  it.each([
    [['-t=w'], ['w']],
    [['-t', 'w'], ['w']],
    [['-tw'], ['w']],
    [['--type', 'is'], ['i', 's']],
    [['--type=si'], ['s', 'i']],
    [['-t=wis'], ['w', 'i', 's']],
    [['-t', 'ww'], ['w']],
  ])('%j → %j', (argv, components) => {
    expect(parseArgs(argv).components).toEqual(new Set(components));
  });

  it.each([
    [['-c=/my.conf']],
    [['-c', '/my.conf']],
    [['--config', '/my.conf']],
    [['--config=/my.conf']],
  ])('config file %j', (argv) => {
    expect(parseArgs(argv).configFile).toBe('/my.conf');
  });

  it('keeps "=" inside a -c value', () => {
    expect(parseArgs(['-c=/etc/a=b.toml']).configFile).toBe('/etc/a=b.toml');
  });

  it('the seed commands', () => {
    expect(parseArgs(['-t=w', '-c', '/my.conf'])).toEqual({
      components: new Set(['w']),
      configFile: '/my.conf',
      debug: false,
    });
    expect(parseArgs(['-d', '-t', 'wis', '-c=/x'])).toEqual({ components: all, configFile: '/x', debug: true });
    expect(parseArgs(['--debug']).debug).toBe(true);
  });

  it('rejects other component letters with the list of valid ones', () => {
    expect(() => parseArgs(['-t=wx'])).toThrow(ConfigError);
    expect(() => parseArgs(['-t=wx'])).toThrow(
      'command line: -t/--type "wx": unknown component "x"; use any of w = flow + ingress',
    );
    expect(() => parseArgs(['-t='])).toThrow('-t/--type is empty');
    expect(() => parseArgs(['-t', 'W'])).toThrow('unknown component "W"');
  });

  it('rejects unknown options, stray arguments and missing values', () => {
    expect(() => parseArgs(['-x'])).toThrow("command line: unknown option '-x'");
    expect(() => parseArgs(['extra'])).toThrow(ConfigError);
    expect(() => parseArgs(['-c'])).toThrow(/argument missing/);
    expect(() => parseArgs(['-c='])).toThrow('-c/--config needs a file name');
  });

  it('--help and -h return the text to print, with the settings table', () => {
    const help = parseArgs(['--help']).print!;
    expect(help).toContain('Usage: direktiv');
    expect(help).toContain('-t, --type');
    expect(help).toContain('[isolateAPI] Isolation');
    expect(help).toContain('DIREKTIV_ISOLATION');
    expect(parseArgs(['-h']).print).toBe(help);
  });

  it('--version prints the version', () => {
    expect(parseArgs(['--version'], { version: '9.9.9' }).print).toBe('9.9.9\n');
    expect(parseArgs(['--version']).print).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('normalizeArgv', () => {
  it('splits -t= and -c= only, and not after --', () => {
    expect(normalizeArgv(['-t=w', '-c=/a', '-d', '--type=w', '--', '-t=x'])).toEqual([
      '-t',
      'w',
      '-c',
      '/a',
      '-d',
      '--type=w',
      '--',
      '-t=x',
    ]);
  });
});
