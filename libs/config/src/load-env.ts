import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export type EnvSource = Record<string, string | undefined>;

/** A setting is missing or wrong: the process must not start. The message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment into a validated instance of `envClass` (class-validator decorators,
 * defaults as property initializers; every property needs a type annotation, which the number
 * conversion reads). Empty variables count as unset. Values are never echoed in
 * errors: some of them are secrets. Only the first failed check of a variable is reported, and
 * class-validator runs the decorator nearest the property first: put the type check there.
 */
export function loadEnv<T extends object>(envClass: new () => T, source: EnvSource): T {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const env = plainToInstance(envClass, present, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: true, forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(errors.flatMap(describe));
  return env;
}

function describe(error: ValidationError): string[] {
  return Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message.replace(`${error.property} `, '')}`);
}
