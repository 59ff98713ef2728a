/** The chain a live runtime pays on, as the runtime itself needs it (`openChain` returns one). */
export interface RuntimeChain {
  readonly chainId: number;
  /** For banners and the API: which chain this is. */
  readonly description: string;
  /** The agent's own address on this chain (HD-derived from the node seed). */
  walletOf(agentId: string): string;
}
