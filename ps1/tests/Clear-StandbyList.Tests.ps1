# Pester 5 tests of ps1/Clear-StandbyList.ps1. They run in the Windows job of .github/workflows/ci.yml,
# where GitHub's runner is an administrator: there the script must succeed, run by PowerShell 7
# (pwsh) and by Windows PowerShell 5.1 (powershell, which harness/fast/cache-state.ts uses).
# Elsewhere the elevated tests are skipped unless the session is elevated.
BeforeDiscovery {
  $principal = New-Object System.Security.Principal.WindowsPrincipal([System.Security.Principal.WindowsIdentity]::GetCurrent())
  $SkipElevated = ($env:GITHUB_ACTIONS -ne 'true') -and -not $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

BeforeAll {
  $ScriptPath = Join-Path (Split-Path -Parent $PSScriptRoot) 'Clear-StandbyList.ps1'
  . $ScriptPath

  # Runs the script in a child process: its exit code, stdout and stderr.
  function Invoke-Child([string]$Shell) {
    $stderrFile = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.stderr')
    $stdout = & $Shell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File $ScriptPath 2> $stderrFile
    $code = $LASTEXITCODE
    return [pscustomobject]@{
      ExitCode = $code
      StdOut = ((@($stdout) | ForEach-Object { "$_" }) -join "`n").Trim()
      StdErr = ([string](Get-Content -LiteralPath $stderrFile -Raw)).Trim()
    }
  }
}

Describe 'Clear-StandbyList without administrator rights' {
  It 'returns exit code 1 and one line saying it needs them' {
    $r = Invoke-ClearStandbyList -IsAdministrator $false
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Match '^standby list not purged: needs administrator rights \(run from an elevated session\)$'
    $r.Message | Should -Not -Match '[\r\n]'
  }

  It 'asks Test-Administrator when not told, and stops at its answer' {
    Mock Test-Administrator { $false }
    $r = Invoke-ClearStandbyList
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Match '^standby list not purged: needs administrator rights'
    Should -Invoke Test-Administrator -Exactly -Times 1
  }
}

Describe 'Clear-StandbyList.ps1 elevated, run by <Shell>' -ForEach @(@{ Shell = 'pwsh' }, @{ Shell = 'powershell' }) {
  It 'purges the standby list: exit code 0 and one line on stdout' -Skip:$SkipElevated {
    $r = Invoke-Child $Shell
    $r.ExitCode | Should -Be 0 -Because $r.StdErr
    $r.StdOut | Should -Match '^purged the standby list \(NtSetSystemInformation MemoryPurgeStandbyList\)$'
  }
}
