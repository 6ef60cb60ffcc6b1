/**
 * Whether the just-bash in use asks its filesystem for a turn of the event loop before each loop
 * iteration (`loopTurnDue()`, then `loopTurn()`: Cairn's patch of just-bash adds the call). Where
 * it does, loops need no yield test in their bodies (yield-transform.ts), which cost a statement
 * per iteration. An application that installs Cairn from npm gets just-bash without this
 * workspace's patch: it is asked once per thread, and without the hook scripts get the transform.
 */
import { Bash, InMemoryFs } from "just-bash";

let asked: Promise<boolean> | undefined;

export function loopTurnsSupported(): Promise<boolean> {
  asked ??= probe();
  return asked;
}

async function probe(): Promise<boolean> {
  let calls = 0;
  const fs = Object.assign(new InMemoryFs(), {
    loopTurnDue: () => {
      calls++;
      return false;
    },
    loopTurn: async () => {},
  });
  await new Bash({ fs, cwd: "/" }).exec("for i in 1; do :; done");
  return calls > 0;
}
