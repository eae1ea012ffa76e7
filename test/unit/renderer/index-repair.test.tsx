import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { JobResult } from '../../../src/shared/domain/backup'
import type { WorkspaceCheck } from '../../../src/shared/domain/check'
import type { Job } from '../../../src/shared/domain/jobs'
import { job as jobFixture } from './job-fixture'
import {
  needsIndexRepair,
  RepairOutcome,
} from '../../../src/renderer/src/pages/settings/IndexRepair'

// The index rebuild offered by a check's outcome (Settings > Backups > Maintenance): which
// workspaces get the offer, and what its outcome says in each state. The happy path runs in the
// browser against a real repository (e2e/settings-defaults.test.ts).

function workspace(id: string, parts: Partial<WorkspaceCheck> = {}): WorkspaceCheck {
  return {
    workspaceId: id,
    ok: true,
    indexFiles: 1,
    packs: 2,
    restorePoints: 1,
    treesChecked: 3,
    dataBlobs: 4,
    dataBlobsChecked: 0,
    bytesChecked: 0,
    orphanPacks: [],
    problems: [],
    ...parts,
  }
}

/** The rebuild's job (a check-kind job) in `state`. */
const job = (state: Job['state'], error: Job['error'] = null): Job =>
  jobFixture({ workspaceId: 'a', kind: 'check', title: 'Rebuild the index', state, error })

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')

describe('rebuilding the index from the maintenance page', () => {
  it('is offered for workspaces with a damaged index file or packs in no index, and only those', () => {
    const result: JobResult = {
      kind: 'check',
      ok: false,
      readData: 0,
      durationMs: 5,
      workspaces: [
        workspace('healthy'),
        workspace('orphans', { orphanPacks: [{ id: 'p'.repeat(64), size: 10 }] }),
        workspace('damaged', {
          ok: false,
          problems: [
            {
              kind: 'index',
              object: `index/${'i'.repeat(64)}`,
              message: 'Index file iiiiiiii is damaged.',
              restorePoints: [],
              paths: [],
            },
          ],
        }),
        workspace('lost-data', {
          ok: false,
          problems: [
            {
              kind: 'data',
              object: `blob/${'b'.repeat(64)}`,
              message: 'Blob bbbbbbbb failed authentication.',
              restorePoints: ['s'],
              paths: ['a.txt'],
            },
          ],
        }),
      ],
    }
    expect(needsIndexRepair(result)).toEqual(['orphans', 'damaged'])
    expect(needsIndexRepair(null)).toEqual([])
  })

  it('says what was added and moved aside, and warns about packs it could not read', () => {
    const result: JobResult = {
      kind: 'repair-index',
      workspaceId: 'a',
      indexed: [
        { id: 'p'.repeat(64), size: 1024 },
        { id: 'q'.repeat(64), size: 2048 },
      ],
      blobsAdded: 7,
      failed: [{ id: 'f'.repeat(64), message: 'its header does not authenticate' }],
      indexFiles: ['n'.repeat(64)],
      movedIndexFiles: ['d'.repeat(64)],
    }
    const html = renderToStaticMarkup(
      <RepairOutcome job={job('succeeded')} result={result} name="site" onCheck={() => {}} />,
    )
    expect(html).toContain('callout-warning')
    expect(text(html)).toContain('The index of site was rebuilt')
    expect(text(html)).toContain(
      '2 packs (3.0 KiB, 7 blocks) added to the index; 1 damaged index file moved aside',
    )
    expect(text(html)).toContain('1 pack could not be read and was left in place')
    expect(text(html)).toContain('pack/ffffffff: its header does not authenticate')
    expect(text(html)).toContain('Check again')
  })

  it('shows a failed rebuild as an error in the core words, and a cancelled one as such', () => {
    const failed = renderToStaticMarkup(
      <RepairOutcome
        job={job('failed', {
          code: 'conflict',
          message: 'The workspace is locked by a backup on laptop (2 minutes ago).',
        })}
        result={null}
        name="site"
        onCheck={() => {}}
      />,
    )
    expect(failed).toContain('callout-error')
    expect(text(failed)).toContain('The index could not be rebuilt')
    expect(text(failed)).toContain('locked by a backup on laptop')
    const cancelled = renderToStaticMarkup(
      <RepairOutcome job={job('cancelled')} result={null} name="site" onCheck={() => {}} />,
    )
    expect(text(cancelled)).toContain('Rebuilding the index cancelled')
  })
})
