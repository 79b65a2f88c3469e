import { Module, type DynamicModule } from '@nestjs/common';

/** Makes an app's validated settings object injectable everywhere, by its class. */
@Module({})
export class ConfigModule {
  static provide(config: object): DynamicModule {
    const token = config.constructor;
    return { module: ConfigModule, global: true, providers: [{ provide: token, useValue: config }], exports: [token] };
  }
}
