import { z } from 'zod';

/** Body of `control.killswitch` envelopes between nodes. */
export const KillSwitchControlSchema = z.strictObject({
  action: z.enum(['engage', 'release']),
  all: z.boolean().default(false),
  agents: z.array(z.string()).default([]),
  groups: z.array(z.string()).default([]),
  capabilities: z.array(z.string()).default([]),
  reason: z.string().min(1).max(1000),
  by: z.string().min(1).max(256),
});
/** A kill switch engage/release order between nodes. */
export type KillSwitchControl = z.infer<typeof KillSwitchControlSchema>;

/** Capability a node must hold for its kill-switch orders to be obeyed. */
export const CONTROL_CAPABILITY = 'mandate.control';
/** Capability every runtime node identity holds (its own descriptor: inspection events, refusals it signs). */
export const NODE_CAPABILITY = 'mandate.node';

/**
 * What the bus publishes and delivers on `mandate.inspect.<node>`: a JSON object tagged by `type`.
 * The transport checks the tag and the signature; what the rest means is the publisher's business
 * (the runtime publishes its inspection events).
 */
export const InspectionMessageSchema = z.looseObject({ type: z.string().min(1).max(128) });
/** An inspection message as a subscriber receives it. */
export type InspectionMessage = z.infer<typeof InspectionMessageSchema>;
