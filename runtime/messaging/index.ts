export { RuntimeMessaging, TASK_REQUEST } from './RuntimeMessaging.ts';
export type { RuntimeMessagingOptions } from './RuntimeMessaging.ts';
