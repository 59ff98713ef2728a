/**
 * Roles and what each may do. The server checks these on every route; the
 * dashboard reads them (GET /api/me) only to hide controls.
 */

/** The three roles a token can carry. */
export type Role = 'admin' | 'operator' | 'observer';

/** Every role name, for validation. */
export const ROLES = ['admin', 'operator', 'observer'] as const satisfies readonly Role[];

/** One thing a route does that a role may or may not do. */
export type Permission =
  | 'read'
  | 'agent.pause'
  | 'agent.resume'
  | 'agent.stop'
  | 'agent.rollback'
  | 'agent.tune'
  | 'approval.decide'
  | 'alert.ack'
  | 'killswitch.engage'
  | 'killswitch.release'
  | 'task.submit'
  | 'simulate.run'
  | 'audit.verify'
  | 'token.manage';

/**
 * What each role may do. Observers only read. Operators approve, reject,
 * pause, resume, submit tasks, may engage the kill switch (stopping money
 * in an emergency must never wait for an admin) and roll an agent back to a
 * stored version (taking back a bad deploy must not wait either) and freeze or revert a tuned rule
 * parameter (taking back a bad threshold neither) and re-verify the audit chain (it re-reads the whole log,
 * so it is not every reader's to run); stopping an agent for good,
 * releasing the kill switch resume risk, and tokens grant every other right, so they are the admin's.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: [
    'read',
    'agent.pause',
    'agent.resume',
    'agent.stop',
    'agent.rollback',
    'agent.tune',
    'approval.decide',
    'alert.ack',
    'killswitch.engage',
    'killswitch.release',
    'task.submit',
    'simulate.run',
    'audit.verify',
    'token.manage',
  ],
  operator: [
    'read',
    'agent.pause',
    'agent.resume',
    'agent.rollback',
    'agent.tune',
    'approval.decide',
    'alert.ack',
    'killswitch.engage',
    'task.submit',
    'simulate.run',
    'audit.verify',
  ],
  observer: ['read'],
};

/** Whether `role` may do `permission`. */
export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
