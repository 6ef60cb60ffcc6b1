#!/usr/bin/env node
/** The `cairn` command: serve, mcp, migrate, gc, token, import, export. */
import { exportCommand, importCommand } from "./archive-commands.js";
import { gcCommand, migrateCommand } from "./maintenance-commands.js";
import { mcpCommand } from "./mcp-command.js";
import { serveCommand } from "./serve-command.js";
import { tokenCommand } from "./token-command.js";

const USAGE = `Usage: cairn <command> [options]

Commands:
  serve     Run the Cairn HTTP server
  mcp       Serve the MCP tools over stdio (for desktop MCP clients)
  migrate   Apply pending database migrations
  gc        Delete stored contents that no file refers to
  token     Create, list and revoke API keys (on the server's host: needs the database)
  import    Upload a local directory into a sandbox (one tar stream, one commit)
  export    Download a sandbox directory as tar.gz (or unpack it into a directory)
  help      Show this help

Run 'cairn <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return serveCommand(rest);
    case "mcp":
      return mcpCommand(rest);
    case "migrate":
      return migrateCommand(rest);
    case "gc":
      return gcCommand(rest);
    case "token":
      return tokenCommand(rest);
    case "import":
      return importCommand(rest);
    case "export":
      return exportCommand(rest);
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
