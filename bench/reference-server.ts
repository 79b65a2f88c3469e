/**
 * The yardstick of `npm run bench:hooks`: bare Fastify + ioredis, one GET per request, no
 * authentication and no validation. It reads the subject id from an Okta-shaped body (the user id)
 * or a Hydra-shaped one (`session.id_token.subject`) and answers the stored document, or 204.
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
}

app.post('/hook', async (request, reply) => {
  const body = request.body as HookBody;
  const subject = body.data?.context?.user?.id ?? body.session?.id_token?.subject;
  const document = await redis.get(`${prefix}:${subject}`);
  if (document === null) return reply.code(204).send();
  return reply.header('content-type', 'application/json').send(document);
});

await app.listen({ port, host: '127.0.0.1' });
console.log(`reference server listening on ${port}`);
