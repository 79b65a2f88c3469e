import { freePort } from '../../scripts/local-services/free-port.js';
import { portOpen, startService, type Service } from './processes.js';

/**
 * A Redis server of the test's own, for what cannot be done to the shared one: FLUSHALL, a restart
 * that loses everything. Started as the machine's Redis is, without persistence. Given the port it
 * had, it comes back there empty, and the apps' REDIS_URL still names it.
 */
export async function startPrivateRedis(onPort?: number): Promise<{ url: string; port: number; service: Service }> {
  const port = onPort ?? (await freePort());
  const service = await startService('redis', ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {}, () => portOpen(port));
  return { url: `redis://127.0.0.1:${port}`, port, service };
}
