import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Antom's source guides, kept beside the repository (../shared/seeds). */
export const seedsDir = resolve(root, "..", "shared", "seeds");
