# Starts Petrel with a project and waits until its main window is up.
#
#   powershell -NoProfile -ExecutionPolicy Bypass -File ps1\Start-Petrel.ps1 -Executable 'C:\Program Files\Schlumberger\Petrel 2024\Petrel.exe' -Project D:\projects\demo.pet [-WindowTitle 'Petrel'] [-TimeoutSeconds 180]
#
# Runs -Executable with the project's full path as its one (quoted) argument, then polls every
# 250 ms the main windows (Get-Process, MainWindowTitle) of the process it started and of every
# process started after it (a launcher may hand over to another process) for a title matching
# -WindowTitle, a case-insensitive regular expression (default 'Petrel', as petrel.window_title).
# Found: exit code 0 and one line on stdout with the pid and the title; the process keeps
# running. Not found within -TimeoutSeconds (default 180, as petrel.launch_timeout_s): the
# process it started is stopped (by its pid) and the script exits 1 with one line on stderr naming
# the pattern and the titles it saw. A missing executable or project, or an invalid pattern:
# exit 1 and one line, nothing started. Runs on Windows PowerShell 5.1 and PowerShell 7.
# Dot-sourcing the file (Pester) defines the functions without running anything.
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][string]$Executable,
  [Parameter(Mandatory = $true)][string]$Project,
  [string]$WindowTitle = 'Petrel',
  [ValidateRange(1, 86400)][int]$TimeoutSeconds = 180
)

# Main windows (pid and title) of process $StartedId and of the processes started since $Since.
function Get-LaunchedWindows([int]$StartedId, [datetime]$Since) {
  $windows = @()
  foreach ($p in @(Get-Process)) {
    $ours = $p.Id -eq $StartedId
    if (-not $ours) {
      try { $ours = $p.StartTime -ge $Since } catch { $ours = $false } # StartTime of a protected process: access denied
    }
    if (-not $ours) { continue }
    $title = $p.MainWindowTitle
    if (-not [string]::IsNullOrEmpty($title)) { $windows += [pscustomobject]@{ Id = $p.Id; Title = $title } }
  }
  return $windows
}

function New-PetrelResult([int]$ExitCode, [string]$Message, $Id, $Title) {
  return [pscustomobject]@{ ExitCode = $ExitCode; Message = $Message; Id = $Id; Title = $Title }
}

# Returns ExitCode, Message (one line), Id (the pid of the window's process, or of the process
# started when none was found) and Title; writes nothing.
function Invoke-StartPetrel {
  param([string]$Executable, [string]$Project, [string]$WindowTitle = 'Petrel', [int]$TimeoutSeconds = 180)
  $ErrorActionPreference = 'Stop'
  if ([string]::IsNullOrWhiteSpace($Executable)) { return (New-PetrelResult 1 'not started: -Executable is empty' $null $null) }
  if ([string]::IsNullOrWhiteSpace($Project)) { return (New-PetrelResult 1 'not started: -Project is empty' $null $null) }
  if ($TimeoutSeconds -lt 1) { return (New-PetrelResult 1 "not started: -TimeoutSeconds $TimeoutSeconds is not a positive number of seconds" $null $null) }
  try { $null = New-Object System.Text.RegularExpressions.Regex($WindowTitle) } catch {
    return (New-PetrelResult 1 "not started: -WindowTitle '$WindowTitle' is not a valid regular expression" $null $null)
  }
  $command = Get-Command -Name $Executable -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
  if ($null -eq $command) { return (New-PetrelResult 1 "not started: the executable '$Executable' does not exist" $null $null) }
  $exe = $command.Path
  if (-not (Test-Path -LiteralPath $Project)) { return (New-PetrelResult 1 "not started: the project '$Project' does not exist" $null $null) }
  $projectPath = (Resolve-Path -LiteralPath $Project).ProviderPath

  $since = Get-Date
  try {
    $process = Start-Process -FilePath $exe -ArgumentList ('"' + $projectPath + '"') -PassThru
  } catch {
    return (New-PetrelResult 1 ("not started: {0}: {1}" -f $exe, ($_.Exception.Message -replace '\s*[\r\n]+\s*', ' ')) $null $null)
  }
  $null = $process.Handle # keeps the handle, so ExitCode is known if it exits (Windows PowerShell 5.1)
  $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
  $seen = New-Object System.Collections.Generic.List[string]
  while ($true) {
    $windows = @(Get-LaunchedWindows -StartedId $process.Id -Since $since)
    foreach ($w in $windows) { if (-not $seen.Contains($w.Title)) { $seen.Add($w.Title) } }
    $found = @($windows | Where-Object { $_.Title -match $WindowTitle } | Sort-Object { $_.Id -ne $process.Id })
    if ($found.Count -gt 0) {
      $w = $found[0]
      return (New-PetrelResult 0 ("started {0}: pid {1}, window '{2}'" -f $exe, $w.Id, $w.Title) $w.Id $w.Title)
    }
    if ((Get-Date) -ge $deadline) { break }
    Start-Sleep -Milliseconds 250
  }

  if ($process.HasExited) {
    $fate = "pid $($process.Id) exited with code $($process.ExitCode)"
  } else {
    Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
    $fate = "pid $($process.Id) stopped"
  }
  $titles = if ($seen.Count -gt 0) { ($seen | ForEach-Object { "'$_'" }) -join ', ' } else { 'none' }
  return (New-PetrelResult 1 ("no window title matched '{0}' within {1} s ({2}); titles seen: {3}" -f $WindowTitle, $TimeoutSeconds, $fate, $titles) $process.Id $null)
}

if ($MyInvocation.InvocationName -ne '.') {
  $ProgressPreference = 'SilentlyContinue'
  $result = Invoke-StartPetrel -Executable $Executable -Project $Project -WindowTitle $WindowTitle -TimeoutSeconds $TimeoutSeconds
  if ($result.ExitCode -eq 0) { [Console]::Out.WriteLine($result.Message) } else { [Console]::Error.WriteLine($result.Message) }
  exit $result.ExitCode
}
