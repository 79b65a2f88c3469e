import { Module } from '@nestjs/common';
import { QueueDashboard } from './queue-dashboard.js';

/** Bull Board at `/admin/queues`, behind `INGEST_API_KEY`. */
@Module({ providers: [QueueDashboard] })
export class QueueDashboardModule {}
