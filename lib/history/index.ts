/**
 * The local history of flagged visits (issue 21 §2): the row model (model.ts), its IndexedDB
 * store with the bounds (store.ts), what is recorded when (recording.ts) and the CSV/JSON files
 * (export.ts). Nothing here touches a browser global; the worker passes the database and the
 * private-window check (entrypoints/background/history.ts).
 */
export * from './model';
export * from './store';
export * from './recording';
export * from './export';
