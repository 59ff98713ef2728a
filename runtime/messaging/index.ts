export { createMessaging } from './createMessaging.ts';
export { RuntimeMessaging, TASK_REQUEST } from './RuntimeMessaging.ts';

export type { Messaging, MessagingConfig } from './createMessaging.ts';
export type { RuntimeMessagingOptions } from './RuntimeMessaging.ts';
