import { CairnError } from '../../../shared/errors'
import { parseRule } from '../remote/path-filter'

/**
 * Checks include/exclude rules when they are set (update, adopt), so a rule that cannot work is
 * refused now rather than failing the next backup (syntax: docs/pull-backup.md).
 */
export function checkBackupRules(rules: readonly string[]): void {
  for (const rule of rules) {
    try {
      parseRule(rule)
    } catch {
      throw new CairnError(
        'invalid_input',
        `The rule "${rule}" matches nothing. Write a name (node_modules), a glob (*.log) or a path ` +
          '(/.cache/).',
      )
    }
  }
}
