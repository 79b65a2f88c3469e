import { dropNamespace, newNamespace, type TestNamespace } from '../../../../test/support/namespace.js';
import { runHookApi, stackEnv, type RunningHookApi } from '../../../../test/support/stack.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown; responses: Record<string, unknown>; tags?: string[] }>>;
  components: { securitySchemes: Record<string, unknown> };
}

describe('GET /docs', () => {
  let namespace: TestNamespace;
  let api: RunningHookApi;

  beforeAll(async () => {
    namespace = newNamespace();
    api = await runHookApi(stackEnv(namespace));
  });

  afterAll(async () => {
    await api.app.close();
    await dropNamespace(namespace);
  });

  it('describes the ingest, admin and operations routes with their credentials and answers, and no provider hook', async () => {
    const response = await fetch(`${api.url}/docs-json`);
    const document = (await response.json()) as OpenApiDocument;

    expect(response.status).toBe(200);
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths).sort()).toEqual(['/admin/rebuild', '/events', '/events/okta', '/healthz', '/metrics', '/readyz']);
    expect(document.paths['/events']!['post']).toMatchObject({
      tags: ['ingest'],
      security: [{ 'ingest-key': [] }],
      requestBody: { content: { 'application/json': { schema: { oneOf: [{ type: 'array', maxItems: 1000 }, { type: 'object', required: ['events'] }] } } } },
    });
    expect(Object.keys(document.paths['/events']!['post']!.responses).sort()).toEqual(['200', '201', '400', '401', '503']);
    expect(Object.keys(document.paths['/admin/rebuild']!).sort()).toEqual(['get', 'post']);
    expect(document.paths['/events/okta']!['post']).toMatchObject({ security: [{ 'okta-credential': [] }] });
    expect(document.components.securitySchemes).toMatchObject({ 'ingest-key': { type: 'http', scheme: 'bearer' }, 'okta-credential': { type: 'apiKey', in: 'header' } });
  });

  it('serves the browsable description', async () => {
    const response = await fetch(`${api.url}/docs`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('swagger-ui');
  });
});
