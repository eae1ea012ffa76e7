import { EventBus } from '../main/core/api/event-bus'
export const x = EventBus
