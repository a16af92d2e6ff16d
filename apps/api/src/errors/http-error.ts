import { FloodgateError, type ApiErrorCode } from '@floodgate/shared/errors';

/** An error the API answers with: a status and a stable code, serialized by the error handler. */
export class HttpError extends FloodgateError {
  readonly status: number;
  declare readonly code: ApiErrorCode;
  /** Extra response headers (`Retry-After`, `Allow`). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: ApiErrorCode,
    message: string,
    options: { details?: unknown; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(code, message, options);
    this.status = status;
    this.headers = options.headers ?? {};
  }
}
