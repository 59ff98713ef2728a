/**
 * One labelled timezone for every time the dashboard shows and every time an operator types:
 * UTC by default, or the browser's local zone with its offset shown. A time typed into a filter
 * is read in the same zone the table shows, so the times on screen are the times that match.
 */

/** Which zone times are shown and read in. */
export type Zone = 'utc' | 'local';

const ZONE_KEY = 'mandate.timezone';

/** The operator's choice (kept in this browser). */
export function zone(): Zone {
  return localStorage.getItem(ZONE_KEY) === 'local' ? 'local' : 'utc';
}

/** Switches the zone; the caller re-renders. */
export function setZone(next: Zone): void {
  localStorage.setItem(ZONE_KEY, next);
}

/** `UTC`, or `UTC+01:00` for the local zone at `at` (offsets change with daylight saving). */
export function zoneLabel(at: number = Date.now()): string {
  if (zone() === 'utc') return 'UTC';
  const minutes = -new Date(at).getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `2026-12-01 17:30:12` in the chosen zone (the zone is labelled once, in the header and column titles). */
export function formatTime(at: number): string {
  return inputValue(at, { seconds: true }).replace('T', ' ');
}

/** The value of a `datetime-local` input showing `at` in the chosen zone (`2026-12-01T17:30`). */
export function inputValue(at: number, options: { seconds?: boolean } = {}): string {
  const d = new Date(at);
  const utc = zone() === 'utc';
  const pad = (n: number): string => String(n).padStart(2, '0');
  const date = `${utc ? d.getUTCFullYear() : d.getFullYear()}-${pad((utc ? d.getUTCMonth() : d.getMonth()) + 1)}-${pad(utc ? d.getUTCDate() : d.getDate())}`;
  const clock = `${pad(utc ? d.getUTCHours() : d.getHours())}:${pad(utc ? d.getUTCMinutes() : d.getMinutes())}`;
  return `${date}T${clock}${options.seconds ? `:${pad(utc ? d.getUTCSeconds() : d.getSeconds())}` : ''}`;
}

/** Reads a `datetime-local` value (`2026-12-01T17:30`, seconds optional) in the chosen zone; NaN when malformed. */
export function parseInput(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (m === null) return Number.NaN;
  const [y, mo, d, hh, mm, ss = '0', ms = '0'] = m.slice(1).map((p) => p ?? '0') as string[];
  const parts = [
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(hh),
    Number(mm),
    Number(ss),
    Number(ms.padEnd(3, '0')),
  ] as const;
  return zone() === 'utc' ? Date.UTC(...parts) : new Date(...parts).getTime();
}

/** `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago` (or `in …` for future times). */
export function relative(at: number, now: number = Date.now()): string {
  const diff = Math.round((now - at) / 1000);
  const abs = Math.abs(diff);
  const text =
    abs < 60
      ? `${abs} s`
      : abs < 3600
        ? `${Math.floor(abs / 60)} min`
        : abs < 86_400
          ? `${Math.floor(abs / 3600)} h`
          : `${Math.floor(abs / 86_400)} d`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}
