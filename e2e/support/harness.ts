import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import type { HetznerControlClient, ProjectInfo } from '../../cloud/index'
import { dispatch } from '../../src/main/core/api/dispatch'
import { createCore, type CoreWithServices } from '../../src/main/core/app'
import { KeytarSecretStore } from '../../src/main/core/secrets/keytar-secret-store'
import type { SecretStore } from '../../src/main/core/secrets/secret-store'
import { workspaceOptionsFromEnv } from '../../src/main/core/workspaces/env-options'
import { startHost, type RunningHost } from '../../src/main/host/server'
import type { MethodInput, MethodName, MethodOutput } from '../../src/shared/contract'
import { ensureRendererBuilt, RENDERER_DIR } from './build'
import { launchChromium, type LaunchedBrowser } from './chromium'
import { control as hetznerControl, localCloud, type HetznerInfo, type S3Info } from './cloud'
import { Keychain } from './keychain'

export interface OpenOptions {
  colorScheme?: 'light' | 'dark'
  viewport?: { width: number; height: number }
  /** Open the host's URL without its #token=… (to see the refusal). */
  withoutToken?: boolean
}

export interface E2E {
  /** The fake Hetzner API; `project` is this file's own project (token, faults, rate limit). */
  hetzner: HetznerInfo & { apiBase: string; project: ProjectInfo; control: HetznerControlClient }
  s3: S3Info
  /** This file's keychain entries (a service name of its own in the private Secret Service). */
  keychain: Keychain
  host: RunningHost
  core: CoreWithServices
  dataDir: string
  /**
   * The ssh config the core keeps its `Host cairn-<name>` block in: under a throwaway HOME of this
   * file, never the user's ~/.ssh/config. `ssh -F <sshConfig> cairn-<name>` reaches a workspace.
   */
  sshConfig: string
  /** That throwaway HOME (for the ssh client the tests run). */
  home: string
  /** A fresh browser context and page on the host's URL, at 1280x800 unless told otherwise. */
  open(options?: OpenOptions): Promise<Page>
  /** A call to the core as the UI would make it (through dispatch), for setup and checks. */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>
  /** Stops the host (the page sees its connection drop). */
  stopHost(): Promise<void>
}

/**
 * Per test file: a real core and headless host on a fresh data directory, pointed at the local
 * cloud's fake Hetzner API, with secrets in a keychain service of its own, and Chromium.
 * Call at the top level of the file; use the returned object inside tests.
 */
export interface E2EOptions {
  /**
   * The core's secret store for this file's service name. Default: the OS keychain through keytar
   * (the private Secret Service); a test of a machine without one passes a store that fails.
   */
  secrets?: (service: string) => SecretStore
}

export function useE2E(options: E2EOptions = {}): E2E {
  const state: Partial<E2E> & { browser?: LaunchedBrowser; contexts: BrowserContext[] } = {
    contexts: [],
  }
  let hostStopped = false

  beforeAll(async () => {
    const cloud = localCloud()
    // keytar (libsecret) reads the session bus address when it first connects: this makes the
    // core in this process, and the checks below, use the private Secret Service.
    Object.assign(process.env, cloud.keyringEnv)
    ensureRendererBuilt()

    const control = hetznerControl()
    const project = await control.createProject()
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-e2e-data-'))
    const home = await mkdtemp(join(tmpdir(), 'cairn-e2e-home-'))
    const sshConfig = join(home, '.ssh', 'config')
    const service = `Cairn e2e ${randomBytes(4).toString('hex')}`
    // As src/main/host/main.ts builds it, with CAIRN_VM_SSH_PORT set to the fake VMs' SSH port
    // (22 in CI, 2222 where the machine's own sshd holds 22); plus an ssh config under a temp
    // HOME, so the user's ~/.ssh/config is never touched, and short readiness polls.
    const core = await createCore({
      dataDir,
      host: 'headless',
      version: '0.0.0-e2e',
      secrets: options.secrets?.(service) ?? new KeytarSecretStore({ service }),
      workspaces: {
        ...workspaceOptionsFromEnv({ CAIRN_VM_SSH_PORT: String(cloud.hetzner.sshPort) }),
        sshConfigPath: sshConfig,
        readinessTimeouts: { server: 60_000, ssh: 60_000, 'cloud-init': 60_000 },
        pollIntervalMs: 200,
      },
    })
    const call = async <M extends MethodName>(method: M, input: MethodInput<M>) => {
      const result = await dispatch(core.handlers, method, input, { host: 'headless' })
      if (!result.ok)
        throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`)
      return result.output as MethodOutput<M>
    }
    const apiBase = `${cloud.hetzner.url.replace(/\/$/, '')}`
    await call('settings.setHetznerApiBase', { url: apiBase })
    const host = await startHost({ dataDir, rendererDir: RENDERER_DIR, core })
    const browser = await launchChromium()

    Object.assign(state, {
      hetzner: { ...cloud.hetzner, apiBase, project, control },
      s3: cloud.s3,
      keychain: new Keychain(service),
      host,
      core,
      dataDir,
      sshConfig,
      home,
      browser,
      call,
    })
  })

  afterEach(async () => {
    for (const context of state.contexts.splice(0)) await context.close().catch(() => {})
  })

  afterAll(async () => {
    await state.browser?.close()
    if (!hostStopped) await state.host?.close().catch(() => {})
    await state.core?.dispose().catch(() => {})
    await state.keychain?.clear().catch(() => {})
    if (state.hetzner) await state.hetzner.control.reset(state.hetzner.project.id).catch(() => {})
    if (state.dataDir)
      await rm(state.dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    if (state.home) await rm(state.home, { recursive: true, force: true })
  })

  const need = <K extends keyof E2E>(key: K): E2E[K] => {
    const value = state[key]
    if (value === undefined) throw new Error(`e2e harness: ${key} is not ready (beforeAll failed?)`)
    return value as E2E[K]
  }

  return {
    get hetzner() {
      return need('hetzner')
    },
    get s3() {
      return need('s3')
    },
    get keychain() {
      return need('keychain')
    },
    get host() {
      return need('host')
    },
    get core() {
      return need('core')
    },
    get dataDir() {
      return need('dataDir')
    },
    get sshConfig() {
      return need('sshConfig')
    },
    get home() {
      return need('home')
    },
    call(method, input) {
      return need('call')(method, input)
    },
    async open(options = {}) {
      if (!state.browser) throw new Error('e2e harness: no browser')
      const context = await state.browser.browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 800 },
        colorScheme: options.colorScheme ?? 'light',
        reducedMotion: 'reduce',
      })
      state.contexts.push(context)
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      page.on('console', (message) => {
        // A CSP violation is a bug in the renderer or the host, never noise.
        if (/Content Security Policy/i.test(message.text())) errors.push(message.text())
      })
      ;(page as Page & { errors: string[] }).errors = errors
      const url = need('host').url
      await page.goto(options.withoutToken ? url.replace(/#.*$/, '') : url)
      return page
    },
    async stopHost() {
      hostStopped = true
      await need('host').close()
    },
  }
}

/** Uncaught page errors and CSP violations the page reported so far. */
export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? []
}
