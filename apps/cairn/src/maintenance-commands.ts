/** `cairn migrate` and `cairn gc`: maintenance against the same storage `cairn serve` uses. */
import { parseArgs } from "node:util";
import { collectGarbage, indexPendingText, migrate } from "@cairn/backend-postgres";
import { DEFAULT_COMMIT_RETENTION } from "@cairn/core";
import { chooseStorage, DEFAULT_DATA_DIR, openSql } from "./storage.js";

const STORAGE_HELP = `  --database-url <url>    PostgreSQL (env DATABASE_URL)
  --data-dir <dir>        Embedded PGlite data (env CAIRN_DATA_DIR, default ${DEFAULT_DATA_DIR})`;

function storageFrom(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      "grace-seconds": { type: "string" },
      "commit-max-age-days": { type: "string" },
      "commit-max-count": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const choice = chooseStorage({
    databaseUrl: values["database-url"] ?? process.env.DATABASE_URL,
    dataDir: values["data-dir"] ?? process.env.CAIRN_DATA_DIR,
  });
  if (choice.kind === "memory") throw new Error("unreachable: maintenance needs a database");
  return { values, choice };
}

export async function migrateCommand(args: string[]): Promise<number> {
  const { values, choice } = storageFrom(args);
  if (values.help) {
    console.log(
      `Usage: cairn migrate [options]\n\nApplies pending schema migrations and exits.\n\n${STORAGE_HELP}`,
    );
    return 0;
  }
  const db = await openSql(choice);
  try {
    const report = await migrate(db.sql);
    console.log(`cairn: ${db.description}`);
    console.log(
      report.applied.length > 0
        ? `cairn: applied ${report.applied.join(", ")}`
        : `cairn: schema is up to date (migration ${report.current})`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

export async function gcCommand(args: string[]): Promise<number> {
  const { values, choice } = storageFrom(args);
  if (values.help) {
    console.log(
      `Usage: cairn gc [options]\n\nDeletes stored file contents no file refers to any more, and indexes text a\ncrash left unindexed. Safe while servers keep writing.\n\n${STORAGE_HELP}\n  --grace-seconds <n>     Keep contents used within this many seconds (default 3600)\n  --commit-max-age-days <n>  Trim commit log entries older than this (default 30)\n  --commit-max-count <n>  Keep at most this many newest commits per sandbox (default 10000)\n\nIt also deletes expired sandboxes (as the expiry sweeper of 'cairn serve' does).`,
    );
    return 0;
  }
  const options = gcOptions(values);
  const db = await openSql(choice);
  try {
    await migrate(db.sql);
    const report = await collectGarbage(db.sql, options);
    console.log(
      `cairn: gc removed ${report.deletedBlobs} blobs (${report.deletedBytes} bytes), ${report.deletedIdempotencyKeys} expired idempotency keys, ${report.deletedCommits} commit log entries past retention and ${report.deletedSandboxes} expired sandboxes`,
    );
    const indexed = await indexPendingText(db.sql);
    if (indexed > 0) console.log(`cairn: indexed the text of ${indexed} blobs left pending`);
    return 0;
  } finally {
    await db.close();
  }
}

/** `cairn gc`'s flags as collectGarbage options; throws naming a flag that is not a whole number. */
export function gcOptions(values: {
  "grace-seconds"?: string;
  "commit-max-age-days"?: string;
  "commit-max-count"?: string;
}): Parameters<typeof collectGarbage>[1] {
  const whole = (flag: keyof typeof values, fallback: number, min = 0): number => {
    const text = values[flag];
    if (text === undefined) return fallback;
    if (!/^\d{1,9}$/.test(text) || Number(text) < min) {
      throw new Error(`invalid --${flag} '${text}'`);
    }
    return Number(text);
  };
  return {
    graceSeconds: whole("grace-seconds", 3600),
    commitRetention: {
      maxAgeMs:
        whole("commit-max-age-days", DEFAULT_COMMIT_RETENTION.maxAgeMs / 86_400_000, 1) *
        86_400_000,
      maxCommits: whole("commit-max-count", DEFAULT_COMMIT_RETENTION.maxCommits, 1),
    },
  };
}
