/** For other packages' tests: stores as releases before schema version 4 left them. */
export { toVersion3Layout } from './text-layout.js';
