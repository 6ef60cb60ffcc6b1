/** Seeded randomness for this package's property and differential tests. */
export { seededRandom as rng } from "@cairn/core";

export const pick = <T>(r: () => number, items: readonly T[]): T =>
  items[Math.floor(r() * items.length)]!;
