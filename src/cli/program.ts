import { Command, Option } from 'commander'
import { version } from '../../package.json'
import { backup, type BackupFlags } from './commands/backup'
import { forget, type ForgetFlags } from './commands/forget'
import { prune, type PruneFlags } from './commands/prune'
import { pin, pins, unpin, type PinFlags } from './commands/pin'
import {
  schedules,
  schedulesSet,
  type SchedulesFlags,
  type SchedulesSetFlags,
} from './commands/schedules'
import {
  keyExport,
  keyImport,
  keyRotateMaster,
  keyRotateWorkspace,
  keyStatus,
  type ImportFlags,
  type RotateFlags,
  type RotateMasterFlags,
} from './commands/key'
import { ls, type LsFlags } from './commands/ls'
import { repoInfo, repoInit } from './commands/repo'
import { restore, type RestoreFlags } from './commands/restore'
import { snapshots, type SnapshotsFlags } from './commands/snapshots'
import { verify, type VerifyFlags } from './commands/verify'
import { check, type CheckFlags } from './commands/check'
import type { CommandContext, CommandOutput } from './io'
import type { RepoOptions } from './locations'
import {
  addJsonOption,
  addRepoOptions,
  addSshOptions,
  addWorkspaceOption,
  collect,
  type JsonFlag,
} from './options'

/** Runs a command's body with a context for its --json flag; main prints the output. */
export type Runner = (
  json: boolean,
  body: (ctx: CommandContext) => Promise<CommandOutput>,
) => Promise<void>

const ENVIRONMENT = `
Environment:
  CAIRN_REPO               the repository, when --repo is not given
  CAIRN_MASTER_KEY_FILE    read the master key from this file (64 hex digits or the recovery
                           key; chmod 600) instead of the keychain, for automation
  CAIRN_KEYCHAIN_SERVICE   keychain service name (default "Cairn", shared with the desktop app)
  CAIRN_SSH_PASSPHRASE     passphrase of the --identity key
  AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  AWS_REGION, AWS_DEFAULT_REGION   S3 settings, as the AWS tools read them

Exit codes:
  0 ok   1 failed   2 usage error   3 damage found   4 master key does not open the repository
  5 refused because of a conflict (busy workspace, non-empty target or location)
  130 cancelled (Ctrl-C); the repository stays consistent

Full reference: docs/cli.md`

export interface ProgramOutput {
  writeOut(text: string): void
  writeErr(text: string): void
}

/**
 * The whole command line. Parsing errors throw (exitOverride) instead of exiting, and output goes
 * through `output`; both are set before the subcommands exist, so they inherit them.
 */
