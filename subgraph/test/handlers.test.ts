// Every event of every contract ABI has a handler in subgraph.yaml, and every handler matches an ABI event.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONTRACTS, readContractAbi } from "../scripts/prepare-abis.ts";

interface AbiParameter {
  type: string;
  indexed?: boolean;
  components?: AbiParameter[];
}
interface AbiItem {
  type: string;
  name?: string;
  inputs?: AbiParameter[];
}
interface DataSource {
  name: string;
  mapping: { eventHandlers: { event: string; handler: string }[] };
}

/** A parameter's type as graph-cli writes it: tuples expanded, `indexed` prefixed. */
function typeOf(parameter: AbiParameter): string {
  if (!parameter.type.startsWith("tuple")) return parameter.type;
  return `(${(parameter.components ?? []).map(typeOf).join(",")})${parameter.type.slice("tuple".length)}`;
}

/** The manifest's event signature of an ABI event, e.g. `Transfer(indexed address,indexed address,uint256)`. */
function manifestSignature(event: AbiItem): string {
  const inputs = (event.inputs ?? []).map((p) => `${p.indexed ? "indexed " : ""}${typeOf(p)}`);
  return `${event.name}(${inputs.join(",")})`;
}

const manifest = parse(readFileSync(join(import.meta.dirname, "..", "subgraph.yaml"), "utf8")) as { dataSources: DataSource[] };

describe("subgraph.yaml handles every contract event", () => {
  it("has one data source per contract", () => {
    expect(manifest.dataSources.map((d) => d.name).sort()).toEqual([...CONTRACTS].sort());
  });

  for (const contract of CONTRACTS) {
    it(`${contract}: every ABI event has a handler and every handler an ABI event`, () => {
      const abiEvents = (readContractAbi(contract) as AbiItem[]).filter((item) => item.type === "event").map(manifestSignature);
      const source = manifest.dataSources.find((d) => d.name === contract);
      const handled = (source?.mapping.eventHandlers ?? []).map((h) => h.event);
      expect({ unhandled: abiEvents.filter((e) => !handled.includes(e)), unknown: handled.filter((e) => !abiEvents.includes(e)) }).toEqual({
        unhandled: [],
        unknown: [],
      });
    });
  }
});
