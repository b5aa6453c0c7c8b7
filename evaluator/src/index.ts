export {
	type AgentEvent,
	type EvaluatorAgent,
	type ProcessedRequest,
	type StartEvaluatorAgentParameters,
	startEvaluatorAgent,
} from "./agent/agent.ts";
export { REQUIRED_SECTIONS } from "./card.ts";
export { checkModel, DEFAULT_LIMITS } from "./check.ts";
export {
	EvaluatorError,
	EvaluatorIoError,
	MalformedFileError,
	MissingKeyError,
	NotEvaluatorError,
	StoreUnavailableError,
} from "./errors.ts";
export { PICKLE_ALLOWED_IMPORTS } from "./formats/allowlist.ts";
export { type PickleScan, scanPickle } from "./formats/pickle.ts";
export type { EvalManifest, Metric } from "./quality/manifest.ts";
export {
	CHECKS_VERSION,
	checksVersionOf,
	MAX_SCORE,
	SUITE,
} from "./report.ts";
export {
	maliciousPickleSample,
	type OnnxSampleOptions,
	onnxSample,
	type SampleFile,
	type SampleModel,
	type SampleOptions,
	safetensorsSample,
	sampleCard,
} from "./samples.ts";
export type {
	CheckOptions,
	Expected,
	FileReport,
	Finding,
	Format,
	Limits,
	Metrics,
	Report,
	Severity,
	Verdict,
} from "./types.ts";
