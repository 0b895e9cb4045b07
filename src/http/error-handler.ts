// The one place errors become HTTP responses: { error: { code, message, details }, requestId }.
// Validation problems list every field; anything unexpected is a 500 with no internals in it.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, isAppError } from '../errors.js';

const FASTIFY_CODES: Record<string, (e: FastifyError, limit: number) => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (_e, limit) => new AppError('PAYLOAD_TOO_LARGE', `the request body is larger than the ${limit}-byte limit`),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the request body as JSON with Content-Type: application/json'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new AppError('BAD_REQUEST', 'Content-Type is application/json but the body is empty; send a JSON object'),
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => new AppError('BAD_REQUEST', `the request body is not valid JSON: ${e.message}`),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new AppError('BAD_REQUEST', 'Content-Length does not match the body'),
  FST_ERR_CTP_INVALID_CONTENT_TYPE: () => new AppError('UNSUPPORTED_MEDIA_TYPE', 'the Content-Type header is malformed'),
  FST_ERR_BAD_URL: () => new AppError('BAD_REQUEST', 'the request URL is malformed'),
};

const WHERE: Record<string, string> = { body: 'request body', querystring: 'query string', params: 'path', headers: 'headers' };

export function toAppError(err: unknown, bodyLimit: number): AppError {
  if (isAppError(err)) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = WHERE[(err as { validationContext?: string }).validationContext ?? ''] ?? 'request';
    const issues = err.validation.map((v) => ({
      field: v.instancePath.replace(/^\//u, '').replace(/\//gu, '.') || '(root)',
      message: v.message ?? 'is invalid',
    }));
    const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    return new AppError('VALIDATION_FAILED', `${where} is invalid: ${summary}`, { in: where, issues });
  }
  if (isResponseSerializationError(err)) return new AppError('INTERNAL', 'the server produced a response that does not match its own schema');
  const fe = err as FastifyError;
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return mapped(fe, bodyLimit);
  if (err instanceof SyntaxError && fe.statusCode === 400) return new AppError('BAD_REQUEST', `the request body is not valid JSON: ${err.message}`);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new AppError('BAD_REQUEST', fe.message);
  return new AppError('INTERNAL', 'an internal error occurred; report the requestId to your operator', undefined, { cause: err });
}

export function errorHandler(bodyLimit: number) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const app = toAppError(err, bodyLimit);
    if (app.status >= 500) {
      // Log the cause for operators; the response never carries it.
      const cause = app.cause ?? err;
      request.log.error({ err: { message: (cause as Error)?.message, stack: (cause as Error)?.stack, code: app.code } }, 'request failed');
    }
    if (app.code === 'UNAUTHENTICATED') void reply.header('www-authenticate', 'Bearer realm="evident"');
    return reply.status(app.status).send({ error: { code: app.code, message: app.message, details: app.details ?? null }, requestId: request.id });
  };
}
