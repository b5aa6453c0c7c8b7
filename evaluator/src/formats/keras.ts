import type { Findings } from "../report.ts";

/** Layers whose config carries Python bytecode or source that Keras turns back into code. */
const CODE_LAYERS = new Set(["Lambda", "TFOpLambda", "__lambda__"]);
/** Modules Keras itself resolves classes from; any other module is imported on load. */
const KERAS_MODULE = /^(keras|tf_keras|keras_hub|keras_nlp|keras_cv)(\.|$)/;
const MAX_DEPTH = 256;

/**
 * Checks a Keras `config.json` (inside a `.keras` archive): a Lambda layer (marshalled bytecode
 * or source) fails, and so does any object whose `module` is not Keras' own, since deserializing
 * it imports that module and looks the class up in it. Findings name the layer and its path.
 */
export function checkKerasConfig(
	text: string,
	name: string,
	findings: Findings,
): void {
	let config: unknown;
	try {
		config = JSON.parse(text);
	} catch (error) {
		findings.error(
			"keras.config-invalid",
			`config.json is not JSON: ${(error as Error).message}`,
			name,
		);
		return;
	}
	const visit = (value: unknown, path: string, depth: number): void => {
		if (depth > MAX_DEPTH) {
			findings.error("keras.config-invalid", "config nested too deep", name);
			return;
		}
		if (Array.isArray(value)) {
			for (const [i, item] of value.entries())
				visit(item, `${path}[${i}]`, depth + 1);
			return;
		}
		if (typeof value !== "object" || value === null) return;
		const object = value as Record<string, unknown>;
		const className = object.class_name;
		const layerName =
			typeof (object.config as { name?: unknown } | undefined)?.name ===
			"string"
				? ` "${(object.config as { name: string }).name}"`
				: "";
		if (typeof className === "string" && CODE_LAYERS.has(className))
			findings.error(
				"keras.lambda-layer",
				`${className} layer${layerName} at ${path || "the root"}: Keras rebuilds its Python code on load`,
				name,
			);
		if (
			object.function_type === "lambda" ||
			(typeof object.module === "string" &&
				typeof className === "string" &&
				!KERAS_MODULE.test(object.module) &&
				!(object.module === "builtins" && className === "function"))
		)
			findings.error(
				"keras.custom-object",
				`object ${String(object.module)}.${String(className)}${layerName} at ${path || "the root"} is imported from outside Keras on load`,
				name,
			);
		if (
			object.module === "builtins" &&
			className === "function" &&
			typeof object.config === "string"
		)
			findings.error(
				"keras.custom-object",
				`function "${object.config}" at ${path || "the root"} is looked up by name on load`,
				name,
			);
		for (const [key, child] of Object.entries(object))
			visit(child, path ? `${path}.${key}` : key, depth + 1);
	};
	visit(config, "", 0);
}
