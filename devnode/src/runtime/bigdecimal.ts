/**
 * graph-node's BigDecimal: the `bigdecimal` 0.1.2 crate (pinned by graph-node) plus graph-node's
 * normalisation to 34 significant digits with trailing zeros stripped
 * (graph/src/data/store/scalar/bigdecimal.rs). The crate's quirks are kept on purpose: rounding
 * is half-up on the magnitude for positive values only, and division stops at 100 digits.
 */

const MAX_SIGNIFICANT_DIGITS = 34;
const DIVISION_PRECISION = 100;
const LOG2_10 = 3.3219280949;

export class BigDecimalError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "BigDecimalError";
	}
}

function bitLength(x: bigint): number {
	const magnitude = x < 0n ? -x : x;
	return magnitude === 0n ? 0 : magnitude.toString(2).length;
}

const powersOfTen: bigint[] = Array.from(
	{ length: 64 },
	(_, i) => 10n ** BigInt(i),
);
function tenToThe(power: number): bigint {
	return power < 64 ? powersOfTen[power] : 10n ** BigInt(power);
}

/** bigdecimal's count_decimal_digits: its estimate is never corrected upward for negative values. */
function countDecimalDigits(int: bigint): number {
	if (int === 0n) return 1;
	let digits = Math.floor(bitLength(int) / LOG2_10);
	let num = tenToThe(digits);
	while (int >= num) {
		num *= 10n;
		digits += 1;
	}
	return digits;
}

/** bigdecimal's get_rounding_term: 1 if the most significant digit is >= 5. */
function roundingTerm(num: bigint): bigint {
	if (num === 0n) return 0n;
	let n = tenToThe(Math.floor(bitLength(num) / LOG2_10));
	for (;;) {
		if (num < n) return 1n;
		n *= 5n;
		if (num < n) return 0n;
		n *= 2n;
	}
}

/** Rust integer division (truncates toward zero), as num-bigint's div_rem. */
function divRem(a: bigint, b: bigint): [bigint, bigint] {
	const q = a / b;
	return [q, a - q * b];
}

export class BigDecimal {
	/** value = int * 10^-scale */
	readonly int: bigint;
	readonly scale: number;

	private constructor(int: bigint, scale: number) {
		this.int = int;
		this.scale = scale;
	}

	/** Without normalisation: the crate's own value. */
	static raw(int: bigint, scale: number): BigDecimal {
		return new BigDecimal(int, scale);
	}

	/** graph-node's BigDecimal::new(digits, exp): value = digits * 10^exp, normalised. */
	static fromDigitsAndExponent(digits: bigint, exp: bigint): BigDecimal {
		return new BigDecimal(digits, Number(-exp)).normalized();
	}

	static fromBigInt(value: bigint): BigDecimal {
		return new BigDecimal(value, 0).normalized();
	}

	/** bigdecimal's from_str_radix(s, 10), then normalised. */
	static parse(text: string): BigDecimal {
		const fail = (reason: string) =>
			new BigDecimalError(`string  is not a BigDecimal: '${text}': ${reason}`);
		let base = text;
		let exponent = 0;
		const e = text.search(/[eE]/);
		if (e >= 0) {
			base = text.slice(0, e);
			let exp = text.slice(e + 1);
			if (exp.startsWith("+")) exp = exp.slice(1);
			if (!/^-?\d+$/.test(exp)) throw fail("invalid digit found in string");
			exponent = Number(exp);
		}
		if (base === "") throw fail("Failed to parse empty string");
		let digits = base;
		let offset = 0;
		const dot = base.indexOf(".");
		if (dot >= 0) {
			digits = base.slice(0, dot) + base.slice(dot + 1);
			offset = base.length - dot - 1;
		}
		// num-bigint accepts one leading sign and `_` separators between digits.
		const m = /^([+-]?)(\d[\d_]*)$/.exec(digits);
		if (!m)
			throw fail(
				digits === "" || digits === "+" || digits === "-"
					? "cannot parse integer from empty string"
					: "invalid digit found in string",
			);
		const int = BigInt(m[2].replaceAll("_", "")) * (m[1] === "-" ? -1n : 1n);
		return new BigDecimal(int, offset - exponent).normalized();
	}

	isZero(): boolean {
		return this.int === 0n;
	}

	/** bigdecimal's with_prec. */
	withPrecision(precision: number): BigDecimal {
		const digits = countDecimalDigits(this.int);
		if (digits > precision) {
			const diff = digits - precision;
			const p = tenToThe(diff);
			let [q, r] = divRem(this.int, p);
			// The crate compares signed values: a negative remainder never rounds.
			if (p < 10n * r) q += roundingTerm(r);
			return new BigDecimal(q, this.scale - diff);
		}
		if (digits < precision) {
			const diff = precision - digits;
			return new BigDecimal(this.int * tenToThe(diff), this.scale + diff);
		}
		return this;
	}

