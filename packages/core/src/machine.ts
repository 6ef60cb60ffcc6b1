/**
 * What makes a sandbox look like a small Linux machine to a script: a home
 * directory and /tmp (stored, made when a sandbox is created) and the usual
 * login variables. The commands in /bin and /usr/bin are never stored (see
 * command-dirs).
 */

/** The home directory of new sandboxes, and where their scripts start. */
export const MACHINE_HOME = "/home/user";

/** Directories every new sandbox is created with, and their modes. */
export const MACHINE_DIRECTORIES: ReadonlyArray<{ path: string; mode: number }> = [
  { path: MACHINE_HOME, mode: 0o755 },
  { path: "/tmp", mode: 0o1777 },
];

/**
 * The variables a script starts with, under the sandbox's own. A sandbox made
 * before homes existed has none: its HOME stays `/`, where it starts.
 */
export function machineEnv(home: string | undefined): Record<string, string> {
  return {
    HOME: home ?? "/",
    USER: "user",
    LOGNAME: "user",
    SHELL: "/bin/bash",
    PATH: "/usr/bin:/bin",
  };
}
