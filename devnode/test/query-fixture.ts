/**
 * The data set of graph-node's own GraphQL query tests (store/test-store/tests/graphql/query.rs),
 * written through `transactBlock` into a real store, for the conformance suite, with its timeseries
 * (Plays) and aggregations (SongPlays, UserPlays).
 */
import {
	parseSchema,
	type SubgraphSchema,
	valueTypeOf,
} from "../src/schema/index.ts";
import { openStore, type QueryStore } from "../src/store/index.ts";
import type {
	BlockPtr,
	Entity,
	EntityStore,
	Value,
} from "../src/store/types.ts";

export type SongIdType = "String" | "Bytes";

export const SCHEMA = (songId: SongIdType) => `
type _Schema_
  @fulltext(
    name: "bandReviewSearch"
    language: en
    algorithm: proximityRank
    include: [{ entity: "BandReview", fields: [{ name: "body" }] }]
  )

type Musician @entity {
  id: ID!
  name: String!
  mainBand: Band
  bands: [Band!]!
  writtenSongs: [Song!]! @derivedFrom(field: "writtenBy")
  favoriteCount: Int8!
  birthDate: Timestamp!
}

type Band @entity {
  id: ID!
  name: String!
  members: [Musician!]! @derivedFrom(field: "bands")
  reviews: [BandReview!]! @derivedFrom(field: "band")
  originalSongs: [Song!]!
}

type Song @entity {
  id: ${songId}!
  sid: String!
  title: String!
  writtenBy: Musician!
  publisher: Publisher!
  band: Band @derivedFrom(field: "originalSongs")
  reviews: [SongReview!]! @derivedFrom(field: "song")
  media: [Media!]!
  release: Release! @derivedFrom(field: "songs")
  stats: [SongStat!]! @derivedFrom(field: "id")
}

type SongStat @entity {
  id: ${songId}!
  song: Song @derivedFrom(field: "id")
  played: Int!
}

type Publisher @entity {
  id: Bytes!
}

interface Review {
  id: ID!
  body: String!
  author: Author!
}

type SongReview implements Review @entity {
  id: ID!
  body: String!
  song: Song
  author: Author!
}

type BandReview implements Review @entity {
  id: ID!
  body: String!
  band: Band
  author: Author!
}

interface Media {
  id: ID!
  title: String!
  song: Song!
  author: User!
}

type Photo implements Media @entity {
  id: ID!
  title: String!
  song: Song! @derivedFrom(field: "media")
  author: User!
}

type Video implements Media @entity {
  id: ID!
  title: String!
  song: Song! @derivedFrom(field: "media")
  author: User!
}

interface Release {
  id: ID!
  title: String!
  songs: [Song!]!
}

type Single implements Release @entity {
  id: ID!
  title: String!
  songs: [Song!]!
}

type Album implements Release @entity {
  id: ID!
  title: String!
  songs: [Song!]!
}

interface Author {
  id: ID!
  name: String!
  reviews: [Review!]!
  bandReviews: [BandReview!]!
  songReviews: [SongReview!]!
}

type User implements Author @entity {
  id: ID!
  name: String!
  reviews: [Review!]! @derivedFrom(field: "author")
  bandReviews: [BandReview!]! @derivedFrom(field: "author")
  songReviews: [SongReview!]! @derivedFrom(field: "author")
  latestSongReview: SongReview!
  latestBandReview: BandReview!
  latestReview: Review!
  medias: [Media!]! @derivedFrom(field: "author")
}

type AnonymousUser implements Author @entity {
  id: ID!
  name: String!
  reviews: [Review!]! @derivedFrom(field: "author")
  bandReviews: [BandReview!]! @derivedFrom(field: "author")
  songReviews: [SongReview!]! @derivedFrom(field: "author")
}

type Plays @entity(timeseries: true) {
  id: Int8!
  timestamp: Timestamp!
  song: Song!
  user: User!
}

type SongPlays @aggregation(intervals: ["hour"], source: "Plays") {
  id: Int8!
  timestamp: Timestamp!
  song: Song!
  played: Int! @aggregate(fn: "count")
}

type UserPlays @aggregation(intervals: ["hour"], source: "Plays") {
  id: Int8!
  timestamp: Timestamp!
  user: User!
  played: Int! @aggregate(fn: "count")
}
`;

