import { createCore } from '../../../main/core/app'
export const x = createCore
