import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Environment } from '@app/config';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Authenticator } from '@app/access';
import { authenticateBeforeBody } from './http/auth-before-body';
import { consoleRoot, serveConsole } from './http/console';
import { inputGuard } from './http/input-guard';
import { requestIds } from './http/request-id';
import { completeDocument } from './http/openapi';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Metrics, requestMetrics } from './http/metrics';

export const API_PREFIX = 'api/v1';
export const BODY_LIMIT = '20mb';

export interface HttpOptions {
  /** Origins a browser may call from; none by default (CORS closed). */
  corsOrigins?: string[];
  /** Addresses of the proxies to trust for the client address (X-Forwarded-For); none by default. */
  trustProxy?: string[];
  /** Request lines in JSON logs, or at debug level in text. */
  logFormat?: 'text' | 'json';
}

export function httpOptionsOf(env: Pick<Environment, 'CORS_ORIGINS' | 'TRUST_PROXY' | 'LOG_FORMAT'>): HttpOptions {
  return { corsOrigins: env.CORS_ORIGINS.split(',').filter(Boolean), trustProxy: env.TRUST_PROXY.split(',').map((a) => a.trim()).filter(Boolean), logFormat: env.LOG_FORMAT };
}

/** Prefix, security headers, CORS, body limits and API docs: the same for the server and for the tests. */
export function configureApp(app: INestApplication, options: HttpOptions = {}): void {
  const express = app as NestExpressApplication;
  express.set('trust proxy', options.trustProxy?.length ? options.trustProxy : false);
  express.use(requestIds(options.logFormat ?? 'text'));
  express.use(requestMetrics(app.get(Metrics)));
  // Swagger UI runs an inline script: its page gets every header but the content security policy.
  const strict = helmet();
  const docs = helmet({ contentSecurityPolicy: false });
  express.use((req: Request, res: Response, next: NextFunction) => (req.path.startsWith('/api/docs') ? docs : strict)(req, res, next));
  if (options.corsOrigins?.length) app.enableCors({ origin: options.corsOrigins, allowedHeaders: ['Authorization', 'Content-Type'], maxAge: 600 });
  express.use(authenticateBeforeBody(app.get(Authenticator), `/${API_PREFIX}/`));
  express.useBodyParser('json', { limit: BODY_LIMIT });
  express.useBodyParser('text', { type: ['text/csv', 'text/plain'], limit: BODY_LIMIT });
  express.useBodyParser('raw', { type: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'], limit: BODY_LIMIT });
  express.use(inputGuard);
  // The console (apps/web, built into dist/web) at `/`; the API stays under /api.
  const root = consoleRoot();
  if (root) serveConsole(express, root);
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  const document = apiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });
}

/** The OpenAPI document of the API, completed (records' schemas, problems, envelopes). */
export function apiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Hatang')
    .setDescription('Inventory of provincial ICT infrastructure against the yearly plans (hạ tầng CNTT trong cơ quan nhà nước)')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token (hat_…): `npm run cli -- token-create` makes the first' })
    .addSecurityRequirements('bearer')
    .build();
  return completeDocument(SwaggerModule.createDocument(app, config), app.get<DataSource>(getDataSourceToken()));
}
