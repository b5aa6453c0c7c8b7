/** Base class of every error the evaluator throws; `code` is stable, the message is for people. */
export class EvaluatorError extends Error {
	readonly code: string;
	constructor(code: string, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = "EvaluatorError";
		this.code = code;
	}
}

/** The path to check cannot be read (missing, unreadable, not a file or folder). */
export class EvaluatorIoError extends EvaluatorError {
	constructor(message: string, options?: { cause?: unknown }) {
		super("io", message, options);
		this.name = "EvaluatorIoError";
	}
}

/**
 * A file is malformed in a way that stops its parser; checks turn it into an `error` finding
 * carrying `code`, so it never escapes `checkModel`.
 */
export class MalformedFileError extends EvaluatorError {
	constructor(code: string, message: string) {
		super(code, message);
		this.name = "MalformedFileError";
	}
}
