/** A fresh Hardhat in-process chain with the tokens fixture deployed at its manifest addresses. */
import type {} from "@nomicfoundation/hardhat-viem";
import { network } from "hardhat";
import type { Abi } from "viem";
import { buildFixture } from "./fixtures.ts";

export async function tokensChain() {
	const { buildDir, contracts } = buildFixture("tokens");
	const connection = await network.connect();
	const { viem, provider } = connection;
	const [wallet, other] = await viem.getWalletClients();
	const publicClient = await viem.getPublicClient();
	const deploy = async (name: string) => {
		const hash = await wallet.deployContract({
			abi: contracts[name].abi,
			bytecode: contracts[name].bytecode,
		});
		return (await publicClient.waitForTransactionReceipt({ hash }))
			.contractAddress as `0x${string}`;
	};
	// Deployment order gives the addresses written in the fixture's subgraph.yaml.
	const token = await deploy("Token");
	const factory = await deploy("Factory");
	const send = async (
		address: `0x${string}`,
		abi: Abi,
		functionName: string,
		args: unknown[],
	) => {
		const hash = await wallet.writeContract({
			address,
			abi,
			functionName,
			args,
		} as never);
		const receipt = await publicClient.waitForTransactionReceipt({ hash });
		return Number(receipt.blockNumber);
	};
	return {
		buildDir,
		provider,
		wallet,
		other,
		publicClient,
		token,
		factory,
		/** Sends a Token transaction; resolves with its block number. */
		tokenTx: (functionName: string, ...args: unknown[]) =>
			send(token, contracts.Token.abi, functionName, args),
		factoryTx: (functionName: string, ...args: unknown[]) =>
			send(factory, contracts.Factory.abi, functionName, args),
		pairTx: (pair: `0x${string}`, functionName: string, ...args: unknown[]) =>
			send(pair, contracts.Pair.abi, functionName, args),
		/** Sends without waiting for a block: with automine off, several land in one block. */
		tokenTxNoWait: (functionName: string, ...args: unknown[]) =>
			wallet.writeContract({
				address: token,
				abi: contracts.Token.abi,
				functionName,
				args,
			} as never),
		blockNumber: async () => Number(await publicClient.getBlockNumber()),
		rpc: <T>(method: string, params: unknown[] = []) =>
			provider.request({ method, params }) as Promise<T>,
		close: () => connection.close(),
	};
}
