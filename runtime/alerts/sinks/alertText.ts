import type { AlertNotification } from './AlertSink.ts';

/** One line for chat sinks: `[CRITICAL] CODE: message (agent, node)` or `[RESOLVED] …`. */
export function alertText(n: AlertNotification): string {
  const a = n.alert;
  const head = n.kind === 'resolve' ? 'RESOLVED' : a.severity.toUpperCase();
  const where = [a.actorId, a.node].filter((x) => x !== undefined).join(' on ');
  const repeats = a.count > 1 ? `, ${a.count} times since ${new Date(a.firstAt).toISOString()}` : '';
  const why = n.kind === 'resolve' && a.resolvedBy !== undefined ? ` — ${a.resolvedBy}` : '';
  return `[${head}] ${a.code}: ${a.message} (${where}${repeats})${why}`;
}