/** graph-node's song and media ids per id type (SONGS_STRING, SONGS_BYTES, MEDIA_STRING). */
export const songIds = (t: SongIdType) =>
	t === "String"
		? ["s0", "s1", "s2", "s3", "s4"]
		: ["0xf0", "0xf1", "0xf2", "0xf3", "0xf4"];
const MEDIA = ["md0", "md1", "md2", "md3", "md4", "md5", "md6"];
export const BIRTH = "1710837304040956";

type Plain = string | number | boolean | bigint | Plain[];

/** A plain object → an entity, each value typed by the schema field it goes to. */
export function toEntity(
	schema: SubgraphSchema,
	type: string,
	fields: Record<string, Plain>,
): Entity {
	const e: Entity = new Map();
	const t = schema.entities.get(type);
	if (!t) throw new Error(`no type ${type}`);
	for (const [name, raw] of Object.entries(fields)) {
		const f = t.fieldsByName.get(name);
		if (!f) throw new Error(`no field ${type}.${name}`);
		const vt = valueTypeOf(schema, f);
		const one = (x: Plain): Value => {
			switch (vt) {
				case "Bytes":
					return {
						kind: "Bytes",
						value: new Uint8Array(Buffer.from(String(x).slice(2), "hex")),
					};
				case "BigInt":
					return { kind: "BigInt", value: BigInt(x as string) };
				case "BigDecimal":
					return { kind: "BigDecimal", value: String(x) };
				case "Int8":
					return { kind: "Int8", value: BigInt(x as string) };
				case "Timestamp":
					return { kind: "Timestamp", value: BigInt(x as string) };
				case "Int":
					return { kind: "Int", value: Number(x) };
				case "Boolean":
					return { kind: "Bool", value: Boolean(x) };
				default:
					return { kind: "String", value: String(x) };
			}
		};
		e.set(
			name,
			Array.isArray(raw) ? { kind: "Array", value: raw.map(one) } : one(raw),
		);
	}
	return e;
}

export const ptr = (number: number): BlockPtr => ({
	number,
	hash: `0x${(number + 1).toString(16).padStart(64, "0")}`,
	// graph-node's BlockTime::for_test: blocks 45 minutes apart, so block 2 triggers an hourly rollup
	timestamp: number * 45 * 60,
});

export type TestStore = EntityStore & QueryStore;

