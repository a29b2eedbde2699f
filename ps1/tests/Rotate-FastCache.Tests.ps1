# Pester 5 tests of ps1/Rotate-FastCache.ps1. They run in the Windows job of
# .github/workflows/ci.yml; the child runs go through PowerShell 7 (pwsh) and Windows PowerShell
# 5.1 (powershell, which harness/fast/cache-state.ts uses).
BeforeAll {
  $ScriptPath = Join-Path (Split-Path -Parent $PSScriptRoot) 'Rotate-FastCache.ps1'
  . $ScriptPath -CacheDir ''

  # Runs the script in a child process: its exit code, stdout and stderr.
  function Invoke-Child([string]$Shell, [string[]]$Arguments = @()) {
    $stderrFile = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.stderr')
    $stdout = & $Shell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File $ScriptPath @Arguments 2> $stderrFile
    $code = $LASTEXITCODE
    return [pscustomobject]@{
      ExitCode = $code
      StdOut = ((@($stdout) | ForEach-Object { "$_" }) -join "`n").Trim()
      StdErr = ([string](Get-Content -LiteralPath $stderrFile -Raw)).Trim()
    }
  }

  # A cache of 3 files (2 + 3 + 5 bytes, one hidden and read-only) in 3 directories.
  function New-Cache([string]$Path) {
    $null = New-Item -ItemType Directory -Path (Join-Path $Path 'vol-1\sub') -Force
    $null = New-Item -ItemType Directory -Path (Join-Path $Path 'empty') -Force
    [System.IO.File]::WriteAllText((Join-Path $Path 'loose'), 'ab')
    [System.IO.File]::WriteAllText((Join-Path $Path 'vol-1\index'), 'abc')
    $chunk = Join-Path $Path 'vol-1\sub\17'
    [System.IO.File]::WriteAllText($chunk, 'abcde')
    (Get-Item -LiteralPath $chunk -Force).Attributes = 'Hidden, ReadOnly'
  }

  function Get-Entries([string]$Path) { return @(Get-ChildItem -LiteralPath $Path -Force -Recurse) }
}

Describe 'Rotate-FastCache (functions)' {
  It 'empties an allowed directory, keeps it, and says what it removed' {
    $cache = Join-Path $TestDrive 'fn-ok\cache'
    New-Cache $cache
    $r = Invoke-RotateFastCache -CacheDir $cache -AllowedRoot $cache
    $r.ExitCode | Should -Be 0 -Because $r.Message
    $r.Message | Should -Be "emptied $cache`: removed 3 files (10 bytes) and 3 directories"
    Test-Path -LiteralPath $cache -PathType Container | Should -BeTrue
    (Get-Entries $cache).Count | Should -Be 0
  }

  It 'accepts a directory inside the fast.cache_dir of the config, not the blitParity one' {
    $root = Join-Path $TestDrive 'fn-config\cache'
    New-Cache (Join-Path $root 'vol-2')
    $config = Join-Path $TestDrive 'fn-config\benchgate.yaml'
    Set-Content -LiteralPath $config -Encoding ASCII -Value @(
      'blitParity:',
      "  cache_dir: $TestDrive",
      '# the FAST cache',
      'fast:',
      '  log_path: D:\FAST\logs\fast.log',
      "  cache_dir: '$root'   # emptied before Cold runs",
      '  concurrency: 8'
    )
    $r = Invoke-RotateFastCache -CacheDir (Join-Path $root 'vol-2') -ConfigFile $config
    $r.ExitCode | Should -Be 0 -Because $r.Message
    $r.Message | Should -Match 'removed 3 files \(10 bytes\) and 3 directories$'
  }

  It 'reads plain, single- and double-quoted fast.cache_dir values' {
    $config = Join-Path $TestDrive 'fn-forms.yaml'
    Set-Content -LiteralPath $config -Encoding ASCII -Value @('fast:', '  cache_dir: D:\FAST\cache # comment')
    Read-FastCacheDir $config | Should -Be 'D:\FAST\cache'
    Set-Content -LiteralPath $config -Encoding ASCII -Value @('fast:', "  cache_dir: 'D:\it''s'")
    Read-FastCacheDir $config | Should -Be "D:\it's"
    Set-Content -LiteralPath $config -Encoding ASCII -Value @('fast:', '  cache_dir: "D:\\FAST\\cache"')
    Read-FastCacheDir $config | Should -Be 'D:\FAST\cache'
    Set-Content -LiteralPath $config -Encoding ASCII -Value @('fast:', '  log_path: x', 'other:', '  cache_dir: D:\not-fast')
    Read-FastCacheDir $config | Should -BeNullOrEmpty
  }

  It 'removes a junction inside the cache without touching what it points to' {
    $cache = Join-Path $TestDrive 'fn-link\cache'
    $target = Join-Path $TestDrive 'fn-link\precious'
    $null = New-Item -ItemType Directory -Path $cache -Force
    $null = New-Item -ItemType Directory -Path $target -Force
    [System.IO.File]::WriteAllText((Join-Path $target 'keep'), 'keep')
    $null = New-Item -ItemType Junction -Path (Join-Path $cache 'link') -Target $target
    $r = Invoke-RotateFastCache -CacheDir $cache -AllowedRoot $cache
    $r.ExitCode | Should -Be 0 -Because $r.Message
    (Get-Entries $cache).Count | Should -Be 0
    Test-Path -LiteralPath (Join-Path $target 'keep') -PathType Leaf | Should -BeTrue
  }

  It 'refuses an empty -CacheDir' {
    $r = Invoke-RotateFastCache -CacheDir '' -AllowedRoot $TestDrive
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Be 'refused: -CacheDir is empty'
  }

  It 'refuses when neither -ConfigFile nor -AllowedRoot is given' {
    $r = Invoke-RotateFastCache -CacheDir $TestDrive
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Match '^refused: give either -ConfigFile'
  }

  It 'refuses an allowed directory that is a drive root, removing nothing' {
    $cache = Join-Path $TestDrive 'fn-rootallowed'
    New-Cache $cache
    $r = Invoke-RotateFastCache -CacheDir $cache -AllowedRoot ([System.IO.Path]::GetPathRoot($cache))
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Match 'is a drive root'
    (Get-Entries $cache).Count | Should -Be 6
  }

  It 'refuses a config that names no fast.cache_dir' {
    $config = Join-Path $TestDrive 'fn-none.yaml'
    Set-Content -LiteralPath $config -Encoding ASCII -Value @('fast:', '  concurrency: 8')
    $r = Invoke-RotateFastCache -CacheDir $TestDrive -ConfigFile $config
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Match 'names no fast\.cache_dir'
  }
}

