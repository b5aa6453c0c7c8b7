import { buildFixture } from "./helpers/fixtures.ts";

export default function setup(): void {
	buildFixture("tokens");
}
