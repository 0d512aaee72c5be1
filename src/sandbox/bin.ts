#!/usr/bin/env node
// The `antom-sandbox` command.
import { main } from "./cli.js";

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`antom-sandbox: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
