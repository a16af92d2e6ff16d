/**
 * Seconds to wait from a `Retry-After` header: delay-seconds (what floodgate
 * sends) or an HTTP date (what a proxy in between may send). Undefined when
 * absent or unreadable: better no hint than a wrong one.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // Every HTTP date names its day or month; without the letter check, V8's lenient
  // Date.parse would read "-1" as the year -1.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1_000));
}
