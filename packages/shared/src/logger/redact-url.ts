/**
 * Text with the `user:password@` of every URL in it replaced by `***@`: safe
 * for a log line, an error message or a job result. Works on one URL, a
 * comma-separated list of them, or a sentence that quotes one.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\/\/[^/@\s,]*@/g, '//***@');
}
