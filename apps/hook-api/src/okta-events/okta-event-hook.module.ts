import { Module } from '@nestjs/common';
import { OktaEventHookController } from './okta-event-hook.controller.js';

/** `GET` and `POST /events/okta`: Okta event hooks, a producer of the log. */
@Module({ controllers: [OktaEventHookController] })
export class OktaEventHookModule {}
