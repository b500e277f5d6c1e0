/** The managed policy an administrator sets: its reader (read.ts) and its effect on settings (apply.ts). */
export * from './read';
export * from './apply';
