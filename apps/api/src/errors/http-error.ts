import { API_ERROR_CODES, FloodgateError, type ApiErrorCode } from '@floodgate/shared/errors';

/**
 * An error the API answers with: a stable code, whose status comes from the
 * registry in `@floodgate/shared/errors` (so it cannot disagree with what
 * OpenAPI and the client are told). Serialized by the error handler.
 */
export class HttpError extends FloodgateError {
  readonly status: number;
  declare readonly code: ApiErrorCode;
  /** Extra response headers (`Retry-After`, `Allow`). */
  readonly headers: Record<string, string>;

  constructor(code: ApiErrorCode, message: string, options: { details?: unknown; cause?: unknown; headers?: Record<string, string> } = {}) {
    super(code, message, options);
    this.status = API_ERROR_CODES[code].status;
    this.headers = options.headers ?? {};
  }
}
