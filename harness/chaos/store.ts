// The store under test, from the chaos section: its server (started here, so the restart and
// pause nemeses can act on it), an adapter that talks to it directly (the sweep) and adapters that
// talk to it through a proxy (the scenarios).
//   blob-manifest  the embedded Azurite (a container of its own), or the azure section's container
//                  (then only faults that need no server or proxy apply: CPU hogs)
//   postgres       Debian's PostgreSQL 15 in a temp data directory, as an unprivileged user
//   process        the user's own client (chaos.process.command), which is its own server
import type { LoadedConfig } from '../config/load.ts'
import { UserError } from '../errors.ts'
import { describeTarget } from '../azure/target.ts'
import { blobManifestOnAzurite, blobManifestOnConfig } from './stores/blob-manifest.ts'
import { startAzuriteServer } from './stores/azurite-server.ts'
import { postgresStore } from './stores/postgres.ts'
import { startPostgres } from './stores/postgres-server.ts'
import { processStore } from './stores/process.ts'
import type { StoreAdapter, StoreServer } from './types.ts'

export interface ChaosStore {
  /** e.g. 'blob-manifest on azurite 3.37.0' */
  readonly description: string
  /** The server the nemeses act on; null when the store is not ours to restart (a process client, a real container). */
  readonly server: StoreServer | null
  /** An adapter connected to the server directly. */
  readonly direct: StoreAdapter
  /** A new adapter connected to `origin` (the TCP proxy in front of the server); null: to the server directly. */
  adapterFor(origin: { host: string; port: number } | null): StoreAdapter
  stop(): Promise<void>
}

export async function startChaosStore(loaded: LoadedConfig): Promise<ChaosStore> {
  const c = loaded.config.chaos
  const valueSize = c.workload.value_size
  if (c.store === 'process') {
    const command = c.process.command
    if (!command) throw new UserError({ file: loaded.source ?? 'configuration', field: 'chaos.process.command', message: 'required when chaos.store is process', hint: 'e.g. [node, fixtures/chaos/example-client.mjs]' })
    const direct = processStore({ command, valueSize })
    return {
      description: `process ${command.join(' ')}`,
      server: null,
      direct,
      adapterFor: () => processStore({ command, valueSize }),
      stop: () => direct.close(),
    }
  }
  if (c.store === 'postgres') {
    const server = await startPostgres(c.postgres.bin_dir ? { binDir: c.postgres.bin_dir } : {})
    const make = (host: string, port: number) => postgresStore({ host, port, isolation: c.postgres.isolation, valueSize })
    const direct = make(server.host, server.port)
    return {
      description: `${server.description}, ${c.postgres.isolation}`,
      server,
      direct,
      adapterFor: (o) => make(o?.host ?? server.host, o?.port ?? server.port),
      async stop() {
        await direct.close()
        await server.stop()
      },
    }
  }
  const remote = blobManifestOnConfig(loaded.config.azure, { valueSize })
  if (remote) {
    // a real container: not ours to restart or pause, and TLS to it does not go through our plain proxy
    const direct = remote.adapter()
    return {
      description: `blob-manifest on ${describeTarget(remote.target)}`,
      server: null,
      direct,
      adapterFor: () => remote.adapter(),
      stop: () => direct.close(),
    }
  }
  const server = await startAzuriteServer()
  const blob = await blobManifestOnAzurite(server, { valueSize })
  const direct = blob.adapter()
  return {
    description: `blob-manifest on ${server.description}`,
    server,
    direct,
    adapterFor: (o) => (o ? blob.adapter(`http://${o.host}:${o.port}`) : blob.adapter()),
    async stop() {
      await direct.close()
      await server.stop()
    },
  }
}
