import { Catch, UnauthorizedException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** A provider's route refuses a caller with a bare 401, as the hook routes do: nothing tells it why. */
@Catch(UnauthorizedException)
export class BodilessUnauthorizedFilter implements ExceptionFilter {
  catch(_exception: UnauthorizedException, host: ArgumentsHost): void {
    void host.switchToHttp().getResponse<FastifyReply>().code(401).send();
  }
}
