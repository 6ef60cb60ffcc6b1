/** Every conformance case, in run order: system, auth, sandboxes, files, search, paths, exec, history. */
import { type ConformanceCase, features, isValidCaseId } from "../case.js";
import exportArchive from "./archive/export-archive.js";
import importArchive from "./archive/import-archive.js";
import authDeleteSandbox from "./auth/delete-sandbox.js";
import authListSandboxes from "./auth/list-sandboxes.js";
import authProtectedOperations from "./auth/protected-operations.js";
import authTenants from "./auth/tenants.js";
import authWriteFile from "./auth/write-file.js";
import execBatch from "./exec/exec-batch.js";
import execScript from "./exec/exec-script.js";
import execScriptAtomicity from "./exec/exec-script-atomicity.js";
import execScriptCommit from "./exec/exec-script-commit.js";
import execScriptIdentity from "./exec/exec-script-identity.js";
import execScriptLimits from "./exec/exec-script-limits.js";
import execScriptMachine from "./exec/exec-script-machine.js";
import execScriptOutput from "./exec/exec-script-output.js";
import execScriptPython from "./exec/exec-script-python.js";
import execScriptReadOnly from "./exec/exec-script-read-only.js";
import execScriptSearch from "./exec/exec-script-search.js";
import execScriptShell from "./exec/exec-script-shell.js";
import execScriptStream from "./exec/exec-script-stream.js";
import copyFile from "./files/copy-file.js";
import deleteFile from "./files/delete-file.js";
import editFile from "./files/edit-file.js";
import fileMeta from "./files/file-meta.js";
import listDirectory from "./files/list-directory.js";
import makeDirectory from "./files/make-directory.js";
import moveFile from "./files/move-file.js";
import patchFiles from "./files/patch-files.js";
import readFile from "./files/read-file.js";
import readLines from "./files/read-lines.js";
import statFile from "./files/stat-file.js";
import writeFile from "./files/write-file.js";
import writeFilePreconditions from "./files/write-file-preconditions.js";
import diffSandbox from "./history/diff-sandbox.js";
import forkAndRestore from "./history/fork-and-restore.js";
import getCommit from "./history/get-commit.js";
import listCommits from "./history/list-commits.js";
import restoreVersion from "./history/restore-version.js";
import snapshots from "./history/snapshots.js";
import watchSandbox from "./history/watch-sandbox.js";
import pathsCreateSandbox from "./paths/create-sandbox.js";
import pathsListDirectory from "./paths/list-directory.js";
import rejectedPaths from "./paths/rejected-paths.js";
import pathsStatFile from "./paths/stat-file.js";
import pathsWriteFile from "./paths/write-file.js";
import createSandbox from "./sandboxes/create-sandbox.js";
import createSandboxArchive from "./sandboxes/create-sandbox-archive.js";
import createSandboxOptions from "./sandboxes/create-sandbox-options.js";
import deleteSandbox from "./sandboxes/delete-sandbox.js";
import getSandbox from "./sandboxes/get-sandbox.js";
import getSandboxUsage from "./sandboxes/get-sandbox-usage.js";
import listSandboxes from "./sandboxes/list-sandboxes.js";
import sandboxExpiry from "./sandboxes/sandbox-expiry.js";
import sandboxPolicy from "./sandboxes/sandbox-policy.js";
import unknownSandbox from "./sandboxes/unknown-sandbox.js";
import updateSandbox from "./sandboxes/update-sandbox.js";
import globFiles from "./search/glob-files.js";
import grepFiles from "./search/grep-files.js";
import searchFiles from "./search/search-files.js";
import searchSemantic from "./search/search-semantic.js";
import fuzz from "./system/fuzz.js";
import getHealth from "./system/get-health.js";
import getReady from "./system/get-ready.js";
import idempotencyKey from "./system/idempotency-key.js";
import limits from "./system/limits.js";

const collected: ConformanceCase[] = [
  ...getHealth,
  ...getReady,
  ...idempotencyKey,
  ...limits,
  ...fuzz,
  ...authProtectedOperations,
  ...authListSandboxes,
  ...authWriteFile,
  ...authDeleteSandbox,
  ...authTenants,
  ...createSandbox,
  ...createSandboxOptions,
  ...createSandboxArchive,
  ...getSandbox,
  ...getSandboxUsage,
  ...updateSandbox,
  ...sandboxPolicy,
  ...sandboxExpiry,
  ...listSandboxes,
  ...deleteSandbox,
  ...unknownSandbox,
  ...writeFile,
  ...writeFilePreconditions,
  ...readFile,
  ...statFile,
  ...listDirectory,
  ...makeDirectory,
  ...moveFile,
  ...copyFile,
  ...deleteFile,
  ...readLines,
  ...editFile,
  ...fileMeta,
  ...patchFiles,
  ...importArchive,
  ...exportArchive,
  ...globFiles,
  ...grepFiles,
  ...searchFiles,
  ...searchSemantic,
  ...pathsWriteFile,
  ...pathsStatFile,
  ...pathsListDirectory,
  ...pathsCreateSandbox,
  ...rejectedPaths,
  ...execScript,
  ...execScriptCommit,
  ...execScriptLimits,
  ...execScriptAtomicity,
  ...execScriptReadOnly,
  ...execScriptOutput,
  ...execScriptShell,
  ...execScriptStream,
  ...execScriptIdentity,
  ...execScriptMachine,
  ...execScriptPython,
  ...execScriptSearch,
  ...execBatch,
  ...listCommits,
  ...getCommit,
  ...snapshots,
  ...forkAndRestore,
  ...restoreVersion,
  ...diffSandbox,
  ...watchSandbox,
];

/** Throws unless every id is well-formed, unique and starts with its case's feature. */
export function checkCases(cases: readonly ConformanceCase[]): void {
  const seen = new Set<string>();
  for (const c of cases) {
    if (!isValidCaseId(c.id)) throw new Error(`case id ${c.id} is not feature/operation/behaviour`);
    if (!features.includes(c.feature))
      throw new Error(`case ${c.id} has unknown feature ${c.feature}`);
    if (!c.id.startsWith(`${c.feature}/`))
      throw new Error(`case ${c.id} is not under ${c.feature}/`);
    if (seen.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    seen.add(c.id);
  }
}

checkCases(collected);

/** All cases, frozen. */
export const allCases: readonly ConformanceCase[] = Object.freeze(collected);
