/**
 * The yardstick of `npm run bench:hooks`: bare Fastify + ioredis, one GET per request, no
 * authentication and no validation. It takes the handle a provider's body names (Okta's user id,
 * Hydra's subject, Auth0's user or client id, Kratos' identity id or, at registration, its first
 * address) and answers the document stored under it, or 204.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const port = Number(process.env['PORT'] ?? 3100);
const prefix = process.env['REFERENCE_PREFIX'] ?? 'reference';
const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const app = Fastify();

interface HookBody {
  data?: { context?: { user?: { id?: string } } };
  session?: { id_token?: { subject?: string } };
  userId?: string;
  clientId?: string;
  identity?: { id?: string; verifiable_addresses?: Array<{ value?: string }> };
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

function handleOf(body: HookBody): string | undefined {
  const kratos = body.identity && (body.identity.id === NIL_UUID ? body.identity.verifiable_addresses?.[0]?.value : body.identity.id);
  return body.data?.context?.user?.id ?? body.session?.id_token?.subject ?? body.userId ?? body.clientId ?? kratos;
}

app.post('/hook', async (request, reply) => {
  const subject = handleOf(request.body as HookBody);
  const document = await redis.get(`${prefix}:${subject}`);
  if (document === null) return reply.code(204).send();
  return reply.header('content-type', 'application/json').send(document);
});

await app.listen({ port, host: '127.0.0.1' });
console.log(`reference server listening on ${port}`);
