/**
 * Registry credentials: a namespace's registries are secrets of kind "registry", named by host,
 * with the value `user:token`. The action service pulls an image with the login for the image's
 * registry: the namespace's own, else `[flowAPI.Registry]` when it names that host.
 */
import { InvalidSecretError } from './store.js';

export interface RegistryLogin {
  /** the registry host, e.g. "docker.io" or "registry.example.com:5000" */
  registry: string;
  user: string;
  token: string;
}

/** Docker Hub answers to several names; one host, one stored name. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/**
 * The host a registry name stands for: lower case, a URL reduced to its host
 * ("https://Registry.example.com/v2/" → "registry.example.com"), Docker Hub's aliases → "docker.io".
 * A name that is not a host is returned as given, for the name check to refuse.
 */
export function registryHost(name: string): string {
  let host = name.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    try {
      host = new URL(host).host;
    } catch {
      return name;
    }
  }
  host = host.toLowerCase().replace(/\/+$/, '');
  return DOCKER_HUB.has(host) ? 'docker.io' : host;
}

/**
 * The registry of an image reference, as Docker reads one: the first path component is a
 * registry when it has a "." or a ":" or is "localhost"; otherwise the image is on Docker Hub.
 */
export function imageRegistry(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? registryHost(first) : 'docker.io';
}

/** Splits a stored `user:token` at its first colon. */
export function parseLogin(registry: string, value: string): RegistryLogin {
  const i = value.indexOf(':');
  if (i <= 0) throw new InvalidSecretError('registry credentials must be "user:token"');
  return { registry, user: value.slice(0, i), token: value.slice(i + 1) };
}
