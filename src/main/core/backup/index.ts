// The backup, restore and verify pipelines: they wire a Source (a VM over SSH, or a local folder)
// to the repository format library (core/repo) and the SSH restore writer (core/remote).
// See docs/backup-and-restore.md.
export type {
  Source,
  SourceEntry,
  SourceFile,
  SourceReader,
  SourceReadSummary,
  SourceStats,
  SourceWarning,
  ListSourceOptions,
} from './source'
export { sshSource, connectSshSource } from './ssh-source'
export { localSource } from './local-source'
export { runBackup } from './run-backup'
export { runRestore, preflightRestoreTarget } from './run-restore'
export { runVerify, loadIndexReportingDamage } from './run-verify'
export { browse } from './browse'
export { parseDisplayPath } from './view'
export type {
  PipelineProgress,
  BackupPhase,
  BackupProgress,
  BackupOptions,
  BackupResult,
  BackupStats,
  BackupWarning,
  ChangeDetection,
  RepositoryAccess,
  RestoreTarget,
  RestorePhase,
  RestoreProgress,
  RestoreOptions,
  RestoreResult,
  RestoreRefusal,
  RestoreConflict,
  RestorePreflight,
  PreflightOptions,
  VerifyPhase,
  VerifyProgressUpdate,
  VerifyRunOptions,
  VerifyResult,
  VerifyProblem,
  BrowseOptions,
  BrowseEntry,
  BrowseEntryType,
  BrowseResult,
} from './types'
