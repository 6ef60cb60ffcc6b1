/** Large commits write content through COPY, with the same rows as the array path. */
import { SandboxService, seededRandom } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { type BlobRow, binaryCopyChunks, COPY_MIN_BYTES, unstoredBlobs } from "./blob-writes.js";
import { createPostgresBackend } from "./postgres-backend.js";
import { SERVER_ONLY, useTestDatabase } from "./test-database.js";

const database = useTestDatabase();
const enc = (s: string) => new TextEncoder().encode(s);

/** Over COPY_MIN_BYTES of text, plus a binary file, a BOM, repeated content and a reused blob. */
function files(seed: number, reused: Uint8Array) {
  const random = seededRandom(seed);
  const list: Array<{ path: string; bytes: Uint8Array }> = Array.from({ length: 300 }, (_, i) => ({
    path: `/d${i % 7}/f${i}.txt`,
    bytes: enc(`file ${i} ${"lorem ipsum dolor ".repeat(200 + Math.floor(random() * 100))}\n`),
  }));
  list.push({ path: "/bin.dat", bytes: Uint8Array.from({ length: 5000 }, (_, i) => i % 256) });
  list.push({ path: "/bom.txt", bytes: enc("\ufeffstarts with a byte order mark\n") });
  list.push(
    { path: "/same-1.txt", bytes: enc("twice\n") },
    { path: "/same-2.txt", bytes: enc("twice\n") },
  );
  list.push({ path: "/reused.txt", bytes: reused });
  return list;
}

/** The tenant's blobs and their text, keyed by hash. */
async function stored(tenantId: string) {
  const rows = await database().sql<
    Array<{ hash: string; size: string; content: Buffer; text_state: string; body: string | null }>
  >`SELECT b.hash, b.size, b.content, b.text_state, t.body
    FROM blobs b LEFT JOIN blob_text t USING (tenant_id, hash)
    WHERE b.tenant_id = ${tenantId} ORDER BY b.hash`;
  return rows.map((r) => ({ ...r, content: r.content.toString("base64") }));
}

/**
 * The tenant's rows after a small commit and then a large one that reuses its blob, written
 * with COPY (`bulkCopy` true), arrays (false) or what the server allows (undefined).
 */
async function storeLargeCommit(tenantId: string, bulkCopy: boolean | undefined, seed: number) {
  const reused = enc(`stored before the large commit (${seed})\n`);
  const backend = createPostgresBackend({ sql: database().sql, bulkCopy });
  const service = new SandboxService({ backend });
  await service.create({ tenantId }, { files: [{ path: "/reused.txt", bytes: reused }] });
  const large = files(seed, reused);
  expect(large.reduce((n, f) => n + f.bytes.length, 0)).toBeGreaterThan(COPY_MIN_BYTES);
  await service.create({ tenantId }, { files: large });
  await backend.idle();
  return stored(tenantId);
}

describe("bulk blob writes", () => {
  it("encodes rows in Postgres's binary COPY format", () => {
    const rows: BlobRow[] = [{ hash: "ab", bytes: Uint8Array.from([7, 8]), state: "n" }];
    const data = Buffer.concat([...binaryCopyChunks(rows)]);
    expect(data.toString("hex")).toBe(
      [
        Buffer.from("PGCOPY\n\xff\r\n\0", "latin1").toString("hex"),
        "0000000000000000", // flags, header extension
        "0004", // fields
        "00000002",
        Buffer.from("ab").toString("hex"),
        "00000008",
        "0000000000000002", // size
        "00000001",
        "6e", // 'n'
        "00000002",
        "0708",
        "ffff", // trailer
      ].join(""),
    );
  });

  it("stores a large commit as the array path does, on the server at hand", async () => {
    const auto = await storeLargeCommit("t-auto", undefined, 1);
    const arrays = await storeLargeCommit("t-arrays", false, 1);
    expect(auto).toEqual(arrays);
    // Every blob indexed or marked binary; the text is the content, a BOM included.
    expect(arrays.filter((r) => r.text_state === "n")).toHaveLength(1);
    expect(arrays.every((r) => r.text_state !== "p")).toBe(true);
    for (const r of arrays) {
      if (r.text_state === "i")
        expect(Buffer.from(r.body!, "utf8").toString("base64")).toBe(r.content);
    }
  });

  it.skipIf(SERVER_ONLY !== undefined)(
    "stores the same rows through COPY as through arrays",
    async () => {
      expect(await storeLargeCommit("c-copy", true, 2)).toEqual(
        await storeLargeCommit("c-arrays", false, 2),
      );
    },
  );

  it.skipIf(SERVER_ONLY !== undefined)(
    "a large commit copies only the content the tenant lacks, and gc cannot take the rest meanwhile",
    async () => {
      const { sql } = database();
      const service = new SandboxService({ backend: createPostgresBackend({ sql }) });
      const kept = enc("stored before\n");
      await service.create(
        { tenantId: "t-dedup" },
        { files: [{ path: "/kept.txt", bytes: kept }] },
      );
      const [{ hash: keptHash }] = await sql<[{ hash: string }]>`
        SELECT hash FROM blobs WHERE tenant_id = 't-dedup'`;
      const rows: BlobRow[] = [
        { hash: keptHash, bytes: kept, state: "p" },
        { hash: "f".repeat(64), bytes: enc("new\n"), state: "p" },
      ];
      // Another tenant's copy of the same content is not this tenant's.
      expect(await sql.begin((tx) => unstoredBlobs(tx, "t-other", rows))).toEqual(rows);
      await sql.begin(async (tx) => {
        expect(await unstoredBlobs(tx, "t-dedup", rows)).toEqual([rows[1]]);
        // gc's candidate query, from another session, while this commit is open: skipped.
        const seen = await sql`
          SELECT hash FROM blobs WHERE tenant_id = 't-dedup' AND hash = ${keptHash}
          FOR UPDATE SKIP LOCKED`;
        expect(seen).toHaveLength(0);
      });
    },
  );

  it("leaves the trigram index's pending list empty once indexing is done", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    await service.create({ tenantId: "t-flush" }, { files: files(3, enc("x\n")) });
    await backend.idle();
    // gin_clean_pending_list answers how many pending pages it merged: none were left.
    const [row] = await database().sql<
      [{ merged: string }]
    >`SELECT cairn_flush_text_index() AS merged`;
    expect(Number(row.merged)).toBe(0);
  });
});
