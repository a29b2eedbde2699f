import { describe, expect, test } from 'vitest'
import { formatChange, formatNumber, formatValue, shorten } from './format.ts'
import { textWidth } from './measure.ts'

describe('format', () => {
  test('formatNumber: four significant digits, plain notation for everyday magnitudes', () => {
    expect(formatNumber(2.7234)).toBe('2.723')
    expect(formatNumber(0.00123)).toBe('0.00123')
    expect(formatNumber(0.0001234)).toBe('1.23e-4')
    expect(formatNumber(1234.5)).toBe('1235')
    expect(formatNumber(2883238.4)).toBe('2883238')
    expect(formatNumber(0)).toBe('0')
    expect(formatNumber(-12.345)).toBe('-12.35')
  })

  test('formatValue and formatChange', () => {
    expect(formatValue(812.44, 'MB/s')).toBe('812.4 MB/s')
    expect(formatValue(3, '')).toBe('3')
    expect(formatChange(1.0653)).toBe('+6.5 %')
    expect(formatChange(0.9)).toBe('-10.0 %')
    expect(formatChange(1.00001)).toBe('0.0 %')
  })

  test('shorten', () => {
    expect(shorten('abcdef', 4)).toBe('abc…')
    expect(shorten('abc', 4)).toBe('abc')
  })

  test('textWidth follows DejaVu Sans metrics: wide and narrow letters, bold, size', () => {
    expect(textWidth('m', '10px sans-serif')).toBeCloseTo(9.7)
    expect(textWidth('i', '10px sans-serif')).toBeCloseTo(2.8)
    expect(textWidth('m', 'bold 10px sans-serif')).toBeGreaterThan(textWidth('m', '10px sans-serif'))
    expect(textWidth('abc', '24px x')).toBeCloseTo(textWidth('abc', '12px x') * 2)
  })
})
