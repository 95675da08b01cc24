/** `npm run k8s:check`: render and validate the Kubernetes manifests (see tests/support/k8s.ts). */
import { checkManifests } from './support/k8s';

const checks = await checkManifests((line) => console.log(line));
const failed = checks.filter((c) => !c.ok).length;
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed || !checks.length ? 1 : 0);
