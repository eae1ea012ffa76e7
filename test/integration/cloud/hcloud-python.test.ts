import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newHetznerProject } from '../../support/cloud-info'

// Conformance of the fake Hetzner API, judged by Hetzner's own Python client (python3-hcloud):
// it raises on answers whose shape it cannot parse, and the script asserts what it parsed.

const run = promisify(execFile)
const script = path.join(import.meta.dirname, 'fixtures/hcloud_conformance.py')
const python = '/usr/bin/python3'

let keyDir: string
let publicKey: string

beforeAll(async () => {
  keyDir = await mkdtemp(path.join(tmpdir(), 'cairn-hcloud-py-'))
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'conformance',
    '-f',
    path.join(keyDir, 'key'),
  ])
  publicKey = (await readFile(path.join(keyDir, 'key.pub'), 'utf8')).trim()
})

afterAll(async () => {
  await rm(keyDir, { recursive: true, force: true })
})

describe('fake Hetzner API with the official hcloud Python client', () => {
  it('lists the catalog, creates, finds, powers off and deletes servers', async () => {
    const project = await newHetznerProject()
    const { stdout } = await run(python, [script, project.url, project.token, publicKey], {
      timeout: 50_000,
    })
    const out = JSON.parse(stdout) as Record<string, unknown>
    expect(out.locations).toEqual(
      expect.arrayContaining(['fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin']),
    )
    expect(out.server_types).toEqual(
      expect.arrayContaining(['cx22', 'cx32', 'cpx11', 'cax11', 'ccx13']),
    )
    expect(out.deprecated_types).toEqual(['cx11'])
    expect(out.cx22_fsn1_monthly).toEqual({ net: '3.7900000000', gross: '4.5101000000000000' })
    expect(out.images).toEqual(
      expect.arrayContaining(['ubuntu-22.04', 'ubuntu-24.04', 'debian-12']),
    )
    expect(out.created_ip).toMatch(/^(127\.0\.0\.\d+|203\.0\.113\.\d+)$/)
    expect(out.status_after_create).toBe('running')
    expect(out.by_label).toEqual(['py-conformance-1'])
    expect(out.by_label_neq).toEqual(['py-conformance-2'])
    expect(out.by_name).toEqual(['py-conformance-2'])
    expect(out.status_after_poweroff).toBe('off')
    expect(out.servers_after_delete).toEqual([])
    expect(out.ssh_keys_after_delete).toBe(0)
  })

  it('answers an unknown token with hcloud.APIException code unauthorized', async () => {
    const project = await newHetznerProject()
    const code = [
      'import sys',
      'from hcloud import Client, APIException',
      'try:',
      '    Client(token="not-a-token", api_endpoint=sys.argv[1]).locations.get_all()',
      '    print("no exception")',
      'except APIException as e:',
      '    print(e.code, "|", e.message, "|", e.details)',
    ].join('\n')
    const { stdout } = await run(python, ['-c', code, project.url])
    expect(stdout.trim()).toBe('unauthorized | unable to authenticate | {}')
  })
})
