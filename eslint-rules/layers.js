// The layers of Cairn and what each may import. One table, read by the lint rules below, so the
// architecture in design.md is checked by the linter rather than remembered by reviewers.
// `electron`: may this layer import the 'electron' module? `node`: may it import Node built-ins?
export const layers = [
  { name: 'shared', dir: 'src/shared', allow: ['shared'], electron: false, node: false },
  { name: 'core', dir: 'src/main/core', allow: ['shared', 'core'], electron: false, node: true },
  {
    name: 'host',
    dir: 'src/main/host',
    allow: ['shared', 'core', 'host'],
    electron: false,
    node: true,
  },
  {
    name: 'electron-shell',
    dir: 'src/main/electron',
    allow: ['shared', 'core', 'electron-shell'],
    electron: true,
    node: true,
  },
  {
    name: 'preload',
    dir: 'src/preload',
    allow: ['shared', 'preload'],
    electron: true,
    node: false,
  },
  {
    name: 'renderer',
    dir: 'src/renderer',
    allow: ['shared', 'renderer'],
    electron: false,
    node: false,
  },
  { name: 'cli', dir: 'src/cli', allow: ['shared', 'core', 'cli'], electron: false, node: true },
  { name: 'cloud', dir: 'cloud', allow: ['shared', 'cloud'], electron: false, node: true },
  {
    name: 'tests',
    dir: ['test', 'e2e', 'bench', 'scripts'],
    allow: ['shared', 'core', 'host', 'cli', 'cloud', 'renderer', 'tests'],
    electron: false,
    node: true,
  },
  {
    name: 'electron-tests',
    dir: 'e2e-electron',
    allow: ['shared', 'electron-tests'],
    electron: true,
    node: true,
  },
]
