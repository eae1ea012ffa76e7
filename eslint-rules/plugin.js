import path from 'node:path'
import { builtinModules } from 'node:module'
import { layers } from './layers.js'

const root = path.resolve(import.meta.dirname, '..')
const builtins = new Set(builtinModules)

function toPosix(p) {
  return p.split(path.sep).join('/')
}

/** The layer a repository-relative path belongs to (longest matching directory wins). */
export function layerOf(relPath) {
  let best = null
  let bestLen = -1
  for (const layer of layers) {
    for (const dir of [layer.dir].flat()) {
      if ((relPath === dir || relPath.startsWith(dir + '/')) && dir.length > bestLen) {
        best = layer
        bestLen = dir.length
      }
    }
  }
  return best
}

function isNodeBuiltin(spec) {
  return spec.startsWith('node:') || builtins.has(spec.split('/')[0])
}

function importSources(node) {
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
      return node.source ? [node.source] : []
    case 'ImportExpression':
      return node.source.type === 'Literal' ? [node.source] : []
    case 'CallExpression':
      return node.callee.type === 'Identifier' &&
        node.callee.name === 'require' &&
        node.arguments[0]?.type === 'Literal'
        ? [node.arguments[0]]
        : []
    default:
      return []
  }
}

const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforces the layers of design.md: who may import whom, electron, Node.' },
    schema: [],
    messages: {
      crossLayer:
        "The {{from}} layer must not import from the {{to}} layer ('{{spec}}'). See docs/architecture.md.",
      electron:
        "Only src/main/electron and src/preload may import 'electron'; {{from}} must stay plain Node or web.",
      node: "The {{from}} layer runs without Node.js; it must not import the built-in module '{{spec}}'.",
    },
  },
  create(context) {
    const file = toPosix(path.relative(root, context.filename))
    const from = layerOf(file)
    if (!from) return {}
    const check = (sourceNode) => {
      const spec = String(sourceNode.value)
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (!from.electron)
          context.report({ node: sourceNode, messageId: 'electron', data: { from: from.name } })
        return
      }
      if (spec.startsWith('.')) {
        const target = toPosix(
          path.relative(root, path.resolve(path.dirname(context.filename), spec)),
        )
        const to = layerOf(target)
        if (to && !from.allow.includes(to.name)) {
          context.report({
            node: sourceNode,
            messageId: 'crossLayer',
            data: { from: from.name, to: to.name, spec },
          })
        }
        return
      }
      if (!from.node && isNodeBuiltin(spec)) {
        context.report({ node: sourceNode, messageId: 'node', data: { from: from.name, spec } })
      }
    }
    const visit = (node) => importSources(node).forEach(check)
    return {
      ImportDeclaration: visit,
      ExportAllDeclaration: visit,
      ExportNamedDeclaration: visit,
      ImportExpression: visit,
      CallExpression: visit,
    }
  },
}

const noRawIpc = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Raw ipcRenderer is only for src/preload; everything else uses the contract.',
    },
    schema: [],
    messages: {
      raw: 'Use the typed contract (window.cairn / src/shared/contract.ts) instead of raw ipcRenderer; only src/preload may touch it.',
    },
  },
  create(context) {
    const file = toPosix(path.relative(root, context.filename))
    if (file.startsWith('src/preload/')) return {}
    return {
      Identifier(node) {
        if (node.name === 'ipcRenderer') context.report({ node, messageId: 'raw' })
      },
    }
  },
}

export default { rules: { layering, 'no-raw-ipc': noRawIpc } }
