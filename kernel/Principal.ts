/** Who did something: an agent (by did), a human operator (by token name), or the system. */
export interface Principal {
  kind: 'agent' | 'human' | 'system';
  id: string;
}
