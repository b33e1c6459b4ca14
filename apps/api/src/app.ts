import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';

export const API_PREFIX = 'api/v1';
export const BODY_LIMIT = '20mb';

/** Prefix, body limits and API docs: the same for the server and for the tests. */
export function configureApp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: BODY_LIMIT });
  express.useBodyParser('text', { type: ['text/csv', 'text/plain'], limit: BODY_LIMIT });
  express.useBodyParser('raw', { type: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'], limit: BODY_LIMIT });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  const config = new DocumentBuilder()
    .setTitle('Hatang')
    .setDescription('Inventory of provincial ICT infrastructure against the yearly plans (hạ tầng CNTT trong cơ quan nhà nước)')
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });
}
