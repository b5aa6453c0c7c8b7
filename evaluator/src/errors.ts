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

/** The agent's account is not a member of the protocol's EVALUATOR role: it cannot attest. */
export class NotEvaluatorError extends EvaluatorError {
	readonly account: string;
	constructor(account: string) {
		super(
			"not-evaluator",
			`${account} does not have the evaluator role: ask the protocol's admin to grant it (AccessManager role EVALUATOR)`,
		);
		this.name = "NotEvaluatorError";
		this.account = account;
	}
}

/** No key to sign with: the agent needs a wallet account (a private key) to decrypt and attest. */
export class MissingKeyError extends EvaluatorError {
	constructor(message: string) {
		super("no-key", message);
		this.name = "MissingKeyError";
	}
}

/** The content store cannot be reached or is read-only: reports cannot be added. */
export class StoreUnavailableError extends EvaluatorError {
	constructor(message: string, options?: { cause?: unknown }) {
		super("store-unavailable", message, options);
		this.name = "StoreUnavailableError";
	}
}
