// The SSH remote layer's public surface for the backup/restore pipeline. See docs/pull-backup.md.
export { connectSsh, SshConnection } from '../ssh/connection'
export type { SshConnectOptions, RemoteProcess, ExitStatus } from '../ssh/connection'
export { listRemote } from './list'
export type { RemoteEntry, RemoteWarning, ListOptions, EntryType } from './list'
export { backupRules, CACHE_EXCLUDES, CREDENTIAL_EXCLUDES } from './default-rules'
export type { SecretsPolicy } from './default-rules'
export { PathFilter } from './path-filter'
export { readRemoteFiles } from './read-contents'
export type {
  ContentRequest,
  FileContent,
  FileProblem,
  ReadOptions,
  ReadSummary,
  RemoteFileReader,
} from './read-contents'
export { preflightRestore, probeTarget, restoreToRemote } from './restore-writer'
export type {
  Conflict,
  OwnerMode,
  PreflightResult,
  RefusedEntry,
  RestoreEntry,
  RestoreOptions,
  RestoreProgress,
  RestoreReport,
  TargetProbe,
  TargetState,
} from './restore-writer'
export { RestorePathGuard, isSafeName, normalizeRelativePath } from './safe-path'
export type { GuardVerdict, RefusalReason } from './safe-path'
