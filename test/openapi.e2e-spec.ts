import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const CLIENT = join(__dirname, 'openapi-client');
interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
}
const bin = (name: string) => join(__dirname, '..', 'node_modules', '.bin', name);

/** The API document: valid, complete, and good enough to generate the console's client from. */
describe('the OpenAPI document', () => {
  let t: TestApp;
  // The document as JSON: walked freely below.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: Record<string, any>;
  beforeAll(async () => {
    t = await startApp('pglite');
    doc = (await t.as().get('/api/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is valid OpenAPI, and every operation documents its answer and its problems', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    const gaps: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const ok = Object.entries(op.responses).filter(([code]) => code.startsWith('2'));
        if (!ok.some(([code, r]) => code === '204' || r.content)) gaps.push(`${method.toUpperCase()} ${path}: no answer documented`);
        if (!op.responses.default?.content?.['application/problem+json']) gaps.push(`${method.toUpperCase()} ${path}: no problem answer`);
      }
    }
    expect(gaps).toEqual([]);
    // Lists answer with the envelope; records have their fields.
    expect(doc.components.schemas.DevicePage.required).toEqual(['items', 'total', 'limit', 'offset', 'nextCursor']);
    expect(doc.components.schemas.Device.properties.commissionedOn).toEqual({ type: 'string', format: 'date', nullable: true });
    const listParams = doc.paths['/api/v1/devices'].get.parameters.map((p: { name: string }) => p.name);
    expect(listParams).toEqual(expect.arrayContaining(['limit', 'offset', 'cursor', 'sort', 'q', 'kind', 'agencyId']));
  });

  it('generates a typed client (openapi-typescript + openapi-fetch) that type-checks and works against the API', async () => {
    writeFileSync('/tmp/hatang-openapi.json', JSON.stringify(doc));
    execFileSync(bin('openapi-typescript'), ['/tmp/hatang-openapi.json', '--default-non-nullable', 'false', '-o', join(CLIENT, 'schema.d.ts')], { stdio: 'pipe' });
    // Type errors fail the test with the compiler's own words.
    try {
      execFileSync(bin('tsc'), ['-p', join(CLIENT, 'tsconfig.json')], { stdio: 'pipe', encoding: 'utf8' });
    } catch (err) {
      throw new Error(`the client does not type-check:\n${(err as { stdout?: string }).stdout ?? ''}`);
    }
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const server = t.app.getHttpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    // Loaded by path: the root type-check leaves the client alone (its schema exists only once generated).
    const { calls } = (await import(join(CLIENT, 'calls'))) as { calls: (baseUrl: string, token: string) => Promise<unknown> };
    expect(await calls(`http://127.0.0.1:${port}`, t.adminToken)).toEqual({
      role: 'admin',
      total: 1,
      next: null,
      firstKind: 'router',
      commissionedOn: '2014-05-01',
      patchedName: 'Router UBND',
      problemStatus: 400,
      problemField: 'commissionedOn',
      windows: 0,
      plans: 0,
    });
  }, 120_000);
});
