/**
 * The live inspection stream: a WebSocket to /api/live that reconnects with
 * backoff. The token travels as a subprotocol because browsers cannot set
 * headers on a WebSocket.
 */
import type { InspectionEvent } from './types.ts';

/** Handlers of the live stream. */
export interface LiveHandlers {
  event(event: InspectionEvent): void;
  state(state: 'connecting' | 'open' | 'closed'): void;
  /** Called after every (re)connect, so the caller reloads what it may have missed. */
  resync(): void;
}

/** Connects; returns a function that disconnects for good. */
export function connectLive(token: string, handlers: LiveHandlers): () => void {
  let socket: WebSocket | undefined;
  let stopped = false;
  let delay = 500;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = (): void => {
    handlers.state('connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
    socket = new WebSocket(url, ['mandate.v1', `bearer.${token}`]);
    socket.onopen = () => {
      delay = 500;
      handlers.state('open');
      handlers.resync();
    };
    socket.onmessage = (message) => {
      try {
        handlers.event(JSON.parse(String(message.data)) as InspectionEvent);
      } catch {
        // A malformed frame is dropped; the next resync repairs any gap.
      }
    };
    socket.onclose = () => {
      handlers.state('closed');
      if (stopped) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  open();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    socket?.close();
  };
}
