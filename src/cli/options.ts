import type { Command } from 'commander'

/** Repeatable option: every occurrence is kept, in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

export interface JsonFlag {
  json?: boolean
}

export function addJsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print the result as JSON on stdout (shapes in docs/cli.md)')
}

/** --repo and the S3 settings, on every command that opens a repository. */
export function addRepoOptions(cmd: Command, required = true): Command {
  return cmd
    .option(
      '--repo <location>',
      `repository: s3://bucket/prefix or a folder path (default: $CAIRN_REPO)${required ? '' : '; optional here'}`,
    )
    .option(
      '--endpoint <url>',
      'S3 endpoint URL (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, or AWS from --region)',
    )
    .option('--region <region>', 'S3 region (default: $AWS_REGION, else "auto", as for R2)')
    .option('--access-key-id <id>', 'S3 access key id (default: $AWS_ACCESS_KEY_ID)')
    .option(
      '--secret-access-key <key>',
      'S3 secret key (default: $AWS_SECRET_ACCESS_KEY; prefer the variable: flags show in ps)',
    )
    .option('--path-style', 'S3 path-style URLs (endpoint/bucket/key), the default')
    .option('--no-path-style', 'S3 virtual-hosted URLs (bucket.endpoint/key)')
}

export function addWorkspaceOption(cmd: Command, help: string): Command {
  return cmd.option('-w, --workspace <id>', help)
}

/** How to log in to an ssh:// source or target. */
export function addSshOptions(cmd: Command): Command {
  return cmd
    .option(
      '-i, --identity <file>',
      'SSH private key (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa; passphrase: $CAIRN_SSH_PASSPHRASE)',
    )
    .option(
      '--known-hosts <file>',
      "known_hosts file with the host's key, which is pinned (default: ~/.ssh/known_hosts)",
    )
    .option(
      '--host-key <key>',
      'pin this host key instead: "ssh-ed25519 AAAA..." or "SHA256:..." fingerprint',
    )
}
