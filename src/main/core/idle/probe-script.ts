import { shellQuote, shScript } from '../ssh/shell-quote'

/** Bumped when the output format changes; the parser refuses other versions. */
export const PROBE_FORMAT = 1

/**
 * Names pruned from the file-change search: caches, VCS internals, tool state and agent state
 * (agents have their own signal). They are expensive to walk and change without a person at work
 * (VS Code's logs, `git fetch` writing FETCH_HEAD, npm's cache).
 */
export const PRUNED_NAMES = [
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.cache',
  '.npm',
  '.pnpm-store',
  '.yarn',
  '.cargo',
  '.rustup',
  '.gradle',
  '.m2',
  '.nvm',
  '.bun',
  '.deno',
  '.venv',
  'venv',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.tox',
  '.local',
  '.vscode-server',
  '.vscode-server-insiders',
  '.vscode-remote',
  '.cursor-server',
  '.windsurf-server',
  '.vscodium-server',
  '.claude',
  '.codex',
  '.gemini',
  '.cursor',
  '.aider.tags.cache.v4',
] as const

/** Where coding agents write their transcripts, relative to the probing user's home. */
export const AGENT_STATE_DIRS = [
  '.claude/projects',
  '.codex/sessions',
  '.gemini/tmp',
  '.local/share/opencode',
  '.local/share/goose/sessions',
  '.cursor/chats',
  '.qwen/tmp',
] as const

/*
 * The probe: one POSIX sh script, standard tools only (coreutils, findutils, grep, awk), no state
 * on the VM. It prints facts with the VM's own timestamps; the desktop decides what they mean.
 *
 * Arguments: LOOKBACK (seconds: report file changes newer than now - LOOKBACK), then the kept
 * paths. The agent transcript directories (relative to $HOME) are written into the script.
 *
 * Output, one record per line:
 *   cairn-idle-probe 1
 *   now <epoch seconds with fraction>          the VM clock at the start of the probe
 *   self <pid of the probe shell>
 *   conn <SSH_CONNECTION of the probe>          client ip, client port, server ip, server port
 *   clk <clock ticks per second>
 *   btime <boot time, epoch seconds>
 *   cpu <user nice system idle iowait irq softirq steal>   /proc/stat, informational
 *   load <1 min> <5 min> <15 min>
 *   p <pid> <ppid> <tty_nr> <utime> <stime> <cutime> <cstime> <starttime> <comm>
 *   t <device> <atime> <mtime>                   each terminal some process of this VM holds
 *   e <pid> <client ip> <client port>           SSH_CONNECTION of processes we may read
 *   f <count> <ctime> <path>                    newest inode change under the kept paths
 *   a <count> <ctime> <path>                    newest change in the agents' transcripts
 *   @cmdline                                    then `head -v` of /proc/<pid>/cmdline, NULs
 *                                               turned into spaces (parsed by header)
 *
 * Kernel threads (PF_KTHREAD) are left out. Processes that exit while the probe reads are simply
 * missing (every read ignores errors). File times are inode change times (ctime): they cannot be
 * set back with `touch`, and a restore, chmod or rename counts as a change too.
 */
function script(agentDirs: readonly string[]): string {
  // One -regex, not one -name per entry: find moves -name tests ahead of everything else and a
  // long -o chain of them costs ~2 µs per file; glibc compiles the regex once.
  const prune = shellQuote(
    `.*/\\(${PRUNED_NAMES.map((name) => name.replace(/[.[\]*^$\\]/g, '\\$&')).join('\\|')}\\)`,
  ).toString()
  const agents = agentDirs.map((dir) => shellQuote(dir).toString()).join(' ')
  return String.raw`
LC_ALL=C; export LC_ALL
lookback=$1; shift
now=$(date +%s.%N)
since=$(( $(date +%s) - lookback ))
echo "cairn-idle-probe ${PROBE_FORMAT}"
echo "now $now"
echo "self $$"
echo "conn $SSH_CONNECTION"
echo "clk $(getconf CLK_TCK 2>/dev/null || echo 100)"
awk '$1=="btime"{print "btime",$2} $1=="cpu"{print "cpu",$2,$3,$4,$5,$6,$7,$8,$9}' /proc/stat
read l1 l5 l15 rest < /proc/loadavg && echo "load $l1 $l5 $l15"
procs=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '{
  s = index($0, "("); if (!match($0, /\)[^)]*$/)) next
  comm = substr($0, s + 1, RSTART - s - 1); gsub(/[^A-Za-z0-9._:@\/+-]/, "?", comm)
  n = split(substr($0, RSTART + 2), r, " ")
  if (n < 20) next
  if (int(r[7] / 2097152) % 2 == 1) next
  print "p", $1, r[2], r[5], r[12], r[13], r[14], r[15], r[20], comm
}')
printf '%s\n' "$procs"
ttys=$(printf '%s\n' "$procs" | awk '$1=="p" && $4 != 0 {
  t = $4; maj = int(t / 256) % 4096; min = t % 256 + int(t / 1048576) * 256
  if (maj >= 136 && maj <= 143) print "/dev/pts/" ((maj - 136) * 256 + min)
  else if (maj == 4 && min < 64) print "/dev/tty" min
  else if (maj == 4) print "/dev/ttyS" (min - 64)
}' | sort -u)
[ -n "$ttys" ] && stat -c 't %n %X %Y' $ttys 2>/dev/null
grep -a -z -H '^SSH_CONNECTION=' /proc/[0-9]*/environ 2>/dev/null | tr '\0' '\n' |
  sed -n 's,^/proc/\([0-9]*\)/environ:SSH_CONNECTION=\([^ ]*\) \([0-9]*\) .*,e \1 \2 \3,p'
newest() {
  awk -v tag="$1" 'BEGIN{n=0} {n++; if (n == 1 || $1 + 0 > m + 0) {m = $1; p = $0}}
    END{if (n) {sub(/^[^ ]* /, "", p); gsub(/[^ -~]/, "?", p); print tag, n, m, p} else print tag, 0}'
}
if [ $# -gt 0 ]; then
  find "$@" -xdev -regex ${prune} -prune -o -newerct "@$since" -printf '%C@ %p\n' 2>/dev/null | newest f
else
  echo "f 0"
fi
if cd "$HOME" 2>/dev/null; then
  find ${agents} -xdev -type f -newerct "@$since" -printf '%C@ %p\n' 2>/dev/null | newest a
else
  echo "a 0"
fi
echo "@cmdline"
head -v -c 300 $(printf '%s\n' "$procs" | awk '{print "/proc/" $2 "/cmdline"}') 2>/dev/null | tr '\0' ' '
`
}

export interface ProbeArgs {
  /** Report file changes newer than the VM's now minus this many seconds. */
  lookbackSeconds: number
  /** Absolute paths on the VM whose changes count as work. */
  keptPaths: readonly string[]
  /** Agent transcript directories relative to the probing user's home. */
  agentDirs?: readonly string[]
}

/** The command that runs one probe (through the login shell, under /bin/sh). */
export function probeCommand(args: ProbeArgs): Buffer {
  return shScript(script(args.agentDirs ?? AGENT_STATE_DIRS), [
    String(Math.max(1, Math.ceil(args.lookbackSeconds))),
    ...args.keptPaths,
  ])
}
