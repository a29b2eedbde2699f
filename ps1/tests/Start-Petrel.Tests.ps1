# Pester 5 tests of ps1/Start-Petrel.ps1. They run in the Windows job of .github/workflows/ci.yml.
# Petrel is not there, so a stand-in takes its place: a one-form Windows program compiled here
# (Windows PowerShell 5.1's Add-Type writes it as a GUI executable, so it has no console window)
# whose window title is 'Petrel stand-in - <file name of its first argument>' and which closes
# itself after 120 s. Its folder and the project's have spaces in their names, so the title also
# proves the project's path arrived whole. Every process a test starts is stopped by its pid.
BeforeAll {
  $ScriptPath = Join-Path (Split-Path -Parent $PSScriptRoot) 'Start-Petrel.ps1'
  . $ScriptPath -Executable 'unused' -Project 'unused'

  $standInDir = Join-Path $TestDrive 'Petrel Stand In'
  $null = New-Item -ItemType Directory -Path $standInDir
  $StandIn = Join-Path $standInDir 'PetrelStandIn.exe'
  $build = Join-Path $TestDrive 'build-stand-in.ps1'
  Set-Content -LiteralPath $build -Encoding ASCII -Value @'
param([string]$Out)
$ErrorActionPreference = 'Stop'
$source = @"
using System;
using System.Windows.Forms;
public static class PetrelStandIn {
  [STAThread]
  public static void Main(string[] args) {
    Form form = new Form();
    form.Text = "Petrel stand-in - " + (args.Length > 0 ? System.IO.Path.GetFileName(args[0]) : "no project");
    System.Windows.Forms.Timer quit = new System.Windows.Forms.Timer();
    quit.Interval = 120000;
    quit.Tick += delegate { form.Close(); };
    quit.Start();
    Application.Run(form);
  }
}
"@
Add-Type -TypeDefinition $source -ReferencedAssemblies System.Windows.Forms, System.Drawing -OutputAssembly $Out -OutputType WindowsApplication
'@
  & powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File $build -Out $StandIn
  if (-not (Test-Path -LiteralPath $StandIn -PathType Leaf)) { throw "the stand-in $StandIn was not built (exit code $LASTEXITCODE)" }

  $projectDir = Join-Path $TestDrive 'my projects'
  $null = New-Item -ItemType Directory -Path $projectDir
  $Pet = Join-Path $projectDir 'demo.pet'
  Set-Content -LiteralPath $Pet -Value 'stand-in project'
  $Title = 'Petrel stand-in - demo.pet'

  $Started = New-Object System.Collections.Generic.List[int]

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

  # The pid a message names ('pid 1234'), remembered to be stopped after the test.
  function Get-NamedPid([string]$Text) {
    $m = [regex]::Match($Text, 'pid (\d+)')
    if (-not $m.Success) { return $null }
    $id = [int]$m.Groups[1].Value
    $Started.Add($id)
    return $id
  }
}

Describe 'Start-Petrel' {
  AfterEach {
    foreach ($id in $Started) {
      Stop-Process -Id $id -Force -ErrorAction SilentlyContinue
      Wait-Process -Id $id -Timeout 10 -ErrorAction SilentlyContinue
    }
    $Started.Clear()
  }

  It 'starts the program with the project, finds its window and returns its pid and title' {
    $r = Invoke-StartPetrel -Executable $StandIn -Project $Pet -WindowTitle '^Petrel stand-in' -TimeoutSeconds 60
    if ($r.Id) { $Started.Add([int]$r.Id) }
    $r.ExitCode | Should -Be 0 -Because $r.Message
    $r.Title | Should -Be $Title
    $process = Get-Process -Id $r.Id
    $process.ProcessName | Should -Be 'PetrelStandIn'
    $process.MainWindowTitle | Should -Be $Title
    $r.Message | Should -Match "^started .+: pid $($r.Id), window 'Petrel stand-in - demo\.pet'$"
  }

  It 'run by <Shell>: exit code 0 and the pid and title on stdout' -ForEach @(@{ Shell = 'pwsh' }, @{ Shell = 'powershell' }) {
    $r = Invoke-Child $Shell @('-Executable', $StandIn, '-Project', $Pet, '-TimeoutSeconds', '60')
    $id = Get-NamedPid $r.StdOut
    $r.ExitCode | Should -Be 0 -Because $r.StdErr
    $r.StdOut | Should -Match "^started .+: pid \d+, window 'Petrel stand-in - demo\.pet'$"
    (Get-Process -Id $id).MainWindowTitle | Should -Be $Title
  }

  It 'times out: exit code 1 naming the pattern and the titles seen, and stops what it started' {
    $r = Invoke-StartPetrel -Executable $StandIn -Project $Pet -WindowTitle 'no window is titled this' -TimeoutSeconds 3
    if ($r.Id) { $Started.Add([int]$r.Id) }
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Match "^no window title matched 'no window is titled this' within 3 s \(pid $($r.Id) stopped\); titles seen: "
    $r.Message | Should -Match "titles seen: .*'Petrel stand-in - demo\.pet'"
    $r.Message | Should -Not -Match '[\r\n]'
    Wait-Process -Id $r.Id -Timeout 10 -ErrorAction SilentlyContinue
    Get-Process -Id $r.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
  }

  It 'times out when run by pwsh: exit code 1 and one line on stderr' {
    $r = Invoke-Child 'pwsh' @('-Executable', $StandIn, '-Project', $Pet, '-WindowTitle', 'no window is titled this', '-TimeoutSeconds', '3')
    $id = Get-NamedPid $r.StdErr
    $r.ExitCode | Should -Be 1
    $r.StdErr | Should -Match "^no window title matched 'no window is titled this' within 3 s \(pid \d+ stopped\); titles seen: "
    $r.StdOut | Should -BeNullOrEmpty
  }

  It 'refuses a missing executable or project, starting nothing' {
    $r = Invoke-StartPetrel -Executable (Join-Path $TestDrive 'missing.exe') -Project $Pet
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Match "^not started: the executable '.+missing\.exe' does not exist$"
    $r = Invoke-StartPetrel -Executable $StandIn -Project (Join-Path $TestDrive 'missing.pet')
    $r.ExitCode | Should -Be 1
    $r.Message | Should -Match "^not started: the project '.+missing\.pet' does not exist$"
    $r.Id | Should -BeNullOrEmpty
  }
}
