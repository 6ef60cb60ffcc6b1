/** Picks a language model from the environment: the AI Gateway, Anthropic or OpenAI. */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModel } from "ai";

export type ModelChoice = { model: LanguageModel; description: string } | { explanation: string };

/**
 * The model to run with, from the first key set: `AI_GATEWAY_API_KEY` (any `provider/model` id),
 * `ANTHROPIC_API_KEY` or `OPENAI_API_KEY`. `CAIRN_AGENT_MODEL` names the model. Without a key,
 * an explanation of what to set.
 */
export function chooseModel(env: Record<string, string | undefined>): ModelChoice {
  const name = env.CAIRN_AGENT_MODEL;
  if (env.AI_GATEWAY_API_KEY) {
    const id = name ?? "anthropic/claude-sonnet-4.5";
    return { model: id, description: `${id} through the Vercel AI Gateway` };
  }
  if (env.ANTHROPIC_API_KEY) {
    const id = name ?? "claude-sonnet-4-5";
    return {
      model: createAnthropic({ apiKey: env.ANTHROPIC_API_KEY })(id),
      description: `${id} (Anthropic)`,
    };
  }
  if (env.OPENAI_API_KEY) {
    const id = name ?? "gpt-5-mini";
    return {
      model: createOpenAI({ apiKey: env.OPENAI_API_KEY })(id),
      description: `${id} (OpenAI)`,
    };
  }
  return {
    explanation: [
      "No model provider is configured, so there is no model to run the agent with.",
      "Set one of these and run again:",
      "  AI_GATEWAY_API_KEY   Vercel AI Gateway; CAIRN_AGENT_MODEL is a provider/model id (default anthropic/claude-sonnet-4.5)",
      "  ANTHROPIC_API_KEY    Anthropic; CAIRN_AGENT_MODEL defaults to claude-sonnet-4-5",
      "  OPENAI_API_KEY       OpenAI; CAIRN_AGENT_MODEL defaults to gpt-5-mini",
      "The agent loop itself is tested without any network against a scripted model: pnpm --filter @cairn/agent-example test",
    ].join("\n"),
  };
}
