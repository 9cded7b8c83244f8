/**
 * @module platform/files
 * Local file I/O shared by the filesystem blob store and artifact transfers: chunked reads and
 * writes with several operations in flight, so they overlap with encryption and hashing.
 */
export type { ReadFileChunksOptions } from './file-reader.js';
export { readFileChunks } from './file-reader.js';
export type { WriteToFileOptions } from './file-writer.js';
export { writeToFile } from './file-writer.js';
