import type { Readable } from 'node:stream'

const MAX_LINE = 64 * 1024

/**
 * Reads a diagnostic stream line by line as it arrives. The stream must always be drained: an
 * unread stderr fills the SSH window and stalls the remote command. Overlong lines are cut.
 */
export function readLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let partial = ''
    stream.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8')
      let nl = partial.indexOf('\n')
      while (nl >= 0) {
        onLine(partial.slice(0, nl))
        partial = partial.slice(nl + 1)
        nl = partial.indexOf('\n')
      }
      if (partial.length > MAX_LINE) {
        onLine(partial.slice(0, MAX_LINE))
        partial = ''
      }
    })
    stream.once('end', () => {
      if (partial !== '') onLine(partial)
      resolve()
    })
    stream.once('error', reject)
  })
}
