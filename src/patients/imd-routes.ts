import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf, isApi } from '../access/guard.ts';
import { AppError } from '../platform/errors.ts';
import type { AppDeps } from '../web/app.ts';
import { renderPage } from '../web/render.ts';
import { ErrorBody, errorResponses } from '../web/schemas.ts';
import { parseImdCsv, refusalMessage, type ImdParse } from './imd-rules.ts';
import { importImd, imdStatus, type ImdImport, type ImdStatus } from './imd-service.ts';

/** The whole published table (about 2.7 million postcodes) fits well within this; every other route keeps 1 MiB. */
export const IMD_BODY_LIMIT = 100 * 1024 * 1024;
const TOO_LARGE = 'The file must be smaller than 100 MB';
const FILENAME_MAX = 200;
const VIEW = 'patients/views/imd.njk';
const tags = ['administration'];
const action = 'config:manage' as const;

const ImportOut = z.object({ id: z.string(), filename: z.string(), rows: z.number().int(), importedAt: z.string() });
const StatusOut = z.object({
  postcodes: z.number().int().describe('Postcodes in the table now'),
  lastImport: ImportOut.extend({ importedBy: z.string(), importedByUsername: z.string() }).nullable().describe('The import the table now holds; null before the first'),
});
const ImportQuery = z.object({
  filename: z.string({ error: 'Enter the file name' }).trim().min(1, 'Enter the file name').max(FILENAME_MAX, `The file name must be ${FILENAME_MAX} characters or fewer`).describe('The name of the file, kept with the import so a looked-up decile can be traced to its edition'),
});

const presentImport = (i: ImdImport) => ({ id: i.id, filename: i.filename, rows: i.rows, importedAt: i.importedAt.toISOString() });
const presentStatus = (s: ImdStatus) => ({ postcodes: s.postcodes, lastImport: s.lastImport ? { ...presentImport(s.lastImport), importedBy: s.lastImport.importedBy, importedByUsername: s.lastImport.importedByUsername } : null });

/** A refused file as an API error: one field per bad line, so a script can show them all. */
function refusal(parse: Extract<ImdParse, { ok: false }>): AppError {
  const fields: Record<string, string> = {};
  for (const e of parse.errors) {
    const line = /^Line (\d+):/.exec(e)?.[1];
    fields[line ? `line-${line}` : 'file'] = e;
  }
  return new AppError('validation', refusalMessage(parse), fields);
}

interface Upload {
  _csrf?: string;
  file?: { name: string; text: string };
}

/**
 * Reads a browser's file upload in full while the body is parsed, so the guard's pre-validation CSRF check finds
 * `_csrf` in the body exactly as for the other forms (a hook-based multipart reader would run after that check).
 */
async function readUpload(contentType: string | undefined, body: Buffer): Promise<Upload> {
  let form: FormData;
  try {
    // A view on the same memory, not a copy: the upload may be 100 MB. Fastify's buffers are never shared ones.
    const bytes = new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
    form = await new Response(bytes, { headers: { 'content-type': contentType ?? '' } }).formData();
  } catch {
    throw new AppError('bad_request', 'The upload could not be read. Choose the file and upload it again.');
  }
  const csrf = form.get('_csrf');
  const file = form.get('file');
  return {
    ...(typeof csrf === 'string' ? { _csrf: csrf } : {}),
    ...(file instanceof File ? { file: { name: file.name, text: await file.text() } } : {}),
  };
}

/** Administrator API, page and upload for the postcode → IMD decile table the registry looks deciles up in. */
export async function imdRoutes(base: FastifyInstance, deps: AppDeps): Promise<void> {
  // Its own encapsulated context: the CSV and upload parsers, and the error handling for large files, reach only here.
  await base.register(async (scope) => routes(scope, deps));
}

async function routes(scope: FastifyInstance, { db }: AppDeps): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMD_BODY_LIMIT }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: IMD_BODY_LIMIT }, async (req: FastifyRequest, body: Buffer) => readUpload(req.headers['content-type'], body));

  const page = async (req: FastifyRequest, extra: object = {}) => {
    const status = presentStatus(await imdStatus(db, ctxOf(req)));
    const imported = (req.query as { imported?: unknown } | undefined)?.imported;
    const justImported = status.lastImport && imported === status.lastImport.id ? status.lastImport.rows : undefined;
    return {
      title: 'IMD deciles by postcode',
      status,
      postcodesText: status.postcodes.toLocaleString('en-GB'),
      importedText: justImported === undefined ? undefined : `Imported ${justImported.toLocaleString('en-GB')} ${justImported === 1 ? 'postcode' : 'postcodes'}`,
      ...extra,
    };
  };
  const pageWithError = async (req: FastifyRequest, reply: FastifyReply, status: number, message: string, lines: string[] = []) =>
    renderPage(req, reply.code(status), VIEW, await page(req, { errors: { file: message }, errorList: [message, ...lines].map((text) => ({ text, href: '#file' })) }));

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    if (err.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
    // The page says so beside the upload; anything else gets the usual error with the right limit in it.
    if (!isApi(req) && req.principal && req.headers.accept?.includes('text/html')) return pageWithError(req, reply, 413, TOO_LARGE);
    throw new AppError('payload_too_large', TOO_LARGE);
  });

  // ---- API ----
  app.get('/api/v1/admin/imd-deciles', { config: { action }, schema: { tags, summary: 'How many postcodes the IMD decile table holds, and which import they came from', response: { 200: StatusOut, ...errorResponses } } }, async (req) =>
    presentStatus(await imdStatus(db, ctxOf(req))),
  );
  app.post(
    '/api/v1/admin/imd-deciles',
    {
      config: { action },
      bodyLimit: IMD_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Replace the postcode → IMD decile table with a CSV file',
        description:
          'Send the CSV as the body (Content-Type: text/csv, up to 100 MB). The first line names the columns: one containing "postcode" (or "pcds") and one containing "decile". ' +
          'Every row is checked first; if any row has a problem nothing is imported and each bad line is listed in `fields`. Otherwise the whole table is replaced.',
        consumes: ['text/csv'],
        querystring: ImportQuery,
        body: z.string().describe('The CSV file'),
        response: { 201: ImportOut, ...errorResponses, 413: ErrorBody },
      },
    },
    async (req, reply) => {
      const parse = parseImdCsv(req.body);
      if (!parse.ok) throw refusal(parse);
      return reply.code(201).send(presentImport(await importImd(db, ctxOf(req), req.query.filename, parse.rows)));
    },
  );

  // ---- Pages ----
  app.get('/admin/imd', { config: { action }, schema: { hide: true } }, async (req, reply) => renderPage(req, reply, VIEW, await page(req)));
  app.post('/admin/imd', { config: { action }, bodyLimit: IMD_BODY_LIMIT, schema: { hide: true } }, async (req, reply) => {
    const file = (req.body as Upload | undefined)?.file;
    if (!file || (!file.name && !file.text)) return pageWithError(req, reply, 400, 'Select a CSV file');
    if (!file.text.trim()) return pageWithError(req, reply, 400, 'The selected file is empty');
    const parse = parseImdCsv(file.text);
    if (!parse.ok) return pageWithError(req, reply, 400, refusalMessage(parse), parse.errors[0]?.startsWith('Line ') ? parse.errors : []);
    // Browsers send only the file's own name, but some older ones send the whole path.
    const filename = file.name.split(/[\\/]/).pop()!.slice(0, FILENAME_MAX) || 'upload.csv';
    const imported = await importImd(db, ctxOf(req), filename, parse.rows);
    return reply.redirect(`/admin/imd?imported=${imported.id}`, 303);
  });
}
