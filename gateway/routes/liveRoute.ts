/**
 * GET /api/live: the inspection stream over WebSocket.
 *
 * Each message is one `InspectionEvent` as JSON (transitions, approvals,
 * alerts). Browsers authenticate with the subprotocols
 * `['mandate.v1', 'bearer.<token>']`; other clients may send an
 * `Authorization` header instead.
 */
import type { FastifyInstance } from 'fastify';
import type { LiveHub } from '../LiveHub.ts';

/** The subprotocol the server speaks (chosen when the client offers it). */
export const LIVE_PROTOCOL = 'mandate.v1';

/** Registers the WebSocket route; needs @fastify/websocket registered first. */
export function liveRoute(app: FastifyInstance, hub: LiveHub): void {
  const schema = {
    summary: `The live inspection stream (WebSocket, subprotocol ${LIVE_PROTOCOL}): one JSON event per message`,
    tags: ['live'],
  };
  app.get('/api/live', { websocket: true, config: { permission: 'read' }, schema }, (socket) => {
    const remove = hub.add(socket);
    socket.on('pong', () => hub.pong(socket));
    socket.on('close', remove);
    socket.on('error', remove);
    // The stream is one-way; anything a client sends is ignored.
  });
}
