import { Contract, Interface, formatUnits, type JsonRpcApiProvider } from 'ethers';

/** The ERC-20 functions the live example reads and calls. */
export const ERC20 = new Interface([
  'function balanceOf(address) view returns (uint256)',
  'function mint(address to, uint256 value)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function approve(address spender, uint256 value) returns (bool)',
]);

/** A token's balance of `owner` as a number of whole units (6 decimals), for the rules. */
export async function tokenBalance(provider: JsonRpcApiProvider, token: string, owner: string): Promise<number> {
  const raw = (await new Contract(token, ERC20, provider).getFunction('balanceOf')(owner)) as bigint;
  return Number(formatUnits(raw, 6));
}

/** Base units of a token held by `owner`. */
export async function tokenUnits(provider: JsonRpcApiProvider, token: string, owner: string): Promise<bigint> {
  return (await new Contract(token, ERC20, provider).getFunction('balanceOf')(owner)) as bigint;
}
