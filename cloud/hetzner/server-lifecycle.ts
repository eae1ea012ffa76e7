import type { VmBackend } from '../vm/manager'
import type { ActionRecord, Project, ServerRecord } from './project'

// What happens to a server after the API answered: its actions run for the project's action
// duration, its fake VM boots (the server is "initializing"/"starting" until sshd accepts
// connections and the boot delay passed), injected failures end actions in "error".

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

type Failure = { code: string; message: string } | undefined

export interface Lifecycle {
  project: Project
  vms: VmBackend
  log: (message: string) => void
}

function vmSpec(server: ServerRecord) {
  return {
    serverId: server.id,
    name: server.name,
    userData: server.userData,
    rootKeys: server.rootKeys,
  }
}

/** Boots a server: a VM start plus marking cloud-init done. Returns false if it did not come up. */
async function bootVm(
  life: Lifecycle,
  server: ServerRecord,
  minimum: Promise<unknown>,
): Promise<boolean> {
  try {
    await life.vms.start(vmSpec(server), server.ip)
  } catch (error) {
    life.log(`server ${server.id}: ${(error as Error).message}`)
    return false
  }
  await minimum
  await sleep(life.project.bootDelayMs)
  if (server.gone) return false
  await life.vms
    .markBooted(server.id)
    .catch((error: Error) => life.log(`server ${server.id}: ${error.message}`))
  return true
}

export async function runCreate(
  life: Lifecycle,
  server: ServerRecord,
  create: ActionRecord,
  start: ActionRecord | undefined,
  failures: { create: Failure; start: Failure },
  hold: boolean,
  /** Boot, then stop the VM's processes while the API keeps reporting it running (no SSH). */
  noSsh = false,
): Promise<void> {
  const { project } = life
  const minimum = sleep(create.durationMs)
  if (failures.create) {
    await minimum
    project.finishAction(create, failures.create)
    if (start)
      project.finishAction(start, { code: 'action_failed', message: 'Server creation failed' })
    if (!server.gone) server.status = 'off'
    return
  }
  if (!start) {
    await minimum
    project.finishAction(create)
    if (!server.gone) server.status = 'off'
    return
  }
  if (hold) {
    await new Promise<void>((resolve) => (server.release = resolve))
    server.release = undefined
  }
  if (server.gone) return
  const up = await bootVm(life, server, minimum)
  if (server.gone) return
  if (!up) {
    project.finishAction(create)
    project.finishAction(start, { code: 'server_error', message: 'Server failed to start' })
    server.status = 'off'
    return
  }
  if (failures.start) {
    await life.vms.stop(server.id)
    project.finishAction(create)
    project.finishAction(start, failures.start)
    server.status = 'off'
    return
  }
  if (noSsh) await life.vms.stop(server.id)
  server.status = 'running'
  project.finishAction(create)
  project.finishAction(start)
}

export type PowerCommand =
  'start_server' | 'stop_server' | 'shutdown_server' | 'reboot_server' | 'reset_server'

export async function runPower(
  life: Lifecycle,
  server: ServerRecord,
  action: ActionRecord,
  failure: Failure,
): Promise<void> {
  const { project, vms } = life
  const minimum = sleep(action.durationMs)
  if (failure) {
    await minimum
    project.finishAction(action, failure)
    return
  }
  switch (action.command as PowerCommand) {
    case 'start_server': {
      if (server.status === 'running') break
      server.status = 'starting'
      const up = await bootVm(life, server, minimum)
      if (server.gone) return
      if (!up) {
        server.status = 'off'
        project.finishAction(action, { code: 'server_error', message: 'Server failed to start' })
        return
      }
      server.status = 'running'
      break
    }
    case 'stop_server':
    case 'shutdown_server': {
      if (server.status === 'off') break
      server.status = 'stopping'
      await vms.stop(server.id)
      if (server.gone) return
      server.status = 'off'
      break
    }
    case 'reboot_server':
    case 'reset_server': {
      await vms.stop(server.id)
      if (server.gone) return
      server.status = 'starting'
      const up = await bootVm(life, server, minimum)
      if (server.gone) return
      server.status = up ? 'running' : 'off'
      if (!up) {
        project.finishAction(action, { code: 'server_error', message: 'Server failed to start' })
        return
      }
      break
    }
  }
  await minimum
  project.finishAction(action)
}

export async function runDelete(
  life: Lifecycle,
  server: ServerRecord,
  action: ActionRecord,
  failure: Failure,
  previous: ServerRecord['status'],
): Promise<void> {
  const { project, vms } = life
  await sleep(action.durationMs)
  if (failure) {
    server.status = previous
    project.finishAction(action, failure)
    return
  }
  server.gone = true
  server.release?.()
  try {
    await vms.destroy(server.id)
  } finally {
    await vms.releaseIp(server.ip)
    project.servers.delete(server.id)
    project.finishAction(action)
  }
}
