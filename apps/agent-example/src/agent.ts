/** The agent loop: a model with Cairn's bash, readFile and writeFile tools, up to a step limit. */
import { type CairnSandboxLike, type CairnTools, createCairnTools } from "@cairn/ai";
import type { Cairn } from "@cairn/client";
import {
  type GenerateTextOnStepFinishCallback,
  generateText,
  type LanguageModel,
  stepCountIs,
} from "ai";

/** Where the agent works in its sandbox. */
export const WORKDIR = "/work";

export const SYSTEM_PROMPT = `You work in a persistent sandbox through three tools: bash, readFile and writeFile.
Your working directory is ${WORKDIR}. Files you write stay there after you finish.
Prefer small scripts you can re-run; check your results by running them and reading their output.
When you are done, answer with a short summary of what you did and what you found.`;

export const DEFAULT_TASK = `Write a bash script count.sh that prints the 3 most frequent words of a text file
(case-insensitive, one "count word" pair per line, most frequent first). Run it on poem.txt, save
its output to top.txt, and tell me the top words.`;

export const POEM = `The fog comes
on little cat feet.
It sits looking
over harbor and city
on silent haunches
and then moves on.
The cat sits and the fog moves on.
`;

export interface RunAgentOptions {
  model: LanguageModel;
  sandbox: CairnSandboxLike;
  prompt?: string;
  /** Most model calls (each may run several tools); default 20. */
  maxSteps?: number;
  /** Hears each finished step: the model's text, its tool calls and their results. */
  onStepFinish?: GenerateTextOnStepFinishCallback<CairnTools>;
}

/**
 * Runs the agent until the model answers without calling a tool, or `maxSteps` model calls.
 *
 * @example
 * const result = await runAgent({ model: "anthropic/claude-sonnet-4.5", sandbox });
 * console.log(result.text);
 */
export function runAgent(options: RunAgentOptions) {
  const tools = createCairnTools({ sandbox: options.sandbox, cwd: WORKDIR });
  return generateText({
    model: options.model,
    system: SYSTEM_PROMPT,
    prompt: options.prompt ?? DEFAULT_TASK,
    tools,
    stopWhen: stepCountIs(options.maxSteps ?? 20),
    onStepFinish: options.onStepFinish,
  });
}

/** A new sandbox holding the example's input, `/work/poem.txt`. */
export function createDemoSandbox(cairn: Cairn) {
  return cairn.sandboxes.create({
    name: "agent-example",
    files: [{ path: `${WORKDIR}/poem.txt`, content: POEM }],
  });
}
