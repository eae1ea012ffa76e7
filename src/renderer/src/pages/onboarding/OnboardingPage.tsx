/** The guided first run: keychain, storage, recovery key, Hetzner or an SSH host, a workspace. */
export function OnboardingPage() {
  return <p>Welcome to Cairn</p>
}