export function buildProgram(run: Runner, output: ProgramOutput): Command {
  const program = new Command()
  program.exitOverride().configureOutput({
    writeOut: output.writeOut,
    writeErr: output.writeErr,
    outputError: (text, write) => write(text),
  })
  program
    .name('cairn')
    .description(
      'Encrypted, deduplicated, incremental backups of workspaces, pulled over SSH (nothing to ' +
        'install on the host) or read from a local folder, into S3/R2 or a folder.',
    )
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  export AWS_ENDPOINT_URL_S3=https://<account>.r2.cloudflarestorage.com
  export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
  cairn repo init --repo s3://my-bucket/cairn
  cairn key export-recovery
  cairn backup --repo s3://my-bucket/cairn --from ssh://dev@203.0.113.7/home/dev
  cairn snapshots --repo s3://my-bucket/cairn
  cairn restore latest --repo s3://my-bucket/cairn --target ssh://dev@203.0.113.8/home/dev
  cairn verify --repo /mnt/backup/cairn --all
${ENVIRONMENT}`,
    )

  // ---- repo
  const repo = program.command('repo').description('create a repository or show what it holds')
  repo.addHelpText(
    'after',
    '\nRun `cairn repo init --help` or `cairn repo info --help` for details.',
  )
  addJsonOption(
    addRepoOptions(
      repo
        .command('init')
        .description(
          'create a repository in an empty bucket prefix or folder; makes the master key in the keychain on first use (or uses CAIRN_MASTER_KEY_FILE)',
        ),
    ),
  )
    .addHelpText(
      'after',
      `
Examples:
  cairn repo init --repo /mnt/backup/cairn
  AWS_ENDPOINT_URL_S3=http://127.0.0.1:9000 cairn repo init --repo s3://bucket/team/cairn
After creating a new master key, run \`cairn key export-recovery\` and keep the recovery key safe.`,
    )
    .action(async (flags: RepoOptions & JsonFlag) =>
      run(!!flags.json, (ctx) => repoInit(ctx, flags)),
    )

  addJsonOption(
    addRepoOptions(
      repo
        .command('info')
        .description('show the repository, the master key id that opens it, and its workspaces'),
    ),
  )
    .addHelpText('after', '\nExample:\n  cairn repo info --repo s3://my-bucket/cairn --json')
    .action(async (flags: RepoOptions & JsonFlag) =>
      run(!!flags.json, (ctx) => repoInfo(ctx, flags)),
    )

  // ---- backup
  const backupCmd = program
    .command('backup')
    .description(
      'make a restore point of a folder on an SSH host (pulled, nothing installed there) or here',
    )
    .requiredOption(
      '--from <source>',
      'what to back up: ssh://user@host[:port]/path or a local folder',
    )
  addWorkspaceOption(
    backupCmd,
    'workspace id (default: <host>-<last path component> of --from, e.g. 203-0-113-7-dev)',
  )
  addSshOptions(backupCmd)
  backupCmd
    .option(
      '--exclude <pattern>',
      'leave out paths matching this rule (gitignore-like; repeatable)',
      collect,
    )
    .option(
      '--include <pattern>',
      'back up paths matching this rule even if excluded (repeatable)',
      collect,
    )
    .option('--include-credentials', 'also back up credentials (~/.ssh private keys, tokens)')
    .option(
      '--no-default-excludes',
      'also back up caches Cairn leaves out by default (~/.cache, ...)',
    )
    .option('--tag <tag>', 'label the restore point (repeatable)', collect)
    .addOption(
      new Option('--trigger <trigger>', 'why the restore point was made')
        .choices(['cli', 'manual', 'schedule', 'stop', 'idle', 'before-restore'])
        .default('cli'),
    )
    .option('--parent <id>', 'diff against this restore point (default: latest; "none": read all)')
    .addOption(
      new Option(
        '--change-detection <mode>',
        'what counts as unchanged: strict (size, mtime, ctime, inode) or mtime (size, mtime; after a restore onto a new machine)',
      )
        .choices(['strict', 'mtime'])
        .default('strict'),
    )
    .option('--host <name>', "host name to record (default: the source host's own)")
  addJsonOption(addRepoOptions(backupCmd))
    .addHelpText(
      'after',
      `
Only new or changed files are read; Ctrl-C cancels and leaves no partial restore point (the
next backup reuses what was uploaded). Default excludes: caches tools rebuild (~/.cache,
node_modules/.cache, ~/.npm/_cacache, ...) and credentials (~/.ssh private keys, cloud CLI
tokens): see docs/pull-backup.md.

Examples:
  cairn backup --repo s3://bucket/cairn --from ssh://dev@203.0.113.7:22/home/dev \\
    --identity ~/.ssh/cairn_ed25519 --known-hosts ~/.ssh/known_hosts
  cairn backup --repo /mnt/backup/cairn --from ~/projects/site --workspace site \\
    --exclude '/dist/' --tag before-upgrade`,
    )
    .action(async (flags: BackupFlags & JsonFlag) => run(!!flags.json, (ctx) => backup(ctx, flags)))

  // ---- snapshots
  const snapshotsCmd = program
    .command('snapshots')
    .description('list restore points (oldest first)')
  addWorkspaceOption(snapshotsCmd, 'only this workspace (default: all)')
  addJsonOption(addRepoOptions(snapshotsCmd))
    .addHelpText(
      'after',
      '\nExamples:\n  cairn snapshots --repo s3://bucket/cairn\n  cairn snapshots --repo /mnt/backup/cairn --workspace site --json',
    )
    .action(async (flags: SnapshotsFlags & JsonFlag) =>
      run(!!flags.json, (ctx) => snapshots(ctx, flags)),
    )

  // ---- ls
  const lsCmd = program
    .command('ls')
    .description('list a folder of a restore point without restoring it')
    .argument('<restore-point>', 'restore point id (or a unique prefix of 4+ digits), or "latest"')
    .argument('[path]', 'folder or file inside the restore point (default: the top)')
    .option('-l, --long', 'show mode, owner, size and modification time')
    .option('-R, --recursive', 'list everything below the folder')
  addWorkspaceOption(lsCmd, 'workspace id (default: the only one in the repository)')
  addJsonOption(addRepoOptions(lsCmd))
    .addHelpText(
      'after',
      `
Names that are not valid UTF-8 or hold control characters are shown with \\xNN escapes (and a
backslash as \\\\); that form is also accepted in [path] and in restore --include.

Examples:
  cairn ls latest --repo /mnt/backup/cairn
  cairn ls 1a2b3c4d dev/src -l --repo s3://bucket/cairn --workspace site`,
    )
    .action(async (restorePoint: string, path: string | undefined, flags: LsFlags & JsonFlag) =>
      run(!!flags.json, (ctx) => ls(ctx, restorePoint, path, flags)),
    )

  // ---- restore
  const restoreCmd = program
    .command('restore')
    .description('restore a restore point, or parts of it, into a folder here or on an SSH host')
    .argument('<restore-point>', 'restore point id (or a unique prefix of 4+ digits), or "latest"')
    .requiredOption('--target <target>', 'where to: a local folder or ssh://user@host[:port]/path')
    .option(
      '--include <path>',
      'restore only this file or folder (as `cairn ls` shows it; repeatable)',
      collect,
    )
    .option('--overwrite', 'allow a non-empty target: files at restored paths are replaced')
    .option('--dry-run', 'show what would be replaced at the target; write nothing')
    .addOption(
      new Option(
        '--owner <mode>',
        'owners on an SSH target when logged in as root: auto (by name, else id), numeric, login-user',
      )
        .choices(['auto', 'numeric', 'login-user'])
        .default('auto'),
    )
  addWorkspaceOption(restoreCmd, 'workspace id (default: the only one in the repository)')
  addSshOptions(restoreCmd)
  addJsonOption(addRepoOptions(restoreCmd))
    .addHelpText(
      'after',
      `
The target must be missing or empty unless --overwrite is given. Modes, modification times,
symlinks and hard links are restored; entries that would escape the target are refused. Every
block is authenticated before it is written.

Examples:
  cairn restore latest --repo s3://bucket/cairn --target ssh://dev@203.0.113.8/home/dev \\
    --identity ~/.ssh/cairn_ed25519 --known-hosts ./known_hosts
  cairn restore 1a2b3c4d --repo /mnt/backup/cairn --target ./recovered --include dev/src/main.ts`,
    )
    .action(async (restorePoint: string, flags: RestoreFlags & JsonFlag) =>
      run(!!flags.json, (ctx) => restore(ctx, restorePoint, flags)),
    )

  // ---- verify
  const verifyCmd = program
    .command('verify')
    .description('read back restore points and check every tree and block (a restore drill)')
    .argument('[restore-point]', 'restore point id or "latest" (the default)')
    .option('--all', 'every restore point (of --workspace, or of all workspaces)')
    .option(
      '--share <share>',
      'share of the data to read back, e.g. 0.1 or 10% (trees: always all)',
      '1',
    )
  addWorkspaceOption(verifyCmd, 'workspace id (default: the only one in the repository)')
  addJsonOption(addRepoOptions(verifyCmd))
    .addHelpText(
      'after',
      `
Damage is reported with the files it affects, and the exit code is 3.

Examples:
  cairn verify --repo /mnt/backup/cairn
  cairn verify --repo s3://bucket/cairn --all --share 10%`,
    )
    .action(async (restorePoint: string | undefined, flags: VerifyFlags & JsonFlag) =>
      run(!!flags.json, (ctx) => verify(ctx, restorePoint, flags)),
    )

  // ---- check
  const checkCmd = program
    .command('check')
    .description('check the repository: index, packs, every tree, every block present')
    .option('--read-data <share>', 'also read back this share of the data, e.g. 0.1 or 10%')
    .option(
      '--repair-index',
      'first rebuild what the index is missing from the packs (takes the lease; deletes nothing)',
    )
  addWorkspaceOption(checkCmd, 'only this workspace (default: all)')
  addJsonOption(addRepoOptions(checkCmd))
    .addHelpText(
      'after',
      `
Damage is reported with the restore points and files it affects, and the exit code is 3.
Packs no index knows (left by an interrupted backup) are listed but are not damage.

Examples:
  cairn check --repo /mnt/backup/cairn
  cairn check --repo s3://bucket/cairn --read-data 5%
  cairn check --repo s3://bucket/cairn --workspace dev --repair-index`,
    )
    .action(async (flags: CheckFlags & JsonFlag) => run(!!flags.json, (ctx) => check(ctx, flags)))

  // ---- forget
  const forgetCmd = program
    .command('forget')
    .description(
      'remove restore points a retention policy does not keep (tagged stop, pinned and the latest always stay)',
    )
    .option('--keep-last <n>', 'keep the n newest')
    .option('--keep-hourly <n>', 'keep the newest of each of the last n hours that have one (UTC)')
    .option('--keep-daily <n>', 'keep the newest of each of the last n days that have one (UTC)')
    .option('--keep-weekly <n>', 'keep the newest of each of the last n ISO weeks that have one')
    .option('--keep-monthly <n>', 'keep the newest of each of the last n months that have one')
    .option(
      '--keep-within <duration>',
      'keep everything this much older than the newest: 2d, 36h, 1w',
    )
    .option('--dry-run', 'show what would be removed and why; change nothing')
  addWorkspaceOption(forgetCmd, 'workspace id (default: the only one in the repository)')
  addJsonOption(addRepoOptions(forgetCmd))
    .addHelpText(
      'after',
      `
Without any --keep flag Cairn's defaults apply: --keep-last 10 --keep-hourly 24 --keep-daily 14
--keep-weekly 8 --keep-monthly 12 --keep-within 2d. With some, only those rules apply. Restore
points tagged stop, pinned ones and the newest are always kept. Only the restore points are
removed; the data only they referenced stays in storage until a prune. Refused (exit code 5)
while another writer holds the workspace's lease.

Examples:
  cairn forget --repo s3://bucket/cairn --workspace site --dry-run
  cairn forget --repo /mnt/backup/cairn --keep-daily 7 --keep-weekly 4 --json`,
    )
    .action(async (flags: ForgetFlags & JsonFlag) => run(!!flags.json, (ctx) => forget(ctx, flags)))

  // ---- prune
  const pruneCmd = program
    .command('prune')
    .description('free the storage no restore point of a workspace needs (after a forget)')
    .option('--dry-run', 'list what would be deleted and repacked, and the bytes; change nothing')
    .option(
      '--max-unused <share>',
      'repack a pack when more than this share of it is unused: 0.3 or 30% (default)',
    )
  addWorkspaceOption(pruneCmd, 'workspace id (default: the only one in the repository)')
  addJsonOption(addRepoOptions(pruneCmd))
    .addHelpText(
      'after',
      `
Deletes packs no listed restore point uses, copies the used part of mostly-unused packs into new
packs, and deletes packs an interrupted backup left more than an hour ago. Takes the workspace's
lease: refused (exit code 5) while a backup or another desktop holds it. Interrupted at any point,
every restore point stays restorable; run it again to finish. Prints the requests it made.

Examples:
  cairn prune --repo s3://bucket/cairn --workspace site --dry-run
  cairn prune --repo /mnt/backup/cairn --workspace site --json`,
    )
    .action(async (flags: PruneFlags & JsonFlag) => run(!!flags.json, (ctx) => prune(ctx, flags)))

  // ---- pins
  for (const [name, description] of [
    ['pin', 'keep a restore point whatever the retention policy says (seen by every desktop)'],
    ['unpin', 'let the retention policy decide about a pinned restore point again'],
  ] as const) {
    const cmd = program
      .command(name)
      .description(description)
      .argument('<restore-point>', 'restore point id (or a unique prefix of 4+ digits)')
    addWorkspaceOption(cmd, 'workspace id (default: the only one in the repository)')
    addJsonOption(addRepoOptions(cmd)).action(
      async (restorePoint: string, flags: PinFlags & JsonFlag) =>
        run(!!flags.json, (ctx) =>
          name === 'pin' ? pin(ctx, restorePoint, flags) : unpin(ctx, restorePoint, flags),
        ),
    )
  }
  const pinsCmd = program.command('pins').description('list pinned restore points')
  addWorkspaceOption(pinsCmd, 'workspace id (default: the only one in the repository)')
  addJsonOption(addRepoOptions(pinsCmd)).action(async (flags: PinFlags & JsonFlag) =>
    run(!!flags.json, (ctx) => pins(ctx, flags)),
  )

  // ---- schedules (the desktop app's, in its data directory)
  const schedulesCmd = program
    .command('schedules')
    .description("show the desktop app's backup and verify schedules (its data directory)")
    .option(
      '--data-dir <dir>',
      'the app data directory (default: $CAIRN_DATA_DIR or the app folder)',
    )
  addJsonOption(schedulesCmd).action(async (flags: SchedulesFlags & JsonFlag) =>
    run(!!flags.json, (ctx) => schedules(ctx, flags)),
  )
  const schedulesSetCmd = schedulesCmd
    .command('set')
    .description("change one workspace's schedule; a running app picks it up within a minute")
    .requiredOption('-w, --workspace <name>', 'workspace name or id')
    .option('--backup-every <every>', 'off, default (2h) or a duration: 30m, 2h, 1d')
    .option('--verify-every <every>', 'off, default (7d) or a duration: 12h, 7d')
    .option('--retention <on|off>', 'apply the retention policy after scheduled backups')
    .option(
      '--data-dir <dir>',
      'the app data directory (default: $CAIRN_DATA_DIR or the app folder)',
    )
  addJsonOption(schedulesSetCmd).action(async (flags: SchedulesSetFlags & JsonFlag) =>
    run(!!flags.json, (ctx) => schedulesSet(ctx, flags)),
  )

  // ---- key
  const key = program
    .command('key')
    .description('the master key: status, recovery key export and import; workspace key rotation')
  key.addHelpText(
    'after',
    '\nThe master key lives only in the OS keychain (or, for automation, in CAIRN_MASTER_KEY_FILE).',
  )
  addJsonOption(
    key.command('status').description('show whether a master key is here, and its id'),
  ).action(async (flags: JsonFlag) => run(!!flags.json, (ctx) => keyStatus(ctx)))
  addJsonOption(
    key
      .command('export-recovery')
      .description('print the recovery key (the master key as a typeable code with checksums)')
      .option('--again', 'show it again although it was shown before'),
  )
    .addHelpText(
      'after',
      `
The recovery key is printed on stdout, once; a warning goes to stderr. Keep it offline: with it
and your storage, anyone can read your backups. Showing it again needs --again.

Example:
  cairn key export-recovery > /media/usb/cairn-recovery.txt`,
    )
    .action(async (flags: { again?: boolean } & JsonFlag) =>
      run(!!flags.json, (ctx) => keyExport(ctx, flags)),
    )
  addJsonOption(
    addRepoOptions(
      key
        .command('import-recovery')
        .description("store a recovery key (read from stdin) as this machine's master key")
        .option('--replace', 'replace a different master key already in the keychain'),
      false,
    ),
  )
    .addHelpText(
      'after',
      `
The key is read from stdin (typed at a prompt on a terminal), never from an argument, so it
stays out of shell history. Mistyped groups are named. With --repo, the key must open that
repository before it is stored. A replaced key is kept as "master-key.replaced.<id>".

Examples:
  cairn key import-recovery --repo s3://bucket/cairn
  cairn key import-recovery < cairn-recovery.txt`,
    )
    .action(async (flags: ImportFlags & JsonFlag) =>
      run(!!flags.json, (ctx) => keyImport(ctx, flags)),
    )
  const rotateCmd = key
    .command('rotate')
    .description('give a workspace a new data key version (new backups use it)')
  addWorkspaceOption(rotateCmd, 'workspace id (default: the only one in the repository)')
  addJsonOption(addRepoOptions(rotateCmd))
    .addHelpText(
      'after',
      `
Older restore points stay readable with their own key versions. Chunks written with the old key
are not reused, so the next backup uploads everything again (what a rotation after a suspected
leak should do). Safe to interrupt: the new key file is one create-only write.

Example:
  cairn key rotate --repo s3://bucket/cairn --workspace laptop-project`,
    )
    .action(async (flags: RotateFlags & JsonFlag) =>
      run(!!flags.json, (ctx) => keyRotateWorkspace(ctx, flags)),
    )
  addJsonOption(
    addRepoOptions(
      key
        .command('rotate-master')
        .description('replace the master key; prints the new recovery key')
        .option(
          '--new-key-file <path>',
          'with CAIRN_MASTER_KEY_FILE: where to write the new key (must not exist yet)',
        ),
    ),
  )
    .addHelpText(
      'after',
      `
A new master key re-wraps every workspace key of the repository (no data is re-uploaded). The
old recovery key stops working; the new one is printed on stdout, once. With the keychain, the
new key replaces the old one there (the old is kept as "master-key.replaced.<id>"). With
CAIRN_MASTER_KEY_FILE, the new key goes to --new-key-file and the old file is left alone.
Interrupted, run the same command again: it finishes the rotation with the same new key.
Other machines then need the new recovery key (cairn key import-recovery --replace).

Examples:
  cairn key rotate-master --repo s3://bucket/cairn > /media/usb/cairn-recovery.txt
  CAIRN_MASTER_KEY_FILE=old.key cairn key rotate-master --repo /mnt/backup --new-key-file new.key`,
    )
    .action(async (flags: RotateMasterFlags & JsonFlag) =>
      run(!!flags.json, (ctx) => keyRotateMaster(ctx, flags)),
    )

  return program
}
