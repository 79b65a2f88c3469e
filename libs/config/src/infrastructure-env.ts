import { IsIn, Matches, ValidateBy, type ValidationOptions } from 'class-validator';
import { LOG_LEVELS, type LogLevel } from './logging.module.js';

function IsConnectionUrl(protocols: string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isConnectionUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !URL.canParse(value)) return false;
          return protocols.includes(new URL(value).protocol);
        },
        defaultMessage: () => `must be a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`,
      },
    },
    options,
  );
}

/** What both apps need: where the event store and the projection live, and how much they log. */
export class InfrastructureEnv {
  @IsConnectionUrl(['postgres:', 'postgresql:'])
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** Lower-case identifier: it is used unquoted in `search_path` and in the relay's channel name. */
  @Matches(/^[a-z_][a-z0-9_]{0,47}$/, { message: 'must be a lower-case SQL identifier of at most 48 characters' })
  PG_SCHEMA: string = 'public';

  @IsConnectionUrl(['redis:', 'rediss:'])
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, ".", "_" or "-"' })
  REDIS_PREFIX: string = 'claims';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';
}
