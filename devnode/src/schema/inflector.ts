/**
 * The naming rules graph-node takes from the Rust `Inflector` crate (0.11): `to_plural`, `to_camel_case`
 * (query field names) and `to_snake_case` (table and column names). Ported rule for rule, because the
 * npm pluralizers disagree with it on many words and a query must use graph-node's field names.
 */

// Inflector's UNACCONTABLE_WORDS: returned unchanged by to_plural.
const UNCOUNTABLE = new Set(
	`accommodation adulthood advertising advice aggression aid air aircraft alcohol anger applause arithmetic assistance
athletics bacon baggage beef biology blood botany bread butter carbon cardboard cash chalk chaos chess crossroads
countryside dancing deer dignity dirt dust economics education electricity engineering enjoyment envy equipment ethics
evidence evolution fame fiction flour flu food fuel fun furniture gallows garbage garlic genetics gold golf gossip grammar
gratitude grief guilt gymnastics happiness hardware harm hate hatred health heat help homework honesty honey hospitality
housework humour hunger hydrogen ice importance inflation information innocence iron irony jam jewelry judo karate
knowledge lack laughter lava leather leisure lightning linguine linguini linguistics literature litter livestock logic
loneliness luck luggage macaroni machinery magic management mankind marble mathematics mayonnaise measles methane milk
money mud music mumps nature news nitrogen nonsense nurture nutrition obedience obesity oxygen pasta patience physics
poetry pollution poverty pride psychology publicity punctuation quartz racism relaxation reliability research respect
revenge rice rubbish rum safety scenery seafood seaside series shame sheep shopping sleep smoke smoking snow soap software
soil spaghetti species steam stuff stupidity sunshine symmetry tennis thirst thunder timber traffic transportation trust
underwear unemployment unity validity veal vegetation vegetarianism vengeance violence vitality warmth wealth weather
welfare wheat wildlife wisdom yoga zinc zoology`.split(/\s+/),
);

const SPECIAL: Record<string, string> = {
	ox: "oxen",
	man: "men",
	woman: "women",
	die: "dice",
	yes: "yeses",
	foot: "feet",
	eave: "eaves",
	goose: "geese",
	tooth: "teeth",
	quiz: "quizzes",
};

// Inflector's RULES in declaration order; to_plural tries them last to first.
const RULES: Array<[RegExp, string]> = [
	[/(\w*)s$/, "s"],
	[/(\w*([^aeiou]ese))$/, ""],
	[/(\w*(ax|test))is$/, "es"],
	[/(\w*(alias|[^aou]us|tlas|gas|ris))$/, "es"],
	[/(\w*(e[mn]u))s?$/, "s"],
	[/(\w*([^l]ias|[aeiou]las|[emjzr]as|[iu]am))$/, ""],
	[
		/(\w*(alumn|syllab|octop|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat))(?:us|i)$/,
		"i",
	],
	[/(\w*(alumn|alg|vertebr))(?:a|ae)$/, "ae"],
	[/(\w*(seraph|cherub))(?:im)?$/, "im"],
	[/(\w*(her|at|gr))o$/, "oes"],
	[
		/(\w*(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor))(?:a|um)$/,
		"a",
	],
	[
		/(\w*(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat))(?:a|on)$/,
		"a",
	],
	[/(\w*)sis$/, "ses"],
	[/(\w*(kni|wi|li))fe$/, "ves"],
	[/(\w*(ar|l|ea|eo|oa|hoo))f$/, "ves"],
	[/(\w*([^aeiouy]|qu))y$/, "ies"],
	[/(\w*([^ch][ieo][ln]))ey$/, "ies"],
	[/(\w*(x|ch|ss|sh|zz)es)$/, ""],
	[/(\w*(x|ch|ss|sh|zz))$/, "es"],
	[/(\w*(matr|cod|mur|sil|vert|ind|append))(?:ix|ex)$/, "ices"],
	[/(\w*(m|l)(?:ice|ouse))$/, "ice"],
	[/(\w*(pe)(?:rson|ople))$/, "ople"],
	[/(\w*(child))(?:ren)?$/, "ren"],
	[/(\w*eaux)$/, ""],
];

export function toPlural(word: string): string {
	if (UNCOUNTABLE.has(word)) return word;
	if (SPECIAL[word]) return SPECIAL[word];
	for (let i = RULES.length - 1; i >= 0; i--) {
		const m = RULES[i][0].exec(word);
		if (m?.[1] !== undefined) return m[1] + RULES[i][1];
	}
	return `${word}s`;
}

const isAlnum = (c: string) => /[\p{L}\p{N}]/u.test(c);
const isLower = (c: string) => c !== c.toUpperCase() && c === c.toLowerCase();
const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
const trimRight = (s: string) => s.replace(/[^\p{L}\p{N}]+$/u, "");

export function toCamelCase(input: string): string {
	let newWord = false;
	let lastChar = " ";
	let foundReal = false;
	let out = "";
	for (const c of trimRight(input)) {
		if (!isAlnum(c) && foundReal) newWord = true;
		else if (!foundReal && !isAlnum(c)) continue;
		else if (/\p{N}/u.test(c)) {
			foundReal = true;
			newWord = true;
			out += c;
		} else if (newWord || (isLower(lastChar) && isUpper(c))) {
			foundReal = true;
			newWord = false;
			out += c.toUpperCase(); // Inflector does not update last_char here
		} else {
			foundReal = true;
			lastChar = c;
			out += c.toLowerCase();
		}
	}
	return out;
}

export function toSnakeCase(input: string): string {
	const chars = [...input];
	const trimmed = [...trimRight(input)];
	let first = true;
	let out = "";
	for (let i = 0; i < trimmed.length; i++) {
		const c = trimmed[i];
		if (!isAlnum(c)) {
			if (!first) {
				first = true;
				out += "_";
			}
			continue;
		}
		// Inflector counts digits as upper case here (c == c.to_ascii_uppercase()).
		const upperish = c === c.toUpperCase();
		const needsSep =
			!first &&
			upperish &&
			(isLower(chars[i + 1] ?? "A") || isLower(chars[i - 1] ?? "A"));
		first = false;
		out += needsSep ? `_${c.toLowerCase()}` : c.toLowerCase();
	}
	return out;
}

/** graph-node's `camel_cased_names`: the single and collection query field names of a type. */
export function queryFieldNames(typeName: string): {
	single: string;
	plural: string;
} {
	const single = toCamelCase(typeName);
	let plural = toCamelCase(toPlural(typeName));
	if (plural === single) plural += "_collection";
	return { single, plural };
}
