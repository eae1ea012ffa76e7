import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// Each fixture is deliberately bad code. It is linted as if it lived at `placeAt`, so the test
// proves the rule fires where the architecture forbids it and stays quiet where it is allowed.
const root = path.resolve(import.meta.dirname, '../../..')
const eslint = new ESLint({ cwd: root })

async function lintAs(fixture: string, placeAt: string) {
  const code = readFileSync(path.join(root, 'test/lint-fixtures', fixture), 'utf8')
  const [result] = await eslint.lintText(code, { filePath: path.join(root, placeAt) })
  return (result?.messages ?? []).map((m) => m.ruleId)
}

describe('layering lint rules', () => {
  it.each([
    ['src/renderer/src/bad.ts'],
    ['src/main/core/bad.ts'],
    ['src/main/host/bad.ts'],
    ['src/shared/bad.ts'],
    ['src/cli/bad.ts'],
    ['cloud/bad.ts'],
  ])("refuses import of 'electron' in %s", async (placeAt) => {
    expect(await lintAs('imports-electron.ts', placeAt)).toContain('cairn/layering')
  })

  it.each([['src/main/electron/ok.ts'], ['src/preload/ok.ts']])(
    "allows 'electron' in %s",
    async (placeAt) => {
      expect(await lintAs('imports-electron.ts', placeAt)).not.toContain('cairn/layering')
    },
  )

  it('refuses the renderer importing src/main', async () => {
    expect(await lintAs('renderer-imports-main.ts', 'src/renderer/src/x/bad.ts')).toContain(
      'cairn/layering',
    )
  })

  it('refuses src/shared importing src/main or src/renderer', async () => {
    expect(await lintAs('shared-imports-main.ts', 'src/shared/bad.ts')).toContain('cairn/layering')
    expect(await lintAs('shared-imports-renderer.ts', 'src/shared/bad.ts')).toContain(
      'cairn/layering',
    )
  })

  it('refuses Node built-ins in the renderer and shared, allows them in core', async () => {
    expect(await lintAs('renderer-imports-node.ts', 'src/renderer/src/bad.ts')).toContain(
      'cairn/layering',
    )
    expect(await lintAs('renderer-imports-node.ts', 'src/shared/bad.ts')).toContain(
      'cairn/layering',
    )
    expect(await lintAs('renderer-imports-node.ts', 'src/main/core/ok.ts')).not.toContain(
      'cairn/layering',
    )
  })

  it('refuses raw ipcRenderer outside the preload', async () => {
    expect(await lintAs('raw-ipc.ts', 'src/renderer/src/bad.ts')).toContain('cairn/no-raw-ipc')
    expect(await lintAs('raw-ipc.ts', 'src/main/electron/bad.ts')).toContain('cairn/no-raw-ipc')
    expect(await lintAs('raw-ipc.ts', 'src/preload/ok.ts')).not.toContain('cairn/no-raw-ipc')
  })
})
