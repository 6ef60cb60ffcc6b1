/**
 * A client in its own process for the speed table: `n` sequential
 * `POST .../exec` of `echo hi`, after a warm-up; sends the latencies to the parent.
 *
 *   node echo-client.js <baseUrl> <apiKey> <sandboxId> <n>
 */
const [baseUrl, apiKey, sandboxId, count] = process.argv.slice(2);
if (!baseUrl || !apiKey || !sandboxId) throw new Error("usage: echo-client <url> <key> <id> <n>");

async function once(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}/v1/sandboxes/${sandboxId}/exec`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ script: "echo hi" }),
  });
  const body = (await res.json()) as { stdout?: string };
  if (!res.ok || body.stdout !== "hi\n") throw new Error(`exec: ${res.status}`);
  return performance.now() - started;
}

const samples: number[] = [];
for (let i = 0; i < 50; i++) await once();
for (let i = 0; i < Number(count ?? 500); i++) samples.push(await once());
process.send?.({ samples });
