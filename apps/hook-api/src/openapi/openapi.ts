import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const INGEST_KEY_AUTH = 'ingest-key';
export const OKTA_AUTH = 'okta-credential';

/**
 * The OpenAPI description of the routes this service defines (ingest, admin, health, metrics), as
 * JSON at `/docs-json` and browsable at `/docs`. The provider hooks are left out: their bodies are the
 * providers' own wire formats, described in the README with each provider.
 */
export function serveOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('claims-enrichment hook-api')
    .setDescription('Producers append identity and patient events; operators rebuild the projection and watch the service. The provider hooks are described per provider in the README.')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'INGEST_API_KEY' }, INGEST_KEY_AUTH)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'OKTA_HOOK_AUTH_NAME (a header) and its value OKTA_HOOK_AUTH_VALUE' }, OKTA_AUTH)
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, config));
}
