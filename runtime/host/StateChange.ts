/**
 * One state change of an agent or supervisor: the state it left, the state it entered and the
 * event that moved it. Built once per transition and handed on as is to every listener.
 */
export interface StateChange {
  from: string;
  to: string;
  event: string;
}
