import { describe, expect, it } from "vitest";
import { chooseModel } from "./model.js";

describe("chooseModel", () => {
  it("explains what to set when no provider key is configured", () => {
    const choice = chooseModel({});
    expect(choice).toEqual({
      explanation: expect.stringContaining("No model provider is configured"),
    });
    expect("explanation" in choice && choice.explanation).toContain("ANTHROPIC_API_KEY");
  });

  it.each([
    [{ AI_GATEWAY_API_KEY: "k" }, "anthropic/claude-sonnet-4.5 through the Vercel AI Gateway"],
    [
      { AI_GATEWAY_API_KEY: "k", CAIRN_AGENT_MODEL: "openai/gpt-5" },
      "openai/gpt-5 through the Vercel AI Gateway",
    ],
    [{ ANTHROPIC_API_KEY: "k" }, "claude-sonnet-4-5 (Anthropic)"],
    [{ OPENAI_API_KEY: "k", CAIRN_AGENT_MODEL: "gpt-5" }, "gpt-5 (OpenAI)"],
  ])("picks the model from %o", (env, description) => {
    expect(chooseModel(env)).toMatchObject({ description });
  });

  it("builds a provider model without calling it", () => {
    const choice = chooseModel({ ANTHROPIC_API_KEY: "k" });
    expect("model" in choice && typeof choice.model === "object" && choice.model.modelId).toBe(
      "claude-sonnet-4-5",
    );
  });
});
