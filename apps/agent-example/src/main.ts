#!/usr/bin/env node
/**
 * Runs the example agent against a real model: on the Cairn server at CAIRN_URL (with
 * CAIRN_API_KEY), or on one started in this process on the memory backend.
 */
import { randomBytes } from "node:crypto";
import { createMemoryBackend } from "@cairn/backend-memory";
import { Cairn } from "@cairn/client";
import { createApp, type RunningServer, startServer } from "@cairn/server";
import { createDemoSandbox, runAgent, WORKDIR } from "./agent.js";
import { chooseModel } from "./model.js";

const choice = chooseModel(process.env);
if ("explanation" in choice) {
  console.error(choice.explanation);
  process.exit(1);
}

let server: RunningServer | undefined;
let cairn: Cairn;
if (process.env.CAIRN_URL && process.env.CAIRN_API_KEY) {
  cairn = new Cairn({ baseUrl: process.env.CAIRN_URL, apiKey: process.env.CAIRN_API_KEY });
} else {
  const apiKey = randomBytes(24).toString("hex");
  server = await startServer({
    app: createApp({ backend: createMemoryBackend(), apiKey }),
    port: 0,
  });
  cairn = new Cairn({ baseUrl: server.url, apiKey });
  console.log(
    `Cairn: an in-process server at ${server.url} (memory; set CAIRN_URL and CAIRN_API_KEY to use yours)`,
  );
}

try {
  const sandbox = await createDemoSandbox(cairn);
  console.log(`Model: ${choice.description}\nSandbox: ${sandbox.id}\n`);
  const prompt = process.argv.slice(2).join(" ") || undefined;
  const result = await runAgent({
    model: choice.model,
    sandbox,
    prompt,
    onStepFinish(step) {
      if (step.text) console.log(`model: ${step.text}\n`);
      for (const call of step.toolCalls)
        console.log(`→ ${call.toolName} ${JSON.stringify(call.input)}`);
      for (const result of step.toolResults) {
        console.log(`← ${abridge(JSON.stringify(result.output))}\n`);
      }
    },
  });
  console.log(`Done in ${result.steps.length} steps.\n\nFiles in ${WORKDIR}:`);
  console.log((await sandbox.exec(`ls -l ${WORKDIR}`)).stdout);
} finally {
  await server?.close();
}

function abridge(text: string, max = 400): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}
