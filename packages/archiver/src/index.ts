/** @god/archiver: the archiver role (archiving of finished jobs, task directory cleanup). */
export {
  createArchiver,
  type ArchiveResult,
  type Archiver,
  type ArchiverOptions,
} from './archiver.js';
export { startArchiverProcess, type ArchiverProcess } from './main.js';
export { isInside, removeTaskDir, type RemoveResult } from './task-dir.js';
