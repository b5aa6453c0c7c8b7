/**
 * Rewrites a module's export section. graph-cli builds export every class member and global; V8
 * wraps each export at instantiation, so only the host's entry points are kept. The module's
 * mutable globals are exported instead (as `__devnode_global_<index>`) so that the state after
 * `_start` can be snapshotted and restored. Behaviour inside the module is unchanged: exports are
 * only how the host reaches into it.
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

const SECTION = { import: 2, global: 6, export: 7 } as const;
const EXPORT_KIND_GLOBAL = 3;
const utf8 = new TextEncoder();

/** Skips a constant expression (i32/i64/f32/f64.const, global.get, ref.null, ref.func) up to its `end`. */
function skipInitExpression(bytes: Uint8Array, at: number): number {
	let i = at;
	for (;;) {
		const op = bytes[i++];
		if (op === 0x0b) return i;
		if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2)
			i = readLeb(bytes, i)[1];
		else if (op === 0x43) i += 4;
		else if (op === 0x44) i += 8;
		else if (op === 0xd0) i += 1;
		else
			throw new Error(
				`unexpected opcode 0x${op.toString(16)} in a global initializer`,
			);
	}
}

/** Indexes of the module's own mutable globals (imported globals come first in the index space). */
function mutableGlobals(wasm: Uint8Array): number[] {
	let importedGlobals = 0;
	const out: number[] = [];
	let i = 8;
	while (i < wasm.length) {
		const id = wasm[i];
		const [size, body] = readLeb(wasm, i + 1);
		if (id === SECTION.import) {
			let [count, j] = readLeb(wasm, body);
			for (; count > 0; count--) {
				for (let s = 0; s < 2; s++) {
					const [length, start] = readLeb(wasm, j);
					j = start + length;
				}
				const kind = wasm[j++];
				if (kind === 0) j = readLeb(wasm, j)[1];
				else if (kind === 1 || kind === 2) {
					if (kind === 1) j++;
					const flags = wasm[j++];
					j = readLeb(wasm, j)[1];
					if (flags & 1) j = readLeb(wasm, j)[1];
				} else if (kind === 3) {
					importedGlobals++;
					j += 2;
				}
			}
		} else if (id === SECTION.global) {
			let [count, j] = readLeb(wasm, body);
			for (let index = importedGlobals; count > 0; count--, index++) {
				const mutable = wasm[j + 1] === 1;
				j = skipInitExpression(wasm, j + 2);
				if (mutable) out.push(index);
			}
		}
		i = body + size;
	}
	return out;
}

export interface RewrittenModule {
	wasm: Uint8Array<ArrayBuffer>;
	/** Export names of the mutable globals, in index order. */
	globals: string[];
}

export function rewriteExports(
	wasm: Uint8Array,
	keep: Set<string>,
): RewrittenModule {
	const globals = mutableGlobals(wasm);
	const names = globals.map((g) => `__devnode_global_${g}`);
	const parts: Uint8Array[] = [wasm.subarray(0, 8)];
	let i = 8;
	while (i < wasm.length) {
		const id = wasm[i];
		const [size, body] = readLeb(wasm, i + 1);
		const end = body + size;
		if (id !== SECTION.export) {
			parts.push(wasm.subarray(i, end));
			i = end;
			continue;
		}
		const [count, first] = readLeb(wasm, body);
		const entries: number[][] = [];
		let j = first;
		for (let n = 0; n < count; n++) {
			const start = j;
			const [nameLength, nameStart] = readLeb(wasm, j);
			const name = new TextDecoder().decode(
				wasm.subarray(nameStart, nameStart + nameLength),
			);
			const [, next] = readLeb(wasm, nameStart + nameLength + 1);
			if (keep.has(name)) entries.push([...wasm.subarray(start, next)]);
			j = next;
		}
		globals.forEach((g, k) => {
			const name = utf8.encode(names[k]);
			entries.push([
				...writeLeb(name.length),
				...name,
				EXPORT_KIND_GLOBAL,
				...writeLeb(g),
			]);
		});
		const section = [...writeLeb(entries.length), ...entries.flat()];
		parts.push(
			new Uint8Array([SECTION.export, ...writeLeb(section.length), ...section]),
		);
		i = end;
	}
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return { wasm: out, globals: names };
}
