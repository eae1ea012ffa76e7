import { ensureCairnApi } from '../renderer/src/transport'
export const x = ensureCairnApi
