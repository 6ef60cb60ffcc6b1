/** A scripted fake model for tests: each turn sees the prompt so far and answers with content. */
import { MockLanguageModelV3 } from "ai/test";

type CallOptions = Parameters<MockLanguageModelV3["doGenerate"]>[0];
export type Prompt = CallOptions["prompt"];
type GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
export type Content = GenerateResult["content"][number];

/** One model turn: what the model "says" given everything it has been sent so far. */
export type Turn = (prompt: Prompt) => Content[];

const USAGE: GenerateResult["usage"] = {
  inputTokens: { total: 100, noCache: 100, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 20, text: 20, reasoning: 0 },
};

/**
 * A model that plays `turns` in order, one per call, and fails the run if the loop asks for
 * more. A turn with tool calls finishes with `tool-calls`, else with `stop`.
 */
export function scriptedModel(turns: Iterable<Turn>): MockLanguageModelV3 {
  const script = turns[Symbol.iterator]();
  let calls = 0;
  return new MockLanguageModelV3({
    doGenerate: async ({ prompt }) => {
      calls++;
      const next = script.next();
      if (next.done) throw new Error(`the script ran out of turns at call ${calls}`);
      const content = next.value(prompt);
      const calling = content.some((part) => part.type === "tool-call");
      return {
        content,
        finishReason: { unified: calling ? "tool-calls" : "stop", raw: undefined },
        usage: USAGE,
        warnings: [],
      };
    },
  });
}

let nextId = 0;

/** A tool call as a model emits it. */
export function toolCall(toolName: string, input: unknown): Content {
  return {
    type: "tool-call",
    toolCallId: `call_${++nextId}`,
    toolName,
    input: JSON.stringify(input),
  };
}

export function text(value: string): Content {
  return { type: "text", text: value };
}

/** The output of the last tool result in the prompt, as the model was sent it. */
export function lastToolOutput(prompt: Prompt): { type: string; value: unknown } {
  for (const message of [...prompt].reverse()) {
    if (message.role !== "tool") continue;
    for (const part of [...message.content].reverse()) {
      if (part.type === "tool-result") return part.output as { type: string; value: unknown };
    }
  }
  throw new Error("no tool result in the prompt");
}
