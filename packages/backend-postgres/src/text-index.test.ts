/** The trigram text copy is filled after commits, and a sweep catches up what was left pending. */
import { SandboxService } from "@cairn/core";
import { describe, expect, it } from "vitest";
import { createPostgresBackend } from "./postgres-backend.js";
import { useTestDatabase } from "./test-database.js";
import { indexPendingText } from "./text-index.js";

const scope = { tenantId: "t" };
const enc = (s: string) => new TextEncoder().encode(s);
const database = useTestDatabase();

const states = async () =>
  Object.fromEntries(
    (
      await database().sql<Array<{ text_state: string; n: number }>>`
      SELECT text_state, count(*)::int AS n FROM blobs GROUP BY text_state`
    ).map((r) => [r.text_state, r.n]),
  );

describe("text indexing", () => {
  it("indexes text blobs after the commit and marks binary ones as not text", async () => {
    const backend = createPostgresBackend({ sql: database().sql });
    const service = new SandboxService({ backend });
    await service.create(scope, {
      files: [
        { path: "/a.txt", bytes: enc("needle in a haystack") },
        { path: "/b.bin", bytes: Uint8Array.from([0, 1, 2, 255]) },
      ],
    });
    await backend.idle();
    expect(await states()).toEqual({ i: 1, n: 1 });
    const rows = await database().sql`SELECT hash FROM blob_text WHERE body % 'needle haystack'`;
    expect(rows).toHaveLength(1);
  });

  it("indexPendingText indexes blobs a crash left pending", async () => {
    await database().sql`INSERT INTO blobs (tenant_id, hash, size, content, text_state)
                 VALUES ('t', 'pending-1', 5, ${Buffer.from("hello")}, 'p'),
                        ('t', 'pending-2', 2, ${Buffer.from([0, 9])}, 'p')`;
    expect(await indexPendingText(database().sql)).toBe(2);
    const [row] = await database().sql`SELECT text_state FROM blobs WHERE hash = 'pending-1'`;
    expect(row?.text_state).toBe("i");
    const [bin] = await database().sql`SELECT text_state FROM blobs WHERE hash = 'pending-2'`;
    expect(bin?.text_state).toBe("n");
    expect(await indexPendingText(database().sql)).toBe(0);
  });
});
