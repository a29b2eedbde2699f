import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { VscsiFormatError } from './capture.ts'
import { parseProcessList, parseVscsiList, renderProcessList, renderVscsiList } from './esxi.ts'

const read = (name: string) => readFileSync(fileURLToPath(new URL(`../../../fixtures/vscsi/${name}`, import.meta.url)), 'utf8')

describe('esxcli vm process list', () => {
  const vms = parseProcessList(read('process-list.txt'), 'process-list.txt')

  test('parses every block of the fixture', () => {
    expect(vms).toEqual([
      {
        name: 'vm01',
        worldId: 2099980,
        processId: 0,
        vmxCartelId: 2099979,
        uuid: '56 4d 8e 1a 2b 3c 4d 5e-6f 70 81 92 a3 b4 c5 d6',
        displayName: 'vm01',
        configFile: '/vmfs/volumes/5f3a1c2e-8d4b6a10-1f2e-0050569a0b1c/vm01/vm01.vmx',
      },
      {
        name: 'db 01 (prod)',
        worldId: 2101343,
        processId: 0,
        vmxCartelId: 2101342,
        uuid: '42 30 f9 ee a2 2a 3c e0-02 33 07 ac af f8 d2 5c',
        displayName: 'db 01 (prod)',
        configFile: '/vmfs/volumes/datastore1/db 01 (prod)/db 01 (prod).vmx',
      },
    ])
  })

  test('render is the real layout and round-trips', () => {
    const text = renderProcessList(vms)
    expect(text).toBe(read('process-list.txt'))
    expect(text.split('\n').slice(0, 3)).toEqual(['vm01', '   World ID: 2099980', '   Process ID: 0'])
    expect(parseProcessList(text, 'x')).toEqual(vms)
  })

  test('tolerates CRLF, extra fields, no blank separator, no UUID and a name with a colon', () => {
    const text = [
      'web: front end',
      '   World ID: 527611',
      '   Process ID: 0',
      '   VMX Cartel ID: 527610',
      '   Some New Field: 42',
      '   Display Name: web: front end',
      '   Config File: /vmfs/volumes/ds/web/web.vmx',
      'db',
      '   World ID: 527647',
      '   VMX Cartel ID: 527639',
      '   Display Name: db',
      '   Config File: /vmfs/volumes/ds/db/db.vmx',
      '',
    ].join('\r\n')
    expect(parseProcessList(text, 'p.txt')).toEqual([
      { name: 'web: front end', worldId: 527611, processId: 0, vmxCartelId: 527610, displayName: 'web: front end', configFile: '/vmfs/volumes/ds/web/web.vmx' },
      { name: 'db', worldId: 527647, processId: 0, vmxCartelId: 527639, displayName: 'db', configFile: '/vmfs/volumes/ds/db/db.vmx' },
    ])
  })

  test('a bad number or a block without World ID names the file and line', () => {
    const bad = read('process-list.txt').replace('World ID: 2101343', 'World ID: 21O1343')
    const e = (() => {
      try {
        parseProcessList(bad, 'process-list.txt')
      } catch (err) {
        return err
      }
    })()
    expect(e).toBeInstanceOf(VscsiFormatError)
    expect((e as Error).message).toMatch(/^process-list\.txt:10: World ID: '21O1343' is not a number/)
    expect(() => parseProcessList('vm9\n   Display Name: vm9\n', 'p.txt')).toThrow(/^p\.txt:1: World ID: VM 'vm9' has no World ID line/)
  })
})

describe('vscsiStats -l', () => {
  test('parses the fixture: worldGroupID, VM name, handleID and device', () => {
    expect(parseVscsiList(read('vscsi-list.txt'), 'vscsi-list.txt')).toEqual([
      { worldGroupId: 2099979, handleId: 8194, device: 'scsi0:0', vm: 'vm01' },
      { worldGroupId: 2099979, handleId: 8195, device: 'scsi0:1', vm: 'vm01' },
      { worldGroupId: 2101342, handleId: 8201, device: 'scsi0:0', vm: 'db 01 (prod)' },
      { worldGroupId: 2101342, handleId: 8202, device: 'scsi1:0', vm: 'db 01 (prod)' },
    ])
  })

  test('render round-trips and writes the real line shapes', () => {
    const disks = parseVscsiList(read('vscsi-list.txt'), 'vscsi-list.txt')
    const text = renderVscsiList(disks, { 2099979: '/vmfs/volumes/5f3a1c2e-8d4b6a10-1f2e-0050569a0b1c/vm01/vm01.vmx', 2101342: '/vmfs/volumes/datastore1/db 01 (prod)/db 01 (prod).vmx' })
    expect(text).toBe(read('vscsi-list.txt'))
    expect(text.split('\n')[1]).toBe(' Virtual SCSI Disk handleID: 8194 (scsi0:0)')
    expect(renderVscsiList([{ worldGroupId: 7, handleId: 8, device: 'scsi0:0', vm: 'a' }])).toBe(
      'Virtual Machine worldGroupID: 7, Virtual Machine Display Name: a, Virtual Machine Config File: /vmfs/volumes/datastore1/a/a.vmx, {\n Virtual SCSI Disk handleID: 8 (scsi0:0)\n}\n',
    )
  })

  test('lenient: older lines without config file or device, banners, CRLF', () => {
    const text = 'some banner\r\nVirtual Machine worldGroupID: 1234, Virtual Machine Display Name: old vm, {\r\n Virtual SCSI Disk handleID: 8192\r\n}\r\n'
    expect(parseVscsiList(text, 'l.txt')).toEqual([{ worldGroupId: 1234, handleId: 8192, device: '', vm: 'old vm' }])
  })

  test('a disk outside a VM, or a bad handleID, names the file and line', () => {
    expect(() => parseVscsiList('\n Virtual SCSI Disk handleID: 8194 (scsi0:0)\n', 'l.txt')).toThrow(/^l\.txt:2: handleID: a virtual disk before any/)
    const bad = read('vscsi-list.txt').replace('handleID: 8195', 'handleID: 81x5')
    expect(() => parseVscsiList(bad, 'vscsi-list.txt')).toThrow(/^vscsi-list\.txt:3: handleID: '81x5' is not a number/)
  })
})
