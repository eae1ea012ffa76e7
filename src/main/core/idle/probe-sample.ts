/** One process of the VM as the probe saw it. CPU times are in clock ticks. */
export interface ProbeProcess {
  pid: number
  ppid: number
  /** Controlling terminal as the kernel encodes it (0: none). */
  ttyNr: number
  utime: number
  stime: number
  /** CPU of children this process has waited for. */
  cutime: number
  cstime: number
  /** Start time, epoch ms on the VM clock. */
  startedAt: number
  /** The kernel's 15-character name (characters outside [A-Za-z0-9._:@/+-] become `?`). */
  comm: string
  /** The first 300 bytes of the command line, arguments joined by spaces ('' if unreadable). */
  cmdline: string
}

/** A terminal some process of the VM holds. The kernel keeps these times at 8-second steps. */
export interface ProbeTerminal {
  /** `/dev/pts/3`, `/dev/tty1` */
  device: string
  /** Last input read from it, epoch ms. */
  inputAt: number
  /** Last output written to it, epoch ms. */
  outputAt: number
}

export interface NewestChange {
  /** How many entries changed since the horizon. */
  count: number
  /** Inode change time of the newest, epoch ms; null when none changed. */
  at: number | null
  /** Its path on the VM (non-printable bytes as `?`). */
  path: string | null
}

/** What one probe reported, with every time on the VM's clock (epoch ms). */
export interface ProbeSample {
  /** The VM clock when the probe started. */
  now: number
  /** Changes older than this were not looked for (now - lookback). */
  horizon: number
  /** Pid of the probe's own shell. */
  selfPid: number
  /** Client address and port of the probe's own SSH connection, when the VM said. */
  connection: { ip: string; port: number } | null
  bootTime: number
  /** /proc/stat `cpu` line: user nice system idle iowait irq softirq steal (ticks). */
  systemCpu: number[] | null
  load: [number, number, number] | null
  processes: ProbeProcess[]
  terminals: ProbeTerminal[]
  /** SSH_CONNECTION of the processes the probing user may read: pid -> client. */
  sshClients: Map<number, { ip: string; port: number }>
  fileChange: NewestChange
  agentFileChange: NewestChange
}
