/**
 * Cases for execScript with `Accept: text/event-stream`: output events as statements finish,
 * binary-exact chunks, and a final `exit` or `error` event. The harness checks every event
 * against `ExecStreamEvent`, ids 1..n and the final event of each stream.
 */
import type { ExecResult } from "@cairn/spec";
import { defineCases } from "../../case.js";
import { ApiResponse } from "../../harness/api-response.js";
import { assert, expectBytes, expectProblem, expectStatus, utf8 } from "../../harness/assert.js";
import { decodeChunk, type ExecEvent, type StreamedExec } from "../../harness/event-stream.js";
import { missingSandboxId } from "../operation-samples.js";
import { allBytes, retryConflicts, sleep } from "../support.js";

/** Output events as [stream, text], adjacent chunks of one stream merged. */
function outputRuns(events: readonly ExecEvent[]): [string, string][] {
  const runs: [string, string][] = [];
  const decoder = new TextDecoder();
  for (const e of events) {
    if (e.event !== "stdout" && e.event !== "stderr") continue;
    const text = decoder.decode(decodeChunk(e.data));
    const last = runs.at(-1);
    if (last && last[0] === e.event) last[1] += text;
    else runs.push([e.event, text]);
  }
  return runs;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function exitOf(run: StreamedExec) {
  assert.ok(
    run.exit,
    `expected an exit event, got ${run.error ? `error ${run.error.code}` : "none"}`,
  );
  return run.exit;
}

const spin = "while true; do :; done";

export default defineCases("exec", "exec-script", {
  "stream-events": [
    "With Accept: text/event-stream the answer is a 200 event stream of stdout events and a final exit event.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.streamExec("echo hi");
      assert.equal(text(run.stdout), "hi\n");
      assert.equal(run.events.at(-1)?.event, "exit");
      assert.equal(exitOf(run).exitCode, 0);
    },
  ],
  "stream-first-chunk-before-end": [
    "The output of `echo first` arrives while the script still sleeps: it is read before `second` and the exit are sent.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const stream = await sb.execStream("echo first; sleep 1; echo second");
      const first = await stream.next();
      if (first?.event !== "stdout") assert.fail(`expected a stdout event, got ${first?.event}`);
      assert.equal(text(decodeChunk(first.data)), "first\n");
      assert.deepEqual(
        stream.received.map((e) => e.event),
        ["stdout"],
        "`second` and the exit arrived together with `first`: output is not streamed",
      );
      assert.equal(stream.ended, false);
      const run = await stream.collect();
      assert.equal(text(run.stdout), "first\nsecond\n");
      assert.equal(exitOf(run).exitCode, 0);
    },
  ],
  "stream-statements-in-order": [
    "stdout and stderr of successive statements arrive as events in statement order.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.streamExec("echo one; echo two >&2; echo three");
      assert.deepEqual(outputRuns(run.events), [
        ["stdout", "one\n"],
        ["stderr", "two\n"],
        ["stdout", "three\n"],
      ]);
    },
  ],
  "stream-loop-body-flushed": [
    "Each statement of a top-level loop body is flushed: stdout and stderr interleave per iteration.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.streamExec('for i in 1 2 3; do echo "o$i"; echo "e$i" >&2; done');
      assert.deepEqual(outputRuns(run.events), [
        ["stdout", "o1\n"],
        ["stderr", "e1\n"],
        ["stdout", "o2\n"],
        ["stderr", "e2\n"],
        ["stdout", "o3\n"],
        ["stderr", "e3\n"],
      ]);
    },
  ],
  "stream-exit-code": [
    "`echo x; exit 3` streams x and ends with an exit event whose exitCode is 3.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.streamExec("echo x; exit 3");
      assert.equal(text(run.stdout), "x\n");
      assert.equal(exitOf(run).exitCode, 3);
    },
  ],
  "stream-exit-commit-matches-get": [
    "The exit event's commit is committed at the version GET shows afterwards, and the write is visible.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const run = await sb.streamExec("echo data > /s.txt; echo done");
      const { commit } = exitOf(run);
      assert.equal(commit.status, "committed");
      assert.ok(commit.version > before, `${commit.version} > ${before}`);
      assert.equal(await sb.version(), commit.version);
      assert.equal(await sb.readText("/s.txt"), "data\n");
    },
  ],
  "stream-on-success-failure-discarded": [
    "A streamed on_success run that writes and exits 1 ends with commit discarded (nonzero_exit); nothing is written.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const run = await sb.streamExec({ script: "echo x > /f; exit 1", commit: "on_success" });
      const exit = exitOf(run);
      assert.equal(exit.exitCode, 1);
      assert.deepEqual(exit.commit, {
        status: "discarded",
        version: before,
        reason: "nonzero_exit",
      });
      assert.equal(await sb.exists("/f"), false);
    },
  ],
  "stream-timeout-error-event": [
    "A streamed script past timeoutMs ends with an error event (status 408, code timeout); its write is not committed and the sandbox stays usable.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const run = await sb.streamExec({
        script: `echo started; echo x > /t.txt; ${spin}`,
        timeoutMs: 300,
      });
      assert.ok(run.error, `expected an error event, got ${run.events.at(-1)?.event}`);
      assert.deepEqual([run.error.status, run.error.code], [408, "timeout"]);
      assert.ok(text(run.stdout).startsWith("started\n"), "output before the timeout is streamed");
      assert.equal(await sb.exists("/t.txt"), false);
      assert.equal(await sb.version(), before);
      assert.equal((await sb.exec("echo ok")).stdout, "ok\n");
    },
  ],
  "stream-missing-sandbox-404": [
    "A streamed exec on a missing sandbox is a plain 404 problem+json (sandbox_not_found), not a stream.",
    async (ctx) => {
      const res = await ctx.stream("POST", `/v1/sandboxes/${missingSandboxId()}/exec`, {
        body: { script: "echo hi" },
      });
      assert.ok(res instanceof ApiResponse, "expected a plain response, got an event stream");
      expectProblem(res, 404, "sandbox_not_found");
    },
  ],
  "stream-invalid-request-400": [
    "A streamed exec with an invalid body is a plain 400 problem+json (invalid_request).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await ctx.stream("POST", `/v1/sandboxes/${sb.id}/exec`, {
        body: { script: "" },
      });
      assert.ok(res instanceof ApiResponse, "expected a plain response, got an event stream");
      expectProblem(res, 400, "invalid_request");
    },
  ],
  "stream-binary-output-exact": [
    "`cat` of a file with bytes ff 00 41 streams chunks whose decoded concatenation is exactly those bytes.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const bytes = new Uint8Array([0xff, 0x00, 0x41]);
      await sb.write("/data.bin", bytes);
      const run = await sb.streamExec("cat /data.bin");
      expectBytes(run.stdout, bytes, "streamed stdout");
      assert.equal(exitOf(run).exitCode, 0);
    },
  ],
  "stream-all-bytes-exact": [
    "All 256 byte values (plus CR LF and invalid UTF-8) cat-ed in a script arrive byte-exactly through the stream.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const bytes = allBytes();
      await sb.write("/all.bin", bytes);
      const run = await sb.streamExec("cat /all.bin; echo; cat /all.bin");
      expectBytes(run.stdout, Buffer.concat([bytes, utf8("\n"), bytes]), "streamed stdout");
    },
  ],
  "stream-utf8-text": [
    "Non-ASCII UTF-8 output arrives as the same text through the stream.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.streamExec("echo 'héllo 世界 😀'; echo 'ü' >&2");
      assert.deepEqual([text(run.stdout), text(run.stderr)], ["héllo 世界 😀\n", "ü\n"]);
    },
  ],
  "stream-matches-json-result": [
    "The same script gives the same stdout, stderr and exit code streamed as in the JSON result.",
    async (ctx) => {
      const sb = await ctx.sandbox({ files: [{ path: "/in.txt", content: "b\na\nc\n" }] });
      const script = "sort /in.txt; ls /missing; echo tail; exit 4";
      const json = await sb.exec({ script, commit: "never" });
      const run = await sb.streamExec({ script, commit: "never" });
      assert.deepEqual(
        [text(run.stdout), text(run.stderr), exitOf(run).exitCode],
        [json.stdout, json.stderr, json.exitCode],
      );
    },
  ],
  "stream-output-cap-truncated": [
    "A streamed run's output is cut at maxOutputBytes and the exit event says truncated.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.streamExec({
        script: "for i in 1 2 3 4 5; do echo 0123456789; done",
        maxOutputBytes: 25,
      });
      assert.equal(text(run.stdout), "0123456789\n".repeat(5).slice(0, 25));
      assert.deepEqual(exitOf(run).truncated, { stdout: true, stderr: false });
    },
  ],
  "stream-read-only-erofs": [
    "A streamed readOnly run's write fails with EROFS on stderr; the exit commit is unchanged.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.streamExec({ script: "echo x > /f", readOnly: true });
      assert.match(text(run.stderr), /EROFS|read-only file system/i);
      const exit = exitOf(run);
      assert.notEqual(exit.exitCode, 0);
      assert.equal(exit.commit.status, "unchanged");
      assert.equal(await sb.exists("/f"), false);
    },
  ],
  "stream-output-never-repeated": [
    "A streamed writer racing API writes sends each statement's output exactly once, and its append lands once.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      await sb.write("/log", "");
      const streamed = sb.streamExec("echo start; echo line >> /log; sleep 0.2; echo end");
      const writes = Array.from({ length: 5 }, (_, i) =>
        retryConflicts(() => sb.writeRaw(`/api-${i}.txt`, String(i))),
      );
      const [run, ...results] = await Promise.all([streamed, ...writes]);
      for (const res of results) expectStatus(res, 201);
      assert.equal(text(run.stdout), "start\nend\n");
      if (run.exit) {
        assert.equal(run.exit.commit.status, "committed");
        assert.equal(await sb.readText("/log"), "line\n");
      } else {
        // A streamed run is never re-run: losing the commit race must be a retryable conflict.
        assert.ok(run.error);
        assert.deepEqual([run.error.code, run.error.retryable], ["conflict", true]);
        assert.equal(await sb.readText("/log"), "");
      }
      for (let i = 0; i < 5; i++) assert.equal(await sb.readText(`/api-${i}.txt`), String(i));
    },
  ],
  "stream-client-abort-commits-nothing": [
    "A client that closes the stream mid-run aborts the script: its write is never committed and the sandbox stays usable.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const before = await sb.version();
      const stream = await sb.execStream("echo x > /f.txt; echo started; sleep 1; echo done");
      const first = await stream.next();
      assert.equal(first?.event, "stdout");
      await stream.cancel();
      // Long enough for the script to have ended had it not been aborted; the API write then
      // waits for any writer still running.
      await sleep(1500);
      await sb.write("/after.txt", "after");
      assert.equal(await sb.exists("/f.txt"), false);
      assert.ok((await sb.version()) > before);
      assert.equal((await sb.exec("cat /after.txt")).stdout, "after");
    },
  ],
  "stream-persist-shell-saved": [
    "A streamed exec in a persistShell sandbox saves its cwd and exports like a JSON one.",
    async (ctx) => {
      const sb = await ctx.sandbox({ persistShell: true });
      const run = await sb.streamExec("mkdir -p /w && cd /w && export A=1");
      assert.equal(exitOf(run).commit.status, "committed");
      assert.equal((await sb.exec('pwd; echo "$A"')).stdout, "/w\n1\n");
    },
  ],
  "stream-output-cap-mid-character-exact": [
    "A cap that cuts a UTF-8 character streams exactly the bytes kept (`echo é` with maxOutputBytes: 1 gives the byte c3).",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const run = await sb.streamExec({ script: "echo é", maxOutputBytes: 1 });
      expectBytes(run.stdout, new Uint8Array([0xc3]), "streamed stdout");
      assert.equal(exitOf(run).truncated.stdout, true);
    },
  ],
  "stream-json-without-accept": [
    "Without Accept: text/event-stream the same request is answered with a JSON ExecResult.",
    async (ctx) => {
      const sb = await ctx.sandbox();
      const res = await sb.execRaw({ script: "echo hi" });
      expectStatus(res, 200);
      assert.match(res.header("content-type") ?? "", /^application\/json/i);
      assert.equal(res.json<ExecResult>().stdout, "hi\n");
    },
  ],
});
