import { Module } from '@nestjs/common';
import { EventsMessageController } from './events.message-controller.js';

@Module({ controllers: [EventsMessageController] })
export class IngestModule {}
