/** What backs the keychain on each OS, in words a user recognises. */
export function keychainBackendName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain'
  if (platform === 'win32') return 'Windows Credential Manager'
  return 'Secret Service'
}

/**
 * How to get a working keychain, per OS. `reason` is the keychain library's own short message
 * (it never contains a secret value); it helps someone who knows their desktop setup.
 */
export function keychainUnavailableMessage(platform: NodeJS.Platform, reason: string): string {
  const why = reason ? ` (${reason})` : ''
  if (platform === 'darwin') {
    return `Cairn keeps secrets in the macOS Keychain, which did not answer${why}. Open Keychain Access, make sure your login keychain is unlocked, and try again.`
  }
  if (platform === 'win32') {
    return `Cairn keeps secrets in the Windows Credential Manager, which did not answer${why}. Make sure you are logged in to a normal Windows session and try again.`
  }
  return (
    `Cairn keeps secrets in your desktop keyring (a Secret Service provider), and none answered${why}. ` +
    'Install and run one, such as GNOME Keyring (e.g. `sudo apt-get install gnome-keyring`) or KWallet, ' +
    'and log in to a desktop session so the keyring is unlocked, then try again. ' +
    'Cairn never falls back to storing secrets in a plain file.'
  )
}
