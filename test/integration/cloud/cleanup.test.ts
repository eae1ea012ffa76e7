import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { HetznerControlClient } from '../../../cloud/hetzner/control-client'

// `npm run cloud:local` stops everything it started: on Ctrl-C / SIGTERM through its handlers,
// and when it is killed outright (SIGKILL) through the reaper process.

const root = path.resolve(import.meta.dirname, '../../..')

interface Started {
  child: ChildProcess
  api: string
  token: string
  control: HetznerControlClient
  s3: string
  busDir: string
}

async function startMain(): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cloud/main.ts', '--action-ms', '20'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cloud:local did not start: ${out}`)), 30_000)
    child.stdout?.on('data', (d: string) => {
      out += d
      if (out.includes('export DBUS_SESSION_BUS_ADDRESS')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.stderr?.on('data', (d: string) => (out += d))
    child.once('exit', () => reject(new Error(`cloud:local exited: ${out}`)))
  })
  const field = (label: string) => out.match(new RegExp(`${label}:\\s+(\\S+)`))?.[1] ?? ''
  const control = out.match(/control:\s+(\S+)\s+\(Bearer (\S+)\)/)
  return {
    child,
    api: field('URL'),
    token: field('token'),
    control: new HetznerControlClient(control?.[1] ?? '', control?.[2] ?? ''),
    s3: field('endpoint'),
    busDir: path.dirname(out.match(/unix:path=([^,']+)/)?.[1] ?? '/nonexistent/bus'),
  }
}

function listening(url: string, port?: number): Promise<boolean> {
  const u = new URL(url.startsWith('http') ? url : `tcp://${url}`)
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: port ?? Number(u.port) })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

async function withRunningVm(
  s: Started,
): Promise<{ ip: string; sshPort: number; homeDir: string }> {
  const res = await fetch(`${s.api}/servers`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${s.token}` },
    body: JSON.stringify({ name: 'cleanup-vm', server_type: 'cx22', image: 'ubuntu-24.04' }),
  })
  expect(res.status).toBe(201)
  for (;;) {
    const [vm] = await s.control.vms()
    if (vm?.status === 'running')
      return { ip: vm.ip, sshPort: vm.sshPort, homeDir: vm.homeDir ?? '' }
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function eventually(check: () => Promise<boolean>, ms = 8000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return check()
}

async function everythingGone(s: Started, vm: { ip: string; sshPort: number; homeDir: string }) {
  expect(await eventually(async () => !(await listening(s.api)))).toBe(true)
  expect(await eventually(async () => !(await listening(s.s3)))).toBe(true)
  expect(await eventually(async () => !(await listening(vm.ip, vm.sshPort)))).toBe(true)
  expect(await eventually(async () => !existsSync(s.busDir) && !existsSync(vm.homeDir))).toBe(true)
}

describe('cloud:local', () => {
  it('stops everything on SIGINT', async () => {
    const s = await startMain()
    const vm = await withRunningVm(s)
    expect(await listening(vm.ip, vm.sshPort)).toBe(true)
    expect(existsSync(s.busDir)).toBe(true)
    s.child.kill('SIGINT')
    const code = await new Promise((r) => s.child.once('exit', r))
    expect(code).toBe(0)
    await everythingGone(s, vm)
  })

  it('leaves nothing behind when killed with SIGKILL', async () => {
    const s = await startMain()
    const vm = await withRunningVm(s)
    s.child.kill('SIGKILL')
    await new Promise((r) => s.child.once('exit', r))
    await everythingGone(s, vm)
  })
})
