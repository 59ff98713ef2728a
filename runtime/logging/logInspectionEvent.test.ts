import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../kernel/index.ts';
import { createLogger } from './createLogger.ts';
import { logInspectionEvent } from './logInspectionEvent.ts';

function capture() {
  const lines: string[] = [];
  const log = createLogger({ base: { node: 'node-1' }, destination: { write: (s: string) => void lines.push(s) } });
  return { log, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
}

describe('structured logs', () => {
  it('logs - a transition is one JSON line with time, level, msg, node, agent, event and decisionId', () => {
    const { log, records, lines } = capture();
    logInspectionEvent(log, {
      type: 'transition',
      seq: 7,
      actorId: 'payables',
      parentId: 'sandbox:payables',
      actorKind: 'agent',
      from: 'decide',
      to: 'propose',
      event: 'agent.decide.done',
      summary: { cycle: 2, decisionId: 'd-1', action: 'payment.send' },
      at: 0,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const [r] = records();
    expect(r).toMatchObject({
      level: 'info',
      msg: 'payables decide → propose',
      node: 'node-1',
      agent: 'payables',
      event: 'agent.decide.done',
      decisionId: 'd-1',
      action: 'payment.send',
      cycle: 2,
    });
    expect(new Date(r!.time as string).toISOString()).toBe(r!.time);
  });

  it('logs - failures and critical alerts are errors, warnings warn, supervisors are named as such', () => {
    const { log, records } = capture();
    logInspectionEvent(log, {
      type: 'alert',
      seq: 1,
      severity: 'critical',
      code: ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
      message: 'sandbox:payables escalates',
      actorId: 'sandbox:payables',
      at: 0,
    });
    logInspectionEvent(log, {
      type: 'alert',
      seq: 2,
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
      message: 'restarts',
      at: 0,
    });
    logInspectionEvent(log, {
      type: 'transition',
      seq: 3,
      actorId: 'sandbox:payables',
      parentId: 'reputation',
      actorKind: 'supervisor',
      from: 'running',
      to: 'escalated',
      event: 'supervisor.child.failed',
      summary: { restarts: 3 },
      at: 0,
    });
    const [critical, warning, escalated] = records();
    expect(critical).toMatchObject({
      level: 'error',
      event: 'alert',
      code: 'MANDATE_ERR_SUPERVISOR_ESCALATED',
      severity: 'critical',
      agent: 'sandbox:payables',
    });
    expect(warning).toMatchObject({ level: 'warn', code: 'MANDATE_ERR_ACTOR_CRASHED' });
    expect(warning).not.toHaveProperty('agent');
    expect(escalated).toMatchObject({ level: 'error', supervisor: 'sandbox:payables', to: 'escalated' });
  });
});
