// A worker thread of hashFiles (./hash-files.ts): hashes the absolute paths it is given, in order.
import { parentPort, workerData } from 'node:worker_threads'
import { hashFile } from './hash-file.ts'

const paths = workerData as string[]
parentPort!.postMessage(paths.map(hashFile))
