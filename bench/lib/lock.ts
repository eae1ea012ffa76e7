/**
 * One benchmark at a time per machine: two runs would measure each other, and each would see the
 * other's run directory under the shared cache dir. A second run waits for the first.
 */
import { readFileSync, rmSync } from 'node:fs'
import { open, readFile, rm } from 'node:fs/promises'
import path from 'node:path'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function acquireBenchLock(
  cacheDir: string,
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const file = path.join(cacheDir, 'bench.lock')
  let told = false
  for (;;) {
    try {
      const handle = await open(file, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      // However this process ends (process.exit included), the lock goes with it.
      const release = () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file)
        } catch {
          // already gone
        }
      }
      process.on('exit', release)
      return async () => release()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim())
    if (!holder || !alive(holder)) {
      await rm(file, { force: true })
      continue
    }
    if (!told) {
      log(`another benchmark (pid ${holder}) is running; waiting for it to finish`)
      told = true
    }
    await new Promise((r) => setTimeout(r, 5000))
  }
}
