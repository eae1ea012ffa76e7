import { connectSsh, type SshConnectOptions, type SshConnection } from '../ssh/connection'
import type { Source } from './source'

/** A source over an open SSH connection (the caller keeps owning it unless `own` is set). */
export function sshSource(connection: SshConnection, options: { own?: boolean } = {}): Source {
  void connection
  void options
  throw new Error('not implemented yet')
}

/** Connects (host key pinned) and returns a source that closes the connection on close(). */
export async function connectSshSource(options: SshConnectOptions): Promise<Source> {
  return sshSource(await connectSsh(options), { own: true })
}