	/** graph-node's BigDecimal::normalized. */
	normalized(): BigDecimal {
		if (this.int === 0n) return ZERO;
		const rounded = this.withPrecision(MAX_SIGNIFICANT_DIGITS);
		let int = rounded.int;
		let scale = rounded.scale;
		while (int !== 0n && int % 10n === 0n) {
			int /= 10n;
			scale -= 1;
		}
		return new BigDecimal(int, scale);
	}

	private aligned(other: BigDecimal): [bigint, bigint, number] {
		if (this.scale === other.scale) return [this.int, other.int, this.scale];
		if (this.scale > other.scale)
			return [
				this.int,
				other.int * tenToThe(this.scale - other.scale),
				this.scale,
			];
		return [
			this.int * tenToThe(other.scale - this.scale),
			other.int,
			other.scale,
		];
	}

	plus(other: BigDecimal): BigDecimal {
		const [a, b, scale] = this.aligned(other);
		return new BigDecimal(a + b, scale).normalized();
	}

	minus(other: BigDecimal): BigDecimal {
		const [a, b, scale] = this.aligned(other);
		return new BigDecimal(a - b, scale).normalized();
	}

	times(other: BigDecimal): BigDecimal {
		return new BigDecimal(
			this.int * other.int,
			this.scale + other.scale,
		).normalized();
	}

	/** Throws graph-node's host error on a zero divisor. */
	dividedBy(other: BigDecimal): BigDecimal {
		if (other.isZero())
			throw new BigDecimalError(
				`attempted to divide BigDecimal \`${this}\` by zero`,
			);
		return crateDivide(this, other).normalized();
	}

	equals(other: BigDecimal): boolean {
		const [a, b] = this.aligned(other);
		return a === b;
	}

	compare(other: BigDecimal): number {
		const [a, b] = this.aligned(other);
		return a < b ? -1 : a > b ? 1 : 0;
	}

	/** bigdecimal's Display: plain notation, never an exponent. */
	toString(): string {
		const negative = this.int < 0n;
		let abs = (negative ? -this.int : this.int).toString();
		let before: string;
		let after: string;
		if (this.scale >= abs.length) {
			before = "0";
			after = "0".repeat(this.scale - abs.length) + abs;
		} else {
			const location = abs.length - this.scale;
			if (location > abs.length) {
				abs += "0".repeat(location - abs.length);
				before = abs;
				after = "";
			} else {
				before = abs.slice(0, location);
				after = abs.slice(location);
			}
		}
		const body = after === "" ? before : `${before}.${after}`;
		return negative ? `-${body}` : body;
	}
}

const ZERO = BigDecimal.raw(0n, 0);
const ONE = BigDecimal.raw(1n, 0);

/** `impl Div for BigDecimal` of the crate (before graph-node normalises). */
function crateDivide(x: BigDecimal, y: BigDecimal): BigDecimal {
	if (x.isZero() || y.equals(ONE)) return x;
	const scale = x.scale - y.scale;
	if (x.int === y.int) return BigDecimal.raw(1n, scale);
	return implDivision(x.int, y.int, scale, DIVISION_PRECISION);
}

function implDivision(
	numerator: bigint,
	denominator: bigint,
	startScale: number,
	maxPrecision: number,
): BigDecimal {
	if (numerator === 0n) return BigDecimal.raw(0n, 0);
	if (numerator < 0n || denominator < 0n) {
		const negate = numerator < 0n !== denominator < 0n;
		const r = implDivision(
			numerator < 0n ? -numerator : numerator,
			denominator < 0n ? -denominator : denominator,
			startScale,
			maxPrecision,
		);
		return negate ? BigDecimal.raw(-r.int, r.scale) : r;
	}
	let num = numerator;
	let scale = startScale;
	while (num < denominator) {
		scale += 1;
		num *= 10n;
	}
	let [quotient, remainder] = divRem(num, denominator);
	if (remainder === 0n) return BigDecimal.raw(quotient, scale);
	let precision = countDecimalDigits(quotient);
	remainder *= 10n;
	while (remainder !== 0n && precision < maxPrecision) {
		const [q, r] = divRem(remainder, denominator);
		quotient = quotient * 10n + q;
		remainder = r * 10n;
		precision += 1;
		scale += 1;
	}
	if (remainder !== 0n) quotient += roundingTerm(remainder / denominator);
	return BigDecimal.raw(quotient, scale);
}
