/** How bad a finding is: any `error` makes the verdict `fail`, any `warn` makes it `warn`. */
export type Severity = "info" | "warn" | "error";

export type Verdict = "pass" | "warn" | "fail";

/** A file format as detected from the bytes, never from the file name. */
export type Format =
	| "safetensors"
	| "onnx"
	| "gguf"
	| "pytorch-zip"
	| "pytorch-legacy"
	| "pickle"
	| "joblib"
	| "numpy"
	| "keras"
	| "zip"
	| "unknown";

export type Finding = {
	severity: Severity;
	/** Stable identifier, e.g. `pickle.unsafe-import`; see the README for the list. */
	code: string;
	message: string;
	/** Path relative to the checked folder (or the file's base name); null for report-wide findings. */
	file: string | null;
};

export type FileReport = {
	path: string;
	format: Format | "card" | "eval-set" | "onnx-data" | "other";
	bytes: number;
	/** Hex sha256 of the file; absent only when `skipHash` was asked for. */
	sha256?: string;
};

/** Numbers measured by the checks; quality metrics appear only when an evaluation set ran. */
export type Metrics = {
	files: number;
	bytes: number;
	/** Wall time of the whole check. */
	durationMs: number;
	/** accuracy, top-k accuracy (0..1) or mean squared error of the evaluation set. */
	accuracy?: number;
	topK?: number;
	k?: number;
	mse?: number;
	samples?: number;
	latencyP50Ms?: number;
	latencyP95Ms?: number;
	/** Counts by kind, e.g. tensors in a safetensors header, imports in a pickle. */
	tensors?: number;
	parameters?: number;
	opset?: number;
};

/**
 * The report of one run of the checks. Its JSON is what an evaluator stores on IPFS and attests:
 * `suite`, `verdict` and `score` go on-chain, the CID of the JSON goes in the attestation's URI.
 */
export type Report = {
	/** Identifier and version of the check suite, so a changed suite never reuses an old verdict. */
	suite: string;
	format: Format | "mixed";
	verdict: Verdict;
	/** 0..1,000,000, parts per million of the suite's best score (the contract's unit). */
	score: number;
	findings: Finding[];
	metrics: Metrics;
	files: FileReport[];
};

export type Limits = {
	/** Largest safetensors JSON header or GGUF/ONNX metadata region read into memory. */
	maxHeaderBytes: number;
	/** Largest pickle (raw file or zip entry once inflated) scanned. */
	maxPickleBytes: number;
	/** Largest ONNX file parsed (the protobuf is read whole). */
	maxOnnxBytes: number;
	maxFiles: number;
	maxZipEntries: number;
	/** Inflated size over deflated size above which a large zip entry counts as a bomb. */
	maxCompressionRatio: number;
	/** Upper bound on the sum of a zip's declared inflated sizes. */
	maxZipUncompressedBytes: number;
	/** Counts in GGUF headers (tensors, metadata entries, array lengths). */
	maxGgufCount: number;
	/** Inference on an evaluation set: wall time and resident memory of the child process. */
	evalTimeoutMs: number;
	evalMemoryBytes: number;
};

export type Expected = {
	/** Plaintext sha256 (hex) recorded with the version. */
	sha256?: string;
	/** CIDv1 of the plaintext in the marketplace's profile (Kubo's `ipfs add --cid-version=1`). */
	cid?: string;
	/** SPDX id of the listing's license. */
	license?: string;
	/** Pipeline type of the listing, e.g. `text-classification`. */
	task?: string;
};

export type CheckOptions = {
	/** Model card to check; by default `README.md` of the folder when there is one. */
	card?: string;
	expected?: Expected;
	limits?: Partial<Limits>;
	/** Skip running the evaluation set even if one is present. */
	skipQuality?: boolean;
	/**
	 * Do not hash the files (`files[].sha256` is left out): the checks alone, e.g. to compare
	 * scanning speed. Ignored when `expected.sha256` or `expected.cid` asks for a comparison.
	 */
	skipHash?: boolean;
};
