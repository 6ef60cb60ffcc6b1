#!/usr/bin/env node
/** The `cairn` command: `cairn serve` runs a Cairn server. */
import { serveCommand } from "./serve-command.js";

const USAGE = `Usage: cairn <command> [options]

Commands:
  serve     Run the Cairn HTTP server
  help      Show this help

Run 'cairn serve --help' for the server's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return serveCommand(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`cairn: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`cairn: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
