import { describe, expect, it } from "vitest";
import { BigDecimal, BigDecimalError } from "../src/runtime/bigdecimal.ts";

const d = (s: string) => BigDecimal.parse(s);

describe("BigDecimal (graph-node's normalised bigdecimal 0.1.2)", () => {
	it("normalises as graph-node's test_normalize expects", () => {
		// graph/src/data/store/scalar/bigdecimal.rs, `test_normalize`: BigDecimal::new(digits, exp)
		expect(BigDecimal.fromDigitsAndExponent(10n, -2n).toString()).toBe("0.1");
		expect(BigDecimal.fromDigitsAndExponent(132400n, 4n).toString()).toBe(
			"1324000000",
		);
		expect(BigDecimal.fromDigitsAndExponent(1_900_000n, -3n).toString()).toBe(
			"1900",
		);
		expect(BigDecimal.fromDigitsAndExponent(0n, 3n).toString()).toBe("0");
		expect(BigDecimal.fromDigitsAndExponent(0n, -5n).toString()).toBe("0");
		expect(BigDecimal.fromDigitsAndExponent(-17n, -2n).toString()).toBe(
			"-0.17",
		);
	});

	it("parses and prints in plain notation, trailing zeros stripped", () => {
		for (const [input, out] of [
			["1.10", "1.1"],
			["0.00315937", "0.00315937"],
			["0.003159370000000000", "0.00315937"],
			["100000000.0001", "100000000.0001"],
			["-123.456", "-123.456"],
			["1e3", "1000"],
			["1.5E-3", "0.0015"],
			["+7", "7"],
			[".5", "0.5"],
			["5.", "5"],
			["-0.000", "0"],
			["1e40", "10000000000000000000000000000000000000000"],
		]) {
			expect(d(input).toString(), input).toBe(out);
		}
	});

	it("keeps 34 significant digits, rounding half up on the first dropped digit", () => {
		expect(d("1.2345678901234567890123456789012345").toString()).toBe(
			"1.234567890123456789012345678901235",
		);
		expect(d("1.2345678901234567890123456789012344").toString()).toBe(
			"1.234567890123456789012345678901234",
		);
		expect(d("99999999999999999999999999999999995").toString()).toBe(
			"100000000000000000000000000000000000",
		);
	});

	it("divides to 34 significant digits", () => {
		expect(d("1").dividedBy(d("3")).toString()).toBe(
			"0.3333333333333333333333333333333333",
		);
		expect(d("2").dividedBy(d("3")).toString()).toBe(
			"0.6666666666666666666666666666666667",
		);
		expect(d("10").dividedBy(d("4")).toString()).toBe("2.5");
		expect(d("1").dividedBy(d("1")).toString()).toBe("1");
		expect(d("7.5").dividedBy(d("2.5")).toString()).toBe("3");
	});

	it("keeps the pinned crate's quirk: negative values are truncated, not rounded, and may keep 35 digits", () => {
		// bigdecimal 0.1.2 under-counts digits of negative values and compares the signed remainder.
		expect(d("-2").dividedBy(d("3")).toString()).toBe(`-0.${"6".repeat(35)}`);
		expect(d("-1.2345678901234567890123456789012345").toString()).toBe(
			"-1.2345678901234567890123456789012345",
		);
	});

	it("adds, subtracts, multiplies and compares exactly", () => {
		expect(d("0.1").plus(d("0.2")).toString()).toBe("0.3");
		expect(d("1").minus(d("1.000001")).toString()).toBe("-0.000001");
		expect(d("1.5").times(d("-2")).toString()).toBe("-3");
		expect(d("1.50").equals(d("1.5"))).toBe(true);
		expect(d("2").compare(d("10"))).toBe(-1);
	});

	it("fails with graph-node's host error texts", () => {
		expect(() => d("abc")).toThrow(BigDecimalError);
		expect(() => d("abc")).toThrow("string  is not a BigDecimal: 'abc'");
		expect(() => d("")).toThrow(
			"string  is not a BigDecimal: '': Failed to parse empty string",
		);
		expect(() => d("1.5").dividedBy(d("0"))).toThrow(
			"attempted to divide BigDecimal `1.5` by zero",
		);
	});
});
