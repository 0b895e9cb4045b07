// One error type for the whole product. Services throw AppError with a stable code; the HTTP
// error handler maps the code to a status and the CLI maps it to an exit code. Messages name what
// the caller sent and what to do; they never carry stack traces, SQL or secrets.

export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, exit: 1 },
  VALIDATION_FAILED: { status: 400, exit: 1 },
  UNAUTHENTICATED: { status: 401, exit: 4 },
  FORBIDDEN: { status: 403, exit: 4 },
  SOD_VIOLATION: { status: 403, exit: 3 },
  NOT_FOUND: { status: 404, exit: 5 },
  METHOD_NOT_ALLOWED: { status: 405, exit: 1 },
  CONFLICT: { status: 409, exit: 6 },
  PAYLOAD_TOO_LARGE: { status: 413, exit: 1 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, exit: 1 },
  RATE_LIMITED: { status: 429, exit: 7 },
  LEDGER_INTEGRITY: { status: 500, exit: 3 },
  CONFIG_INVALID: { status: 500, exit: 1 },
  INTERNAL: { status: 500, exit: 1 },
  LEDGER_UNAVAILABLE: { status: 503, exit: 7 },
  UNAVAILABLE: { status: 503, exit: 7 },
} as const satisfies Record<string, { status: number; exit: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export type ErrorDetails = Record<string, unknown> | readonly unknown[];

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Exit codes of the CLI, documented in docs/cli.md. */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  WARNING: 2,
  NEGATIVE: 3,
  AUTH: 4,
  NOT_FOUND: 5,
  CONFLICT: 6,
  UNAVAILABLE: 7,
} as const;

export function exitCodeFor(e: unknown): number {
  return isAppError(e) ? e.exitCode : EXIT.ERROR;
}

// Shorthands keep call sites readable.
export const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `${what} ${JSON.stringify(id)} was not found`);
export const conflict = (message: string, details?: ErrorDetails) => new AppError('CONFLICT', message, details);
export const badRequest = (message: string, details?: ErrorDetails) => new AppError('BAD_REQUEST', message, details);