Describe 'Rotate-FastCache.ps1 run by <Shell>' -ForEach @(@{ Shell = 'pwsh' }, @{ Shell = 'powershell' }) {
  BeforeAll {
    $allowed = Join-Path $TestDrive "$Shell\cache"
    $config = Join-Path $TestDrive "$Shell\benchgate.yaml"
    $null = New-Item -ItemType Directory -Path $allowed -Force
    Set-Content -LiteralPath $config -Encoding ASCII -Value @('fast:', "  cache_dir: $allowed")
  }

  It 'empties the cache: exit code 0 and one line on stdout' {
    New-Cache $allowed
    $r = Invoke-Child $Shell @('-CacheDir', $allowed, '-ConfigFile', $config)
    $r.ExitCode | Should -Be 0 -Because $r.StdErr
    # paths in child messages are matched loosely: Windows PowerShell may print the long form of
    # a short (8.3) temp path such as C:\Users\RUNNER~1
    $r.StdOut | Should -Match '^emptied .+\\cache: removed 3 files \(10 bytes\) and 3 directories$'
    (Get-Entries $allowed).Count | Should -Be 0
  }

  It 'refuses a blank path: exit code 1, one line on stderr' {
    $r = Invoke-Child $Shell @('-CacheDir', '   ', '-ConfigFile', $config)
    $r.ExitCode | Should -Be 1
    $r.StdErr | Should -Be 'refused: -CacheDir is empty'
    $r.StdOut | Should -BeNullOrEmpty
  }

  It 'refuses a drive root' {
    # the allowed directory is elsewhere, so even a script without the root check removes nothing
    $r = Invoke-Child $Shell @('-CacheDir', [System.IO.Path]::GetPathRoot($allowed), '-ConfigFile', $config)
    $r.ExitCode | Should -Be 1
    $r.StdErr | Should -Match '^refused: .* is a drive root$'
  }

  It 'refuses a path that does not exist' {
    $missing = Join-Path $allowed 'missing'
    $r = Invoke-Child $Shell @('-CacheDir', $missing, '-ConfigFile', $config)
    $r.ExitCode | Should -Be 1
    $r.StdErr | Should -Match '^refused: .+\\cache\\missing does not exist or is not a directory$'
  }

  It 'refuses a path outside fast.cache_dir (<Name>), removing nothing' -ForEach @(
    @{ Name = 'a sibling'; Relative = 'other' },
    @{ Name = 'a sibling with the same prefix'; Relative = 'cache-old' },
    @{ Name = 'the parent'; Relative = '.' },
    @{ Name = 'escaping with ..'; Relative = 'cache\..\other' }
  ) {
    $outside = Join-Path $TestDrive "$Shell\$Relative"
    $victim = [System.IO.Path]::GetFullPath($outside)
    $null = New-Item -ItemType Directory -Path $victim -Force
    [System.IO.File]::WriteAllText((Join-Path $victim 'keep'), 'keep')
    $before = (Get-Entries $victim).Count
    $r = Invoke-Child $Shell @('-CacheDir', $outside, '-ConfigFile', $config)
    $r.ExitCode | Should -Be 1
    $r.StdErr | Should -Match '^refused: .+ is outside .+\\cache \(fast\.cache_dir in .+\\benchgate\.yaml\)$'
    (Get-Entries $victim).Count | Should -Be $before
  }
}
