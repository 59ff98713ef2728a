import type { AnyActorRef } from 'xstate';

/**
 * Stops an actor that has a parent. XState lets only a parent *machine* stop
 * its children (`stopChild`); our supervisors own their children through the
 * runtime host instead, so they stop them the way `stopChild` does: through
 * the actor's internal `_stop`. No done event is sent, so the supervisor does
 * not see a stopped child as an exit.
 */
export function stopActor(actor: AnyActorRef | undefined): void {
  if (actor === undefined || (actor.getSnapshot() as { status: string }).status !== 'active') return;
  (actor as unknown as { _stop(): void })._stop();
}
