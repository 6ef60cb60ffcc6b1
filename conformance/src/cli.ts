#!/usr/bin/env node
/** `cairn-conformance`: runs the conformance suite against a server URL and reports TAP or JUnit. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { allCases } from "./cases/index.js";
import { summaryLine } from "./report.js";
import { formatJunit } from "./reporters/junit.js";
import { formatTap } from "./reporters/tap.js";
import { runConformance } from "./runner.js";
import { tenantForRun } from "./tenant-for-run.js";

const usage = `Usage: cairn-conformance --url URL [--api-key KEY] [--admin-key KEY] [options]

  --url URL           server base URL, e.g. http://127.0.0.1:7878
  --api-key KEY       API key (default: $CAIRN_API_KEY)
  --admin-key KEY     a key with the admin scope (default: $CAIRN_ADMIN_KEY): runs the tenant
                      and key cases (skipped without it); with no --api-key, the suite runs as
                      a tenant this key creates for the run (deleted afterwards)
  --reporter NAME     tap (default) or junit
  --output FILE       write the report to FILE instead of stdout
  --only PATTERN      run only matching cases (id, prefix like files/write-file, or glob); repeatable
  --timeout MS        per-case time limit (default 20000)
  --concurrency N     cases at once (default 1)
  --list              print the case ids and exit
  --help              show this help

Exits 1 when any case fails. The last line of stdout is "N passed, N failed[, N skipped]".`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      "api-key": { type: "string" },
      "admin-key": { type: "string" },
      reporter: { type: "string", default: "tap" },
      output: { type: "string" },
      only: { type: "string", multiple: true },
      timeout: { type: "string" },
      concurrency: { type: "string" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (values.list) {
    for (const c of allCases) process.stdout.write(`${c.id}\t${c.title}\n`);
    return 0;
  }
  const adminApiKey = values["admin-key"] ?? (process.env.CAIRN_ADMIN_KEY || undefined);
  const givenKey = values["api-key"] ?? (process.env.CAIRN_API_KEY || undefined);
  if (!values.url || (!givenKey && !adminApiKey)) {
    process.stderr.write(
      `error: --url and --api-key (or CAIRN_API_KEY, or --admin-key) are required\n\n${usage}\n`,
    );
    return 2;
  }
  const format =
    values.reporter === "junit" ? formatJunit : values.reporter === "tap" ? formatTap : undefined;
  if (!format) {
    process.stderr.write(`error: unknown reporter ${values.reporter} (tap or junit)\n`);
    return 2;
  }
  const tenant = givenKey ? undefined : await tenantForRun(values.url, adminApiKey as string);
  const apiKey = givenKey ?? (tenant?.apiKey as string);
  const report = await runConformance({
    baseUrl: values.url,
    apiKey,
    adminApiKey,
    only: values.only,
    timeoutMs: values.timeout ? Number(values.timeout) : undefined,
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
    onResult: values.output
      ? (r) => {
          if (r.status === "failed") process.stderr.write(`not ok ${r.id}\n`);
        }
      : undefined,
  }).finally(() =>
    tenant?.dispose().catch((error: unknown) => {
      process.stderr.write(`warning: could not clean up the run's tenant: ${String(error)}\n`);
    }),
  );
  const text = format(report);
  if (values.output) {
    await mkdir(dirname(values.output), { recursive: true });
    await writeFile(values.output, text);
  } else process.stdout.write(text);
  process.stdout.write(`${summaryLine(report)}\n`);
  return report.failed > 0 ? 1 : 0;
}

// A promise some case left behind must never end the run before it reports.
process.on("unhandledRejection", (reason) => {
  process.stderr.write(`warning: a case left a promise that rejected: ${String(reason)}\n`);
  process.exitCode = 1;
});

main().then(
  (code) => {
    process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
