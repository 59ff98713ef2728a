export { createPaymentActuator, receiptOutcome } from './createPaymentActuator.ts';
export type { Payee, PaymentActuatorOptions } from './createPaymentActuator.ts';
export { routeActuators } from './routeActuators.ts';
