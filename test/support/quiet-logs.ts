import { Logger } from '@nestjs/common';

// Apps started by tests log only what could explain a failure.
Logger.overrideLogger(['error', 'warn']);
