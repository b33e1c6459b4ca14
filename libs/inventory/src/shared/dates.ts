import { isISO8601, ValidateBy, type ValidationOptions } from 'class-validator';

/** Days the inventory accepts (a commissioning date, a unit's validity, a filter). */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2199;
/** Instants (polls, windows, audit filters): the epoch on. */
export const FIRST_INSTANT_YEAR = 1970;

/** Whether `text` is a real calendar day written YYYY-MM-DD (not 2015-02-30) within the years served. */
export function isDay(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < FIRST_YEAR || y > LAST_YEAR || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/**
 * A day written the Vietnamese way (dd/mm/yyyy, also d/m/yyyy) or YYYY-MM-DD, as YYYY-MM-DD;
 * null when it is neither or not a real day.
 */
export function parseDay(text: string): string | null {
  const t = text.trim();
  if (isDay(t)) return t;
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  if (!m) return null;
  const day = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  return isDay(day) ? day : null;
}

/** Whether `text` is an ISO 8601 date-time (or day) that exists, from 1970 to 2199. */
export function isInstant(text: unknown): text is string {
  if (typeof text !== 'string' || !isISO8601(text, { strict: true, strictSeparator: true })) return false;
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/.test(text)) return false;
  const year = new Date(text).getUTCFullYear();
  return Number.isFinite(year) && year >= FIRST_INSTANT_YEAR && year <= LAST_YEAR;
}

/** A calendar day, YYYY-MM-DD, that exists (no 30 February), 1900–2199. */
export function IsDay(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isDay', validator: { validate: (v) => isDay(v), defaultMessage: () => `$property must be a real date YYYY-MM-DD between ${FIRST_YEAR} and ${LAST_YEAR}` } },
    options,
  );
}

/** An ISO 8601 instant (2026-01-01T00:00:00Z, or a day) that exists, 1970–2199. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: { validate: (v) => isInstant(v), defaultMessage: () => `$property must be a real ISO 8601 date-time (e.g. 2026-01-01T00:00:00Z) between ${FIRST_INSTANT_YEAR} and ${LAST_YEAR}` },
    },
    options,
  );
}
