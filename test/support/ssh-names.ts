/**
 * How OpenSSH and Cairn name a host and port. Fake VMs listen on 22 when the machine's own sshd
 * does not hold it (as in CI) and on 2222 otherwise, so tests must not assume either form.
 */
export function hostLabel(host: string, port: number): string {
  return port === 22 ? host : `${host}:${port}`
}

/** The host field of a known_hosts line: `[host]:port`, or the bare host for port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}
