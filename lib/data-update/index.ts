// Fresh routing data without a release (issue 9): download, read, build, guard. Pure TypeScript;
// the worker (entrypoints/background) and the CLI (lib/cli) store and switch.
export * from './build';
export * from './cross-check';
export * from './redirects';
export * from './dates';
export * from './download';
export * from './guards';
export * from './source-url';
export * from './update';
export * from './service';
