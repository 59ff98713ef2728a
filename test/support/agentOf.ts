import { MandateRuntimeImpl, type MandateRuntime, type RuntimeServices } from '../../runtime/index.ts';

/** The services behind a runtime created by `createRuntime` (white-box tests only). */
export function servicesOf(runtime: MandateRuntime): RuntimeServices {
  if (!(runtime instanceof MandateRuntimeImpl)) throw new Error('servicesOf needs a runtime made by createRuntime');
  return runtime.services();
}

/** The live host of agent `id` (its actor's context and state as they are now), for white-box tests. */
export function agentOf(runtime: MandateRuntime, id: string): ReturnType<RuntimeServices['tree']['require']> {
  return servicesOf(runtime).tree.require(id);
}

/** Spawns `def` and returns its live host (white-box tests only). */
export async function spawnHost(
  runtime: MandateRuntime,
  def: Parameters<MandateRuntime['spawn']>[0],
): Promise<ReturnType<typeof agentOf>> {
  await runtime.spawn(def);
  return agentOf(runtime, def.id);
}
