import { describeContainment } from '../../test/support/sandboxContainment.ts';

// The QuickJS engine (the default); the V8 engine's run of the same suite is V8Sandbox.v8.test.ts.
describeContainment(['quickjs']);
