/**
 * Rewrites a module's export section to keep only what the host calls. graph-cli builds export
 * every class member and global; V8 wraps each export at instantiation, which dominates the cost
 * of the fresh instance graph-node semantics require per trigger. Behaviour is unchanged: exports
 * are only how the host reaches into the module.
 */

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i];
  }
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

const EXPORT_SECTION = 7;

export function stripExports(wasm: Uint8Array, keep: Set<string>): Uint8Array {
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  let i = 8;
  while (i < wasm.length) {
    const id = wasm[i];
    const [size, bodyStart] = readLeb(wasm, i + 1);
    const end = bodyStart + size;
    if (id !== EXPORT_SECTION) {
      parts.push(wasm.subarray(i, end));
      i = end;
      continue;
    }
    const [count, first] = readLeb(wasm, bodyStart);
    const kept: Uint8Array[] = [];
    let j = first;
    for (let n = 0; n < count; n++) {
      const start = j;
      const [nameLength, nameStart] = readLeb(wasm, j);
      const name = new TextDecoder().decode(wasm.subarray(nameStart, nameStart + nameLength));
      // kind byte, then the index
      const [, next] = readLeb(wasm, nameStart + nameLength + 1);
      if (keep.has(name)) kept.push(wasm.subarray(start, next));
      j = next;
    }
    const body = [...writeLeb(kept.length), ...kept.flatMap((k) => [...k])];
    parts.push(new Uint8Array([EXPORT_SECTION, ...writeLeb(body.length), ...body]));
    i = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