/** Opens a store and writes graph-node's test entities: block 0, then more musicians at block 1, then an empty block 2. */
export async function musicStore(
	songId: SongIdType,
	databaseUrl?: string,
): Promise<{ store: TestStore; schema: SubgraphSchema }> {
	const schema = parseSchema(SCHEMA(songId));
	const dbSchema = databaseUrl
		? `devnode_test_${songId.toLowerCase()}_${process.pid}`
		: undefined;
	const store = await openStore({ schema, databaseUrl, dbSchema });
	const s = songIds(songId);
	const md = MEDIA;
	const pub1 = "0xb1";
	const set = (entityType: string, fields: Record<string, Plain>) => ({
		op: "set" as const,
		entityType,
		id: String(fields.id),
		data: toEntity(schema, entityType, fields),
	});
	await store.transactBlock(ptr(0), [
		set("Musician", {
			id: "m1",
			name: "John",
			mainBand: "b1",
			bands: ["b1", "b2"],
			favoriteCount: 10,
			birthDate: BIRTH,
		}),
		set("Musician", {
			id: "m2",
			name: "Lisa",
			mainBand: "b1",
			bands: ["b1"],
			favoriteCount: 100,
			birthDate: BIRTH,
		}),
		set("Publisher", { id: pub1 }),
		set("Band", {
			id: "b1",
			name: "The Musicians",
			originalSongs: [s[1], s[2]],
		}),
		set("Band", {
			id: "b2",
			name: "The Amateurs",
			originalSongs: [s[1], s[3], s[4]],
		}),
		set("Song", {
			id: s[1],
			sid: "s1",
			title: "Cheesy Tune",
			publisher: pub1,
			writtenBy: "m1",
			media: [md[1], md[2]],
		}),
		set("Song", {
			id: s[2],
			sid: "s2",
			title: "Rock Tune",
			publisher: pub1,
			writtenBy: "m2",
			media: [md[3], md[4]],
		}),
		set("Song", {
			id: s[3],
			sid: "s3",
			title: "Pop Tune",
			publisher: pub1,
			writtenBy: "m1",
			media: [md[5]],
		}),
		set("Song", {
			id: s[4],
			sid: "s4",
			title: "Folk Tune",
			publisher: pub1,
			writtenBy: "m3",
			media: [md[6]],
		}),
		set("User", {
			id: "u1",
			name: "User 1",
			latestSongReview: "r3",
			latestBandReview: "r1",
			latestReview: "r3",
		}),
		set("SongStat", { id: s[1], played: 10 }),
		set("SongStat", { id: s[2], played: 15 }),
		set("BandReview", {
			id: "r1",
			body: "Bad musicians",
			band: "b1",
			author: "u1",
		}),
		set("BandReview", {
			id: "r2",
			body: "Good amateurs",
			band: "b2",
			author: "u2",
		}),
		set("BandReview", {
			id: "r5",
			body: "Very Bad musicians",
			band: "b1",
			author: "u3",
		}),
		set("SongReview", { id: "r3", body: "Bad", song: s[2], author: "u1" }),
		set("SongReview", { id: "r4", body: "Good", song: s[3], author: "u2" }),
		set("SongReview", { id: "r6", body: "Very Bad", song: s[2], author: "u3" }),
		set("User", {
			id: "u1",
			name: "Baden",
			latestSongReview: "r3",
			latestBandReview: "r1",
			latestReview: "r1",
		}),
		set("User", {
			id: "u2",
			name: "Goodwill",
			latestSongReview: "r4",
			latestBandReview: "r2",
			latestReview: "r2",
		}),
		set("AnonymousUser", { id: "u3", name: "Anonymous 3" }),
		set("Photo", {
			id: md[1],
			title: "Cheesy Tune Single Cover",
			author: "u1",
		}),
		set("Photo", { id: md[3], title: "Rock Tune Single Cover", author: "u1" }),
		set("Photo", { id: md[5], title: "Pop Tune Single Cover", author: "u1" }),
		set("Video", { id: md[2], title: "Cheesy Tune Music Video", author: "u2" }),
		set("Video", { id: md[4], title: "Rock Tune Music Video", author: "u2" }),
		set("Video", { id: md[6], title: "Folk Tune Music Video", author: "u2" }),
		set("Album", { id: "rl1", title: "Pop and Folk", songs: [s[3], s[4]] }),
		set("Single", { id: "rl2", title: "Rock", songs: [s[2]] }),
		set("Single", { id: "rl3", title: "Cheesy", songs: [s[1]] }),
		set("Single", { id: "rl4", title: "Silence", songs: [] }),
		...[
			[1, s[1], "u1"],
			[2, s[1], "u2"],
			[3, s[2], "u1"],
			[4, s[1], "u1"],
			[5, s[1], "u1"],
		].map(([id, song, user]) =>
			set("Plays", { id: String(id), timestamp: "0", song, user }),
		),
	]);
	await store.transactBlock(ptr(1), [
		set("Musician", {
			id: "m3",
			name: "Tom",
			mainBand: "b2",
			bands: ["b1", "b2"],
			favoriteCount: 5,
			birthDate: BIRTH,
		}),
		set("Musician", {
			id: "m4",
			name: "Valerie",
			bands: [],
			favoriteCount: 20,
			birthDate: BIRTH,
		}),
		set("Musician", {
			id: "m5",
			name: "Paul",
			mainBand: "b2",
			bands: ["b2"],
			favoriteCount: 2,
			birthDate: BIRTH,
		}),
	]);
	await store.transactBlock(ptr(2), []);
	return { store, schema };
}

/** Engines to run every case on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export const ENGINES: { name: string; databaseUrl?: string }[] = [
	{ name: "PGlite" },
	...(process.env.DATABASE_URL
		? [{ name: "PostgreSQL", databaseUrl: process.env.DATABASE_URL }]
		: []),
];
