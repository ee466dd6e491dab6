/**
 * A Podman API service for a test file: `podman system service` on a socket of its own with the
 * project's settings (src/actions/podman-service.ts). Podman and its companions are Debian
 * packages that .ci/run installs. With `insecureRegistries`, the service talks plain HTTP to
 * those hosts (test registries, test/helpers/registry.ts).
 */
export { CONTAINERS_CONF, startPodmanService as startPodman } from '../../src/actions/podman-service.js';
export type { PodmanOptions, PodmanService } from '../../src/actions/podman-service.js';
