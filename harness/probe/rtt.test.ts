// Round-trip times: ping output of Linux iputils and Windows parsed to per-echo times, TCP connect
// times against a real loopback listener and a closed port, and ICMP where ping is missing.
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { closedPort } from '../azure/test-support.ts'
import { icmpRtt, parsePing, tcpConnectRtt } from './rtt.ts'
import { TcpRttSchema } from './schema.ts'

const IPUTILS = `PING nas01 (10.0.0.5) 56(84) bytes of data.
64 bytes from 10.0.0.5: icmp_seq=1 ttl=64 time=0.412 ms
64 bytes from 10.0.0.5: icmp_seq=2 ttl=64 time=0.38 ms
64 bytes from 10.0.0.5: icmp_seq=3 ttl=64 time=1.07 ms
64 bytes from 10.0.0.5: icmp_seq=4 ttl=64 time=12 ms

--- nas01 ping statistics ---
4 packets transmitted, 4 received, 0% packet loss, time 603ms
rtt min/avg/max/mdev = 0.380/3.465/12.000/4.946 ms
`

const WINDOWS = `\r
Pinging nas01 [10.0.0.5] with 32 bytes of data:\r
Reply from 10.0.0.5: bytes=32 time<1ms TTL=128\r
Reply from 10.0.0.5: bytes=32 time=2ms TTL=128\r
Request timed out.\r
Reply from 10.0.0.5: bytes=32 time=15ms TTL=128\r
\r
Ping statistics for 10.0.0.5:\r
    Packets: Sent = 4, Received = 3, Lost = 1 (25% loss),\r
Approximate round trip times in milli-seconds:\r
    Minimum = 0ms, Maximum = 15ms, Average = 5ms\r
`

describe('parsePing', () => {
  test('Linux iputils: one time per echo reply, not the statistics line', () => {
    expect(parsePing(IPUTILS)).toEqual([0.412, 0.38, 1.07, 12])
  })

  test('Windows: time<1ms and time=Nms, a lost echo gives no time', () => {
    expect(parsePing(WINDOWS)).toEqual([1, 2, 15])
  })

  test('no replies: no times', () => {
    expect(parsePing('ping: socket: Operation not permitted\n')).toEqual([])
    expect(parsePing('')).toEqual([])
  })
})

describe('tcpConnectRtt', () => {
  let server: Server
  let port: number
  let accepted = 0

  beforeAll(async () => {
    server = createServer((socket) => {
      accepted++
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as { port: number }).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  test('against a listener: n samples in order, min ≤ avg ≤ p95', async () => {
    const rtt = await tcpConnectRtt('127.0.0.1', port, { count: 5, timeoutMs: 2000 })
    expect(TcpRttSchema.parse(rtt)).toEqual(rtt)
    expect(rtt).toMatchObject({ method: 'tcp-connect', host: '127.0.0.1', port, attempts: 5, errors: [] })
    expect(rtt.samples_ms).toHaveLength(5)
    expect(rtt.min_ms).toBe(Math.min(...rtt.samples_ms))
    expect(rtt.avg_ms!).toBeGreaterThanOrEqual(rtt.min_ms!)
    expect(rtt.p95_ms!).toBeGreaterThanOrEqual(rtt.avg_ms!)
    expect(rtt.p95_ms!).toBeLessThanOrEqual(Math.max(...rtt.samples_ms))
    // each attempt really connected (the listener saw them; it may still be seeing the last)
    await expect.poll(() => accepted).toBeGreaterThanOrEqual(5)
  })

  test('against a closed port: every attempt fails with the cause, no figures', async () => {
    const closed = await closedPort()
    const rtt = await tcpConnectRtt('127.0.0.1', closed, { count: 3, timeoutMs: 2000 })
    expect(rtt).toMatchObject({ attempts: 3, samples_ms: [], min_ms: null, avg_ms: null, p95_ms: null })
    expect(rtt.errors).toEqual(['connection refused (nothing listens on that port)'])
  })

  test('an aborted signal stops before any attempt', async () => {
    const rtt = await tcpConnectRtt('127.0.0.1', port, { count: 5, signal: AbortSignal.abort() })
    expect(rtt.attempts).toBe(0)
    expect(rtt.avg_ms).toBeNull()
  })
})

test('icmpRtt without ping on PATH says so instead of failing', async () => {
  const icmp = await icmpRtt('127.0.0.1', { count: 2, env: { PATH: '' } })
  expect(icmp).toEqual({ method: 'icmp', host: '127.0.0.1', available: false, reason: 'ping is not installed (no ping on PATH)', samples_ms: [], min_ms: null, avg_ms: null, p95_ms: null })
})
