import { describe, expect, it } from 'vitest'
import { hasText } from './pages/expect'
import { OnboardingPage } from './pages/onboarding-page'
import { pageErrors, useE2E } from './support/harness'
import { noKeychain } from './support/no-keychain'
import { screenshot } from './support/screenshots'

/** A computer without a keychain: onboarding says what to do and does not go on without one. */
const e2e = useE2E({ secrets: noKeychain })

describe('Onboarding without a keychain', () => {
  it('explains how to get a keychain and stops at the welcome', async () => {
    const page = await e2e.open()
    const onboarding = new OnboardingPage(page)
    await onboarding.expectStep('welcome')
    const { message } = await e2e.call('keychain.status', {})
    expect(message).toBeTruthy()
    await hasText(onboarding.keychain, 'No keychain on this computer')
    await hasText(onboarding.keychain, message!.slice(0, 40))
    await onboarding.next.click()
    await onboarding.expectProblem('Cairn needs a keychain first')
    await onboarding.expectStep('welcome')
    await screenshot(page, 'onboarding-no-keychain')
    expect(pageErrors(page)).toEqual([])
  })
})
