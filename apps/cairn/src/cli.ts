#!/usr/bin/env node
/** The `cairn` command: serve, migrate, gc. */
import { gcCommand, migrateCommand } from "./maintenance-commands.js";
import { serveCommand } from "./serve-command.js";

const USAGE = `Usage: cairn <command> [options]

Commands:
  serve     Run the Cairn HTTP server
  migrate   Apply pending database migrations
  gc        Delete stored contents that no file refers to
  help      Show this help

Run 'cairn <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return serveCommand(rest);
    case "migrate":
      return migrateCommand(rest);
    case "gc":
      return gcCommand(rest);
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
