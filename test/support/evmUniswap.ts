/**
 * Deploys Uniswap V2 on the local node from the artifacts shipped in `@uniswap/v2-core` and
 * `@uniswap/v2-periphery` (WETH9, factory, Router02), a second 6-decimals token ("EURC"),
 * and a USDC/EURC pool with liquidity.
 */
import { Contract, NonceManager, parseUnits, type Signer } from 'ethers';
import { compileTestContracts, deployArtifact, deployTestUsdc, packagedArtifact } from './evmContracts.ts';

/** Addresses of a Uniswap V2 deployment with one pool. */
export interface UniswapDeployment {
  readonly weth: string;
  readonly factory: string;
  readonly router: string;
  /** The second token of the pool (TestUSDC bytecode, called EURC in tests). */
  readonly eurc: string;
}

/** The USDC and EURC seeded into the pool, as decimal strings. */
interface PoolLiquidity {
  usdc?: string;
  eurc?: string;
}

/**
 * Deploys everything from `deployer` and seeds the USDC/EURC pool with `liquidity`
 * (decimal strings; default 1,000,000 USDC / 900,000 EURC). `deployer` must be able to mint USDC (TestUSDC lets anyone mint).
 */
export async function deployUniswapV2(
  deployer: Signer,
  usdc: string,
  { usdc: usdcLiquidity = '1000000', eurc: eurcLiquidity = '900000' }: PoolLiquidity = {},
): Promise<UniswapDeployment> {
  const signer = deployer instanceof NonceManager ? deployer : new NonceManager(deployer);
  const me = await signer.getAddress();
  const weth = await deployArtifact(packagedArtifact('@uniswap/v2-periphery/build/WETH9.json'), signer);
  const factory = await deployArtifact(packagedArtifact('@uniswap/v2-core/build/UniswapV2Factory.json'), signer, [me]);
  const router = await deployArtifact(packagedArtifact('@uniswap/v2-periphery/build/UniswapV2Router02.json'), signer, [
    factory.target,
    weth.target,
  ]);
  const eurc = await deployTestUsdc(signer);
  const abi = compileTestContracts()['TestUSDC']!.abi;
  for (const [token, amount] of [
    [usdc, usdcLiquidity],
    [eurc, eurcLiquidity],
  ] as const) {
    const c = new Contract(token, abi, signer);
    await (await c.getFunction('mint')(me, parseUnits(amount, 6))).wait();
    await (await c.getFunction('approve')(router.target, parseUnits(amount, 6))).wait();
  }
  const r = new Contract(
    router.target,
    packagedArtifact('@uniswap/v2-periphery/build/UniswapV2Router02.json').abi,
    signer,
  );
  const deadline = Math.floor(Date.now() / 1000) + 3600;
  await (
    await r.getFunction('addLiquidity')(
      usdc,
      eurc,
      parseUnits(usdcLiquidity, 6),
      parseUnits(eurcLiquidity, 6),
      0n,
      0n,
      me,
      deadline,
    )
  ).wait();
  return { weth: weth.target, factory: factory.target, router: router.target, eurc };
}
