/** The agent loop against a scripted fake model (no network) and a real Cairn server over HTTP. */
import { describe, expect, it } from "vitest";
import { createDemoSandbox, POEM, runAgent, SYSTEM_PROMPT } from "./agent.js";
import { useCairn } from "./test-cairn.js";
import { lastToolOutput, scriptedModel, text, toolCall } from "./test-model.js";

const COUNT_SH = `#!/bin/bash
# The 3 most frequent words of a file: "count word", most frequent first.
tr 'A-Z' 'a-z' < "$1" | tr -cs 'a-z' '\\n' | grep -v '^$' | sort | uniq -c \\
  | awk '{print $1, $2}' | sort -k1,1nr -k2,2 | head -3
`;

describe("the agent", () => {
  const cairn = useCairn();

  it("writes a script, runs it, reads the result back, and answers from it", async () => {
    const sandbox = await createDemoSandbox(cairn());
    const model = scriptedModel([
      () => [
        text("I'll write the script first."),
        toolCall("writeFile", { path: "count.sh", content: COUNT_SH }),
      ],
      () => [toolCall("bash", { command: "bash count.sh poem.txt > top.txt && cat top.txt" })],
      (prompt) => {
        // The model saw the script run: a zero exit code and the words on stdout.
        const ran = lastToolOutput(prompt);
        expect(ran).toMatchObject({ type: "json", value: { exitCode: 0 } });
        return [toolCall("readFile", { path: "top.txt" })];
      },
      (prompt) => {
        const read = lastToolOutput(prompt).value as { content: string };
        return [text(`The top words are: ${read.content.trim().split("\n").join(", ")}.`)];
      },
    ]);

    const result = await runAgent({ model, sandbox });

    expect(result.steps).toHaveLength(4);
    expect(result.text).toBe("The top words are: 4 on, 3 and, 3 the.");
    // The tools acted on the sandbox, and the state persists on the server.
    expect(await sandbox.fs.readText("/work/count.sh")).toBe(COUNT_SH);
    expect(await sandbox.fs.readText("/work/top.txt")).toBe("4 on\n3 and\n3 the\n");
    expect(await sandbox.fs.readText("/work/poem.txt")).toBe(POEM);
    // Each tool's result, as the loop recorded it.
    expect(result.steps.map((step) => step.toolResults.map((r) => [r.toolName, r.output]))).toEqual(
      [
        [["writeFile", { path: "/work/count.sh", bytes: COUNT_SH.length, created: true }]],
        [["bash", { exitCode: 0, stdout: "4 on\n3 and\n3 the\n", stderr: "" }]],
        [
          [
            "readFile",
            {
              path: "/work/top.txt",
              content: "4 on\n3 and\n3 the\n",
              startLine: 1,
              endLine: 3,
              totalLines: 3,
            },
          ],
        ],
        [],
      ],
    );
    // The model was given the system prompt and the three tools on every call.
    const first = model.doGenerateCalls[0];
    expect(first?.prompt[0]).toEqual({ role: "system", content: SYSTEM_PROMPT });
    expect(first?.tools?.map((t) => t.name)).toEqual(["bash", "readFile", "writeFile"]);
  });

  it("stops at the step limit", async () => {
    const sandbox = await createDemoSandbox(cairn());
    function* forever() {
      for (let i = 1; ; i++) yield () => [toolCall("bash", { command: `echo ${i} >> log.txt` })];
    }
    const result = await runAgent({ model: scriptedModel(forever()), sandbox, maxSteps: 3 });
    expect(result.steps).toHaveLength(3);
    expect(result.finishReason).toBe("tool-calls");
    expect(await sandbox.fs.readText("/work/log.txt")).toBe("1\n2\n3\n");
  });
});
