import { mkdir, open, readFile, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

// Loopback addresses 127.0.0.2..254 are shared by every local cloud on the machine (parallel test
// runs, a `cloud:local` in another terminal). A lock file per address, holding the owner's pid,
// keeps two clouds from handing out the same address; locks of dead owners are taken over.

const lockDir = path.join(tmpdir(), 'cairn-local-cloud-ips')

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Can we listen on ip:port right now? (Something else may hold it, e.g. a wildcard listener.) */
export function canListen(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen({ host: ip, port, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

async function tryLock(file: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx')
    await handle.writeFile(String(process.pid))
    await handle.close()
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim())
  if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false
  // Stale: its owner is gone. Remove and race for it like anyone else.
  await rm(file, { force: true })
  try {
    const handle = await open(file, 'wx')
    await handle.writeFile(String(process.pid))
    await handle.close()
    return true
  } catch {
    return false
  }
}

export class IpAllocator {
  private readonly held = new Set<string>()
  private next = 2 + Math.floor(Math.random() * 200)

  constructor(private readonly port: number) {}

  /** A free 127.0.0.N whose port is listenable, locked for this process until released. */
  async allocate(): Promise<string> {
    await mkdir(lockDir, { recursive: true })
    for (let tries = 0; tries < 253; tries++) {
      const n = this.next
      this.next = this.next >= 254 ? 2 : this.next + 1
      const ip = `127.0.0.${n}`
      if (this.held.has(ip)) continue
      const file = path.join(lockDir, `${ip}.lock`)
      if (!(await tryLock(file))) continue
      if (!(await canListen(ip, this.port))) {
        await rm(file, { force: true })
        continue
      }
      this.held.add(ip)
      return ip
    }
    throw new Error('no free loopback address left for a fake VM (127.0.0.2-254 all in use)')
  }

  async release(ip: string): Promise<void> {
    if (!this.held.delete(ip)) return
    await rm(path.join(lockDir, `${ip}.lock`), { force: true })
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held].map((ip) => this.release(ip)))
  }
}

/**
 * The SSH port fake VMs listen on: 22 when 127.0.0.x:22 is free (as on a machine without its own
 * sshd), else 2222, else any free port. Real Hetzner servers always use 22; callers that connect
 * to fake VMs must take the port from the local cloud's info.
 */
export async function chooseSshPort(preferred?: number): Promise<number> {
  if (preferred !== undefined) return preferred
  const probeIp = '127.0.0.255'
  for (const port of [22, 2222]) if (await canListen(probeIp, port)) return port
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen({ host: probeIp, port: 0 }, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
