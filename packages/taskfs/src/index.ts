/**
 * @god/taskfs: task directories on the host, reached from directory descriptors so that no link
 * is ever followed and no path swapped during a request leads elsewhere (Linux).
 */
export {
  O_PATH,
  at,
  closeQuietly,
  isGone,
  isPlainName,
  openChild,
  openDirectory,
  openNode,
  type Node,
} from './fd.js';
export { componentsOf, mayAccess, openAs, R, W, X, type Identity } from './walk.js';
export { listAs, openFileAs, type DirEntry } from './read.js';
export { MAX_DEPTH, stripTaskDir, type JobOwner, type StripReport } from './strip.js';
export { removeEntry } from './remove.js';
export { identityOf } from './identity.js';
