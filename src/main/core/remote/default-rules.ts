/**
 * The default include/exclude rules for a workspace backup (rule syntax: see path-filter.ts and
 * docs/pull-backup.md). Patterns starting with `/` are anchored at each backed-up path, which for a
 * workspace is the user's home, so `/.cache/` means ~/.cache.
 */

/**
 * Caches that tools rebuild or re-download by themselves, transparently, and that are big or churn
 * on every build. Installed things (node_modules, .venv, ~/.rustup toolchains, ~/.cargo/bin) are NOT
 * here: a restored workspace must work without a reinstall, and dedup makes them cheap after the
 * first backup. Build outputs (target/, dist/) are kept too: rebuilding can take hours.
 */
export const CACHE_EXCLUDES: readonly string[] = [
  '/.cache/', // XDG cache: pip, yarn, go-build, ms-playwright, huggingface, ...
  '**/node_modules/.cache/', // babel-loader, eslint, terser, webpack caches
  '/.npm/_cacache/', // npm's download cache; node_modules itself is kept
  '/.npm/_logs/',
  '/.npm/_npx/',
  '/.yarn/berry/cache/',
  '/.local/share/pnpm/store/', // pnpm's content store; node_modules keeps its own copies
  '/.bun/install/cache/',
  '/.cargo/registry/', // crate sources and index, re-downloaded by cargo from Cargo.lock
  '/.cargo/git/',
  '/.rustup/downloads/',
  '/.rustup/tmp/',
  '/go/pkg/mod/', // Go module cache (read-only files), re-downloaded from go.sum
  '/.gradle/caches/',
  '__pycache__/', // Python bytecode, rewritten on import
  '/.local/share/Trash/',
]

/**
 * Credentials for other systems. They are not copied into long-lived restore points by default:
 * a restore point outlives the key (a revoked GitHub token or rotated SSH key would live on in
 * every old point), and whoever gets the recovery key would get every credential ever used on the
 * VM. Configuration next to them (ssh config, known_hosts, public keys) is kept. After a restore,
 * log in again (gh auth login, aws configure, ...). The setting `secretsPolicy: 'include'` keeps
 * them.
 */
export const CREDENTIAL_EXCLUDES: readonly string[] = [
  '/.ssh/*', // private keys (any name), control sockets, agent sockets
  '!/.ssh/*.pub',
  '!/.ssh/config',
  '!/.ssh/config.d/',
  '!/.ssh/known_hosts',
  '!/.ssh/known_hosts.old',
  '!/.ssh/authorized_keys',
  '!/.ssh/authorized_keys2',
  '!/.ssh/rc',
  '!/.ssh/environment',
  '/.gnupg/private-keys-v1.d/',
  '/.gnupg/secring.gpg',
  '/.config/gh/hosts.yml', // GitHub CLI token
  '/.git-credentials',
  '/.netrc',
  '/.aws/credentials',
  '/.aws/sso/cache/',
  '/.config/gcloud/credentials.db',
  '/.config/gcloud/access_tokens.db',
  '/.config/gcloud/legacy_credentials/',
  '/.config/gcloud/application_default_credentials.json',
  '/.azure/msal_token_cache.*',
  '/.azure/accessTokens.json',
  '/.azure/service_principal_entries.json',
  '/.kube/config',
  '/.docker/config.json',
  '/.config/hcloud/cli.toml', // Hetzner API tokens
  '/.pgpass',
  '/.pypirc',
  '/.vault-token',
  '/.terraform.d/credentials.tfrc.json',
  '/.claude/.credentials.json', // coding agents' login tokens
  '/.codex/auth.json',
]

export type SecretsPolicy = 'exclude-credentials' | 'include'

/** The rules a backup uses: defaults first, so that user rules (including `!` rules) win. */
export function backupRules(
  options: {
    secretsPolicy?: SecretsPolicy
    userRules?: readonly string[]
    noCacheExcludes?: boolean
  } = {},
): string[] {
  return [
    ...(options.noCacheExcludes ? [] : CACHE_EXCLUDES),
    ...((options.secretsPolicy ?? 'exclude-credentials') === 'exclude-credentials'
      ? CREDENTIAL_EXCLUDES
      : []),
    ...(options.userRules ?? []),
  ]
}
